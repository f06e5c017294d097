"""The one pact text: the context of templates/pact/_body.html for every place it is shown.

The tablet, the officer's signing screen, the HR preview and the sealed PDF all render that
partial, so the words read are the words sealed. The signer's details are the same set
everywhere; the tablet receives the partial with them blank and fills them in itself.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from signings import identity
from signings.pdf import dates

# Keys of the [data-pact-field] spans of the partial, in the order they appear.
SIGNER_FIELDS = ("name", "identity_label", "identity_value", "grade", "position", "agency",
                 "place_and_date")
EMPTY = "—"


def identity_label(employee) -> str:
    return "NIP" if employee.nip else "NIK" if employee.nik else "Nomor pegawai"


def identity_for(employee) -> tuple[str, str]:
    """NIP grouped as printed for ASN; NIK masked (personal data) or the agency number else."""
    if employee.nip:
        try:
            return "NIP", identity.format_nip(employee.nip)
        except identity.IdentityError:
            return "NIP", employee.nip
    if employee.nik:
        return "NIK", identity.mask_nik(employee.nik)
    return "Nomor pegawai", employee.staff_number


def signer_fields(employee) -> dict[str, str]:
    label, value = identity_for(employee)
    return {
        "name": employee.display_name,
        "identity_label": label,
        "identity_value": value or EMPTY,
        "grade": employee.grade_label or EMPTY,
        "position": employee.position or EMPTY,
        "agency": employee.agency.name,
    }


def body_context(version, employee, place_and_date: str) -> dict:
    return {"version": version, "signer": signer_fields(employee),
            "place_and_date": place_and_date}


def place_now(agency) -> str:
    """Place and today's date in the agency's own time zone, as the PDF will print it."""
    return dates.place_and_date(agency.city, timezone.now(), agency.timezone)


def render_blank(version) -> str:
    """The partial with every signer detail empty, for the tablet to fill per person."""
    return render_to_string("pact/_body.html", {"version": version, "signer": {},
                                                "place_and_date": ""})
