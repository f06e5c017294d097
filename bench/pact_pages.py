"""Benchmark the pact's layout and cost: page count of a Pemilu and a Pilkada pact (a tablet
signature with a birth-date check, and an officer-screen one, each with a long name, position
and letterhead), whether the closing paragraph and the signature block share a page, and the
time to render and seal one pact (local TSA over HTTP, as the worker does).

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/pact_pages.py [--runs 10]

It creates a throw-away test database (test_<name>), a temporary MEDIA_ROOT, CA and TSA, and
removes them.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def make_signatures() -> dict[str, object]:
    """One tablet (birth date checked) and one officer signature per shipped template."""
    from django.utils import timezone

    from signings import demo
    from signings.models import Agency, AgencyKind, Echelon, Role
    from signings.services import events, kiosk, signatures
    from signings.services.context import AuditContext
    from signings.services.events import NewEvent
    from tests import factories

    government = Agency.objects.create(
        code="KOTIM", name="Pemerintah Kabupaten Kotawaringin Timur", kind=AgencyKind.REGENCY,
        city="Sampit", address="Jl. Jenderal Sudirman Km. 5,5, Sampit")
    agency = Agency.objects.create(
        code="KOTIM-BKPSDM", name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        kind=AgencyKind.DEPARTMENT, city="Sampit", address="Jl. Jenderal Sudirman, Sampit",
        parent=government)
    officer = factories.user("bench.hr", role=Role.HR_OFFICER, agency=government)
    result = {}
    for label, content in (("Pemilu", demo.PEMILU_2024), ("Pilkada", demo.PILKADA_2024)):
        version = factories.template_version(government, name=label, **content)
        people = [factories.employee(
            agency, name=f"Muhammad Rizky Pratama Wijayakusuma {label} {i}", title_prefix="Dr.",
            title_suffix="S.Kom., M.Si.", echelon=Echelon.III,
            position="Kepala Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian",
            ) for i in range(2)]
        context = AuditContext.for_user(officer)
        event = events.create_event(
            agency=agency, context=context, expected=people,
            details=NewEvent(template_version=version, title=f"Apel {label}",
                             date=datetime.date(2024, 1, 17), venue="Halaman", witnesses=[],
                             identity_check="birth_date"))
        event = events.open_event(event=event, context=context)
        code = kiosk.add_device(event=event, name="Tablet Meja 1", context=context).code
        device, _token = kiosk.pair_device(code=code, context=AuditContext())
        now = timezone.now()
        tablet = signatures.record_signature(
            event=event, employee=people[0], context=AuditContext(
                label="kiosk:Tablet Meja 1", ip_address="10.20.30.40", device=device,
                user_agent="Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 "
                           "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
            submission=signatures.Submission(
                method="tablet", image_png=factories.signature_png(),
                template_hash=version.content_hash, client_signed_at=now,
                client_sent_at=now + datetime.timedelta(seconds=3),
                birth_date_claim=people[0].birth_date, identity_method="birth_date_online",
                consent_hash=hashlib.sha256(b"statement").hexdigest(), consent_at=now))
        by_officer = factories.signature(event, people[1], officer=officer)
        result[f"{label} tablet"] = tablet.signature
        result[f"{label} officer"] = by_officer
    return result


def layout(data: bytes, signature) -> tuple[int, bool]:
    """(pages, closing paragraph and signer's name on the same page)."""
    import pdfplumber

    closing_end = " ".join(signature.event.template_version.closing.split()[-3:])
    name = signature.employee.display_name
    closing_page = name_page = None
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            text = " ".join((page.extract_text() or "").split())
            if closing_end in text:
                closing_page = number
            if name in text and "Yang membuat pernyataan" in text:
                name_page = number
        return len(pdf.pages), closing_page is not None and closing_page == name_page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--save", help="a directory to write the unsealed pacts to")
    args = parser.parse_args()

    from bench.seal_lta import ms, sealing_environment, timed

    with sealing_environment("pakta-bench-pages-") as (_work, base_url):
        from django.conf import settings

        from signings.models import Signature
        from signings.pdf import pki, seal
        from signings.pdf.pact import render_pact

        settings.PAKTA_TSA_URL = base_url + pki.TSA_PATH
        made = make_signatures()
        seal.get_signer()
        for label, signature in made.items():
            signature = Signature.objects.select_related(
                "event__agency", "event__template_version", "employee__agency").get(
                pk=signature.pk)
            unsealed = render_pact(signature)
            pages, together = layout(unsealed, signature)
            if args.save:
                Path(args.save, label.replace(" ", "-") + ".pdf").write_bytes(unsealed)
            print(f"{label:16s} pages {pages}, closing and signature on one page: {together}, "
                  f"unsealed {len(unsealed) / 1024:.1f} KiB")
        signature = Signature.objects.select_related(
            "event__agency", "event__template_version", "employee__agency").get(
            pk=made["Pemilu tablet"].pk)

        def render_and_seal():
            return seal.seal_pdf(render_pact(signature), reason="bench", location="Sampit")

        render_and_seal()  # warm: fonts, stylesheets, TSA connection
        times, sealed = timed(render_and_seal, args.runs)
        render_times, _ = timed(lambda: render_pact(signature), args.runs)
        # CPU time of this process (the local TSA answers from a thread in it): on a shared,
        # loaded machine it moves far less than the wall clock.
        cpu_times, _ = timed(render_and_seal, args.runs, clock=time.process_time)
        render_cpu, _ = timed(lambda: render_pact(signature), args.runs,
                              clock=time.process_time)
        print(f"Render only (Pemilu tablet): {ms(render_times)}; CPU {ms(render_cpu)}")
        print(f"Render + seal (Pemilu tablet): {ms(times)}; CPU {ms(cpu_times)}; "
              f"sealed {len(sealed) / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
