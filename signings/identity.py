"""NIP and NIK validation, shared by forms, imports, the kiosk and the API.

Every failure is an :class:`IdentityError` with a stable ``code`` (what API clients and import
reports key on) and a lazily translated ``message`` (what people read). The gettext msgids are
the Indonesian sentences because the product is Indonesian-first; English lives in
``locale/en/LC_MESSAGES/django.po``.

NIP layouts (18 digits)::

    PNS   YYYYMMDD YYYYMM S NNN   birth date, month of first appointment, sex, sequence
    PPPK  YYYYMMDD YYYY CC S NNN  birth date, appointment year, 2-digit code, sex, sequence

NIK layout (16 digits)::

    PPKKCC DDMMYY NNNN            region, birth date (day + 40 for women), sequence
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

if TYPE_CHECKING:
    # A lazily translated string (gettext_lazy); at run time it is Django's Promise.
    from django_stubs_ext import StrPromise

__all__ = [
    "MESSAGES",
    "NIK_LENGTH",
    "NIP_LENGTH",
    "PNS",
    "PPPK",
    "PPPK_FIRST_YEAR",
    "PROVINCE_CODES",
    "IdentityError",
    "NikInfo",
    "NipInfo",
    "format_nip",
    "mask_nik",
    "mask_nip",
    "mask_tail",
    "normalize_number",
    "parse_nik",
    "parse_nip",
    "validate_nik",
    "validate_nip",
]

NIP_LENGTH = 18
NIK_LENGTH = 16

PNS = "PNS"
PPPK = "PPPK"
KINDS = (PNS, PPPK)

# Loose bounds: they exist to catch typos (1890, 2080), not to enforce retirement rules.
MIN_BIRTH_YEAR = 1940
MIN_SIGNER_AGE = 17
# Minimum age for a CPNS/PPPK appointment; compared by month because a PNS NIP only records
# the month of appointment.
MIN_APPOINTMENT_AGE = 18

# PPPK exists since UU 5/2014 but was only implemented by PP 49/2018; the first PPPK were
# appointed from the February 2019 recruitment, so no NI PPPK can carry an earlier year.
PPPK_FIRST_YEAR = 2019

# Province codes of Kemendagri (the first 2 digits of a NIK / region code):
# 11-19 Sumatra and Bangka Belitung, 21 Kepulauan Riau, 31-36 Java (DKI, Jabar, Jateng, DIY,
# Jatim, Banten), 51-53 Bali and Nusa Tenggara, 61-65 Kalimantan, 71-76 Sulawesi,
# 81-82 Maluku, 91-96 Papua (93-96 are the provinces split off in 2022; people registered
# before the split keep 91 or 92 in their NIK, since a NIK never changes).
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    )
)

NIK_WOMAN_DAY_OFFSET = 40

MESSAGE_LANGUAGES = ("id", "en")

Field = Literal["nip", "nik", "number"]

MESSAGES: dict[str, StrPromise] = {
    # Shared by normalize_number for agency-issued numbers (non-ASN staff without NIP/NIK).
    "number.scientific_notation": _(
        "Nomor berubah menjadi notasi ilmiah (misalnya 1,98E+17) oleh spreadsheet, sehingga "
        "digit aslinya hilang. Format kolomnya sebagai Teks, lalu ketik ulang nomornya."
    ),
    "number.non_ascii_digit": _(
        "Nomor mengandung angka yang bukan angka 0–9 biasa (misalnya angka Arab atau angka "
        "lebar penuh). Ketik ulang dengan angka 0–9."
    ),
    "number.not_digits": _("Nomor hanya boleh berisi angka 0–9."),
    "nip.empty": _("NIP wajib diisi."),
    "nip.scientific_notation": _(
        "NIP berubah menjadi notasi ilmiah (misalnya 1,98E+17) oleh spreadsheet, sehingga "
        "digit aslinya hilang. Format kolom NIP sebagai Teks, lalu ketik ulang NIP-nya."
    ),
    "nip.non_ascii_digit": _(
        "NIP mengandung angka yang bukan angka 0–9 biasa (misalnya angka Arab atau angka "
        "lebar penuh). Ketik ulang NIP dengan angka 0–9."
    ),
    "nip.not_digits": _("NIP hanya boleh berisi angka 0–9."),
    "nip.length": ngettext_lazy(
        "NIP harus 18 digit angka; yang diisi %(n)d digit.",
        "NIP harus 18 digit angka; yang diisi %(n)d digit.",
        "n",
    ),
    "nip.birth_date": _(
        "Tanggal lahir pada NIP (8 digit pertama: %(value)s) bukan tanggal yang valid."
    ),
    "nip.birth_year": _(
        "Tahun lahir pada NIP (%(year)d) di luar rentang yang wajar (%(min)d–%(max)d)."
    ),
    "nip.appointment_month": _(
        "Bulan pengangkatan pada NIP (digit 13–14: %(value)s) bukan bulan yang valid (01–12)."
    ),
    "nip.appointment_future": _("Waktu pengangkatan pada NIP (%(value)s) belum terjadi."),
    "nip.appointment_before_birth": _(
        "Waktu pengangkatan pada NIP (%(value)s) lebih awal dari tanggal lahirnya."
    ),
    "nip.appointment_before_18": _(
        "Menurut NIP, pegawai diangkat (%(value)s) sebelum berusia 18 tahun. Periksa kembali "
        "digit tanggal lahir dan pengangkatan."
    ),
    "nip.pppk_year": _(
        "Tahun pengangkatan PPPK pada NIP (%(year)d) lebih awal dari %(min)d, tahun pertama "
        "pengangkatan PPPK."
    ),
    "nip.pppk_code": _("Kode PPPK pada NIP (digit 13–14) tidak boleh 00."),
    "nip.sex_digit": _(
        "Digit ke-15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan %(value)s."
    ),
    "nip.sequence": _(
        "Nomor urut pada NIP (3 digit terakhir) tidak boleh 000. Jika NIP berasal dari "
        "spreadsheet, digit terakhirnya kemungkinan hilang: format kolomnya sebagai Teks."
    ),
    "nik.empty": _("NIK wajib diisi."),
    "nik.scientific_notation": _(
        "NIK berubah menjadi notasi ilmiah (misalnya 3,2E+15) oleh spreadsheet, sehingga "
        "digit aslinya hilang. Format kolom NIK sebagai Teks, lalu ketik ulang NIK-nya."
    ),
    "nik.non_ascii_digit": _(
        "NIK mengandung angka yang bukan angka 0–9 biasa (misalnya angka Arab atau angka "
        "lebar penuh). Ketik ulang NIK dengan angka 0–9."
    ),
    "nik.not_digits": _("NIK hanya boleh berisi angka 0–9."),
    "nik.length": ngettext_lazy(
        "NIK harus 16 digit angka; yang diisi %(n)d digit.",
        "NIK harus 16 digit angka; yang diisi %(n)d digit.",
        "n",
    ),
    "nik.region": _("Kode wilayah pada NIK (6 digit pertama: %(value)s) tidak dikenal."),
    "nik.birth_date": _(
        "Tanggal lahir pada NIK (digit 7–12: %(value)s) bukan tanggal yang valid. Untuk "
        "perempuan, tanggalnya ditambah 40."
    ),
    "nik.sequence": _("Nomor urut pada NIK (4 digit terakhir) tidak boleh 0000."),
}


class IdentityError(ValueError):
    """A NIP/NIK/number that cannot be accepted; ``code`` is stable, ``message`` translated."""

    def __init__(
        self,
        code: str,
        message: str | StrPromise | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = MESSAGES[code] if message is None else message
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(code)

    def __str__(self) -> str:
        # Formatting here, not at raise time, keeps the text in the language active when shown.
        if self.params:
            return str(self.message % self.params)
        return str(self.message)

    def __repr__(self) -> str:
        return f"IdentityError({self.code!r}, params={self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Custom __init__ arguments break the default exception pickling (task queues need it).
        return (type(self), (self.code, self.message, self.params))

    def messages(self) -> dict[str, str]:
        """The message in every product language: ``{"id": ..., "en": ...}``."""
        result = {}
        for language in MESSAGE_LANGUAGES:
            with translation.override(language):
                result[language] = str(self)
        return result


def _fail(field: str, reason: str, **params: Any) -> IdentityError:
    return IdentityError(f"{field}.{reason}", params=params)


# Separators people type or paste: dots and dashes of every width. Whitespace is handled with
# str.isspace(), which already covers non-breaking, thin and ideographic spaces.
_SEPARATORS = frozenset(".-‐‑‒–—―−．－·")
# Invisible characters that are not whitespace for str.isspace() but ride along in pastes.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Excel prefixes an apostrophe to force text; phones autocorrect it to a curly quote.
_TEXT_MARKERS = "'’‘`"
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")


def _compact(raw: str) -> str:
    """Drop whitespace and invisible characters, and one leading text marker."""
    text = raw.strip()
    if text and text[0] in _TEXT_MARKERS:
        text = text[1:]
    return "".join(ch for ch in text if not ch.isspace() and ch not in _INVISIBLE)


def normalize_number(raw: str | int | None, *, field: Field = "number") -> str:
    """Return the ASCII digits of a typed or imported number, or "" when blank.

    Spaces, dots, dashes and a leading apostrophe are removed. Scientific notation, non-ASCII
    digits and anything else are rejected with ``<field>.scientific_notation``,
    ``<field>.non_ascii_digit`` and ``<field>.not_digits``: guessing would store a wrong number.
    """
    if raw is None:
        return ""
    if isinstance(raw, float):
        # A float cell has at most ~15 significant digits: the real number is already gone.
        raise _fail(field, "scientific_notation")
    if isinstance(raw, bool) or (isinstance(raw, int) and raw < 0):
        raise _fail(field, "not_digits")
    text = _compact(str(raw))
    if _SCIENTIFIC.fullmatch(text):
        raise _fail(field, "scientific_notation")
    text = "".join(ch for ch in text if ch not in _SEPARATORS)
    # str.isdigit() is true for Arabic-Indic, full-width and other digits, so test ASCII.
    stray = [ch for ch in text if not ("0" <= ch <= "9")]
    if any(ch.isdigit() or unicodedata.decimal(ch, None) is not None for ch in stray):
        raise _fail(field, "non_ascii_digit")
    if stray:
        raise _fail(field, "not_digits")
    return text


def _today() -> date:
    # localdate() rejects the naive now() that USE_TZ=False gives.
    return timezone.localdate() if settings.USE_TZ else date.today()


def _digits(raw: str | int | None, field: Field, length: int) -> str:
    digits = normalize_number(raw, field=field)
    if not digits:
        raise _fail(field, "empty")
    if len(digits) != length:
        raise _fail(field, "length", n=len(digits))
    return digits


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class NipInfo:
    """What an 18-digit NIP encodes."""

    nip: str
    kind: str
    birth_date: date
    appointment: str
    appointment_year: int
    pppk_code: str | None
    sex: str
    sequence: str


@dataclass(frozen=True)
class NikInfo:
    """What a 16-digit NIK encodes."""

    nik: str
    region_code: str
    birth_date: date
    sex: str


def _nip_birth(digits: str, today: date) -> date:
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _fail("nip", "birth_date", value=digits[0:8]) from None
    latest = today.year - MIN_SIGNER_AGE
    if not MIN_BIRTH_YEAR <= birth.year <= latest:
        raise _fail("nip", "birth_year", year=birth.year, min=MIN_BIRTH_YEAR, max=latest)
    return birth


def _nip_tail(digits: str) -> tuple[str, str]:
    sex_digit = digits[14]
    if sex_digit not in "12":
        raise _fail("nip", "sex_digit", value=sex_digit)
    sequence = digits[15:18]
    if sequence == "000":
        raise _fail("nip", "sequence")
    return ("M" if sex_digit == "1" else "F"), sequence


def _nip_info(
    digits: str, birth: date, *, kind: str, appointment: str, pppk_code: str | None
) -> NipInfo:
    """The record for a NIP whose kind-specific middle part is already checked."""
    sex, sequence = _nip_tail(digits)
    return NipInfo(
        nip=digits,
        kind=kind,
        birth_date=birth,
        appointment=appointment,
        appointment_year=int(appointment[:4]),
        pppk_code=pppk_code,
        sex=sex,
        sequence=sequence,
    )


def _parse_pns(digits: str, birth: date, today: date) -> NipInfo:
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        raise _fail("nip", "appointment_month", value=digits[12:14])
    shown = f"{month:02d}/{year:04d}"
    if (year, month) > (today.year, today.month):
        raise _fail("nip", "appointment_future", value=shown)
    if (year, month) < (birth.year, birth.month):
        raise _fail("nip", "appointment_before_birth", value=shown)
    adult = _add_years(birth, MIN_APPOINTMENT_AGE)
    if (year, month) < (adult.year, adult.month):
        raise _fail("nip", "appointment_before_18", value=shown)
    return _nip_info(digits, birth, kind=PNS, appointment=digits[8:14], pppk_code=None)


def _parse_pppk(digits: str, birth: date, today: date) -> NipInfo:
    year = int(digits[8:12])
    if year > today.year:
        raise _fail("nip", "appointment_future", value=digits[8:12])
    if year < PPPK_FIRST_YEAR:
        raise _fail("nip", "pppk_year", year=year, min=PPPK_FIRST_YEAR)
    if year < birth.year:
        raise _fail("nip", "appointment_before_birth", value=digits[8:12])
    if year < birth.year + MIN_APPOINTMENT_AGE:
        raise _fail("nip", "appointment_before_18", value=digits[8:12])
    code = digits[12:14]
    if code == "00":
        raise _fail("nip", "pppk_code")
    return _nip_info(digits, birth, kind=PPPK, appointment=digits[8:12], pppk_code=code)


def _check_kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    upper = kind.upper()
    if upper not in KINDS:
        # A programming error, not bad input: keep it out of IdentityError.
        raise ValueError(f"kind must be None, {PNS!r} or {PPPK!r}, not {kind!r}")
    return upper


def parse_nip(
    raw: str | int | None, *, kind: str | None = None, today: date | None = None
) -> NipInfo:
    """Normalise and validate a NIP; raise :class:`IdentityError` with a ``nip.*`` code.

    ``kind`` is ``"PNS"``, ``"PPPK"`` or ``None`` to infer it: digits 13-14 that form a month
    and pass the PNS rules mean PNS, otherwise PPPK is tried. When both fail, the PNS error is
    reported if the digits look like a PNS NIP (a month, or a year before PPPK existed).
    Inference is a guess (a PPPK code 01-12 can pass as a PNS month, and a PNS month in the
    future as a PPPK code), so pass ``kind`` whenever it is known. ``today`` defaults to
    ``timezone.localdate()``.
    """
    kind = _check_kind(kind)
    today = today or _today()
    digits = _digits(raw, "nip", NIP_LENGTH)
    birth = _nip_birth(digits, today)
    if kind == PNS:
        return _parse_pns(digits, birth, today)
    if kind == PPPK:
        return _parse_pppk(digits, birth, today)

    looks_pns = 1 <= int(digits[12:14]) <= 12
    pns_error: IdentityError | None = None
    if looks_pns:
        try:
            return _parse_pns(digits, birth, today)
        except IdentityError as error:
            pns_error = error
    try:
        return _parse_pppk(digits, birth, today)
    except IdentityError as error:
        pppk_error = error
    if pns_error is not None:
        raise pns_error
    if int(digits[8:12]) < PPPK_FIRST_YEAR:
        # Too early for PPPK, so most likely a PNS NIP with a mistyped month: say that.
        raise _fail("nip", "appointment_month", value=digits[12:14])
    raise pppk_error


def _nik_birth(digits: str, today: date) -> tuple[date, str]:
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = "M"
    if day > NIK_WOMAN_DAY_OFFSET:
        day -= NIK_WOMAN_DAY_OFFSET
        sex = "F"
    century = today.year // 100 * 100
    # The most recent century that puts the birth on or before today; 29 Feb can be valid in
    # one century and not the other (2000 vs 1900), hence trying both.
    for year in (century + yy, century + yy - 100):
        try:
            birth = date(year, month, day)
        except ValueError:
            continue
        if birth <= today:
            return birth, sex
    raise _fail("nik", "birth_date", value=digits[6:12])


def parse_nik(raw: str | int | None, *, today: date | None = None) -> NikInfo:
    """Normalise and validate a NIK; raise :class:`IdentityError` with a ``nik.*`` code."""
    today = today or _today()
    digits = _digits(raw, "nik", NIK_LENGTH)
    region = digits[0:6]
    # Regency/city and district numbers start at 01 inside every province.
    if region[0:2] not in PROVINCE_CODES or region[2:4] == "00" or region[4:6] == "00":
        raise _fail("nik", "region", value=region)
    birth, sex = _nik_birth(digits, today)
    if digits[12:16] == "0000":
        raise _fail("nik", "sequence")
    return NikInfo(nik=digits, region_code=region, birth_date=birth, sex=sex)


def _to_validation_error(error: IdentityError) -> ValidationError:
    return ValidationError(error.message, code=error.code, params=error.params or None)


def validate_nip(value: str | int | None) -> None:
    """Django validator: raise ``ValidationError`` (code ``nip.*``) for an invalid NIP."""
    try:
        parse_nip(value)
    except IdentityError as error:
        raise _to_validation_error(error) from None


def validate_nik(value: str | int | None) -> None:
    """Django validator: raise ``ValidationError`` (code ``nik.*``) for an invalid NIK."""
    try:
        parse_nik(value)
    except IdentityError as error:
        raise _to_validation_error(error) from None


def _mask(value: str | int | None, head: int, tail: int) -> str:
    if value is None:
        return ""
    text = "".join(ch for ch in _compact(str(value)) if ch not in _SEPARATORS)
    # Too short to hide a meaningful middle: hide everything rather than leak most of it.
    if len(text) < head + tail + 6:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def mask_nip(nip: str | int | None) -> str:
    """``1980***********001``: birth year and sequence only, for public pages.

    The birth date, appointment and sex digits are hidden. Separators are dropped first;
    values too short to mask sensibly come back all ``*``. Never raises.
    """
    return _mask(nip, 4, 3)


def mask_nik(nik: str | int | None) -> str:
    """``3201**********01``: province + regency and the last 2 digits, for public pages.

    The district, birth date and sex are hidden. Never raises.
    """
    return _mask(nik, 4, 2)


def mask_tail(number: str | int | None, *, shown: int = 4) -> str:
    """``**************0001``: only the last digits, for the kiosk tablet.

    NIP digits 1-8 and NIK digits 7-12 are the birth date; the tablet must not give away a
    birth date or year, so only the trailing sequence digits show. Never raises.
    """
    if number is None:
        return ""
    text = "".join(ch for ch in _compact(str(number)) if ch not in _SEPARATORS)
    if len(text) < shown + 6:
        return "*" * len(text)
    return "*" * (len(text) - shown) + text[-shown:]


def format_nip(nip: str | int, *, kind: str | None = None) -> str:
    """Group a NIP as printed on pacts: ``19800101 200501 1 001`` or ``19800101 2021 21 1 001``.

    ``kind`` defaults to what :func:`parse_nip` infers (digits 13-14 a month means PNS when the
    NIP no longer validates, e.g. an old record). Raises :class:`IdentityError` unless the value
    is 18 digits.
    """
    kind = _check_kind(kind)
    digits = _digits(nip, "nip", NIP_LENGTH)
    if kind is None:
        try:
            kind = parse_nip(digits).kind
        except IdentityError:
            kind = PNS if 1 <= int(digits[12:14]) <= 12 else PPPK
    parts: tuple[str, ...]
    if kind == PNS:
        parts = (digits[0:8], digits[8:14], digits[14], digits[15:18])
    else:
        parts = (digits[0:8], digits[8:12], digits[12:14], digits[14], digits[15:18])
    return " ".join(parts)
