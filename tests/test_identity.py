"""Tests for signings.identity: NIP/NIK parsing, codes, messages, validators, masks."""

import pickle
from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from signings.identity import (
    MESSAGES,
    PPPK_FIRST_YEAR,
    IdentityError,
    format_nip,
    mask_nik,
    mask_nip,
    normalize_number,
    parse_nik,
    parse_nip,
    validate_nik,
    validate_nip,
)

# Every date rule is relative to "today"; freeze it so the tables never rot.
TODAY = date(2025, 6, 15)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

PNS_NIP = "198001012005011001"
PPPK_NIP = "198505052021211001"
NIK = "3201011505800001"


# --- NIP: valid -----------------------------------------------------------------------------

# (raw, kind, expected fields)
VALID_NIPS = [
    pytest.param(
        PNS_NIP,
        None,
        {
            "nip": PNS_NIP,
            "kind": "PNS",
            "birth_date": date(1980, 1, 1),
            "appointment": "200501",
            "appointment_year": 2005,
            "pppk_code": None,
            "sex": "M",
            "sequence": "001",
        },
        id="pns-plain",
    ),
    pytest.param(
        "19800101 200501 1 001", None, {"nip": PNS_NIP, "kind": "PNS"}, id="pns-typed-with-spaces"
    ),
    pytest.param("19800101.200501.1.001", None, {"nip": PNS_NIP}, id="pns-typed-with-dots"),
    pytest.param("19800101-200501-1-001", None, {"nip": PNS_NIP}, id="pns-typed-with-dashes"),
    pytest.param("19800101 – 200501 – 1 – 001", None, {"nip": PNS_NIP}, id="pns-en-dashes"),
    pytest.param("'198001012005011001", None, {"nip": PNS_NIP}, id="excel-leading-apostrophe"),
    pytest.param("’198001012005011001", None, {"nip": PNS_NIP}, id="curly-apostrophe"),
    pytest.param(
        "  19800101\u00a0200501\u00a02\u00a0001 \t",
        None,
        {"nip": "198001012005012001", "sex": "F"},
        id="nbsp-and-woman",
    ),
    pytest.param(
        "\ufeff198001012005011001\u200b", None, {"nip": PNS_NIP}, id="invisible-bom-and-zero-width"
    ),
    pytest.param(198001012005011001, None, {"nip": PNS_NIP}, id="int-input"),
    pytest.param(PNS_NIP, "PNS", {"kind": "PNS"}, id="pns-explicit-kind"),
    pytest.param(PNS_NIP, "pns", {"kind": "PNS"}, id="kind-case-insensitive"),
    pytest.param(
        "198001152005011001", None, {"birth_date": date(1980, 1, 15)}, id="pns-mid-month-birth"
    ),
    pytest.param(
        "198001151998011001",
        None,
        {"appointment": "199801"},
        id="pns-appointed-in-18th-birthday-month",
    ),
    pytest.param(
        "198002292005011001", None, {"birth_date": date(1980, 2, 29)}, id="pns-born-leap-day"
    ),
    pytest.param(
        "199001012025061001", None, {"appointment": "202506"}, id="pns-appointed-this-month"
    ),
    pytest.param(
        PPPK_NIP,
        None,
        {
            "nip": PPPK_NIP,
            "kind": "PPPK",
            "birth_date": date(1985, 5, 5),
            "appointment": "2021",
            "appointment_year": 2021,
            "pppk_code": "21",
            "sex": "M",
            "sequence": "001",
        },
        id="pppk-code-21-inferred",
    ),
    pytest.param(
        "19850505 2021 21 2 003",
        "PPPK",
        {"kind": "PPPK", "sex": "F", "sequence": "003"},
        id="pppk-explicit-typed-with-spaces",
    ),
    pytest.param(
        "199001012019991001", None, {"kind": "PPPK", "appointment_year": 2019}, id="pppk-first-year"
    ),
    pytest.param(
        "199001012022051001",
        "PPPK",
        {"kind": "PPPK", "pppk_code": "05"},
        id="pppk-code-that-looks-like-a-month-explicit",
    ),
    pytest.param(
        "199001012022051001",
        None,
        {"kind": "PNS", "appointment": "202205"},
        id="ambiguous-month-code-inferred-as-pns",
    ),
    pytest.param("200401012022211001", None, {"kind": "PPPK"}, id="pppk-at-18-by-year"),
    # A future PNS month fails the PNS rules, but the same digits are a valid PPPK of this year
    # with code 07: inference cannot tell, which is why callers should pass kind when known.
    pytest.param(
        "198001012025071001",
        None,
        {"kind": "PPPK", "pppk_code": "07"},
        id="future-pns-month-inferred-as-pppk",
    ),
]


@pytest.mark.parametrize(("raw", "kind", "expected"), VALID_NIPS)
def test_parse_nip_valid(raw, kind, expected):
    info = parse_nip(raw, kind=kind, today=TODAY)
    for field, value in expected.items():
        assert getattr(info, field) == value, field


# --- NIP: invalid ---------------------------------------------------------------------------

# (raw, kind, code)
INVALID_NIPS = [
    pytest.param("", None, "nip.empty", id="empty"),
    pytest.param(None, None, "nip.empty", id="none"),
    pytest.param("  \u00a0 ", None, "nip.empty", id="only-spaces"),
    pytest.param("'", None, "nip.empty", id="only-apostrophe"),
    pytest.param("1.98001E+17", None, "nip.scientific_notation", id="excel-scientific"),
    pytest.param("1,98001E+17", None, "nip.scientific_notation", id="excel-scientific-comma"),
    pytest.param("1.98E17", None, "nip.scientific_notation", id="scientific-no-sign"),
    pytest.param("1.98001e+17", None, "nip.scientific_notation", id="scientific-lowercase"),
    pytest.param(" '1.98001E+17 ", None, "nip.scientific_notation", id="scientific-apostrophe"),
    pytest.param(1.98001012005011e17, None, "nip.scientific_notation", id="float-cell"),
    pytest.param(PNS_NIP.translate(FULL_WIDTH), None, "nip.non_ascii_digit", id="full-width"),
    pytest.param(PNS_NIP.translate(ARABIC_INDIC), None, "nip.non_ascii_digit", id="arabic-indic"),
    pytest.param("NIP 198001012005011001", None, "nip.not_digits", id="nip-label"),
    pytest.param("19800101200501100O", None, "nip.not_digits", id="letter-o-for-zero"),
    pytest.param("19800101/200501/1/001", None, "nip.not_digits", id="slashes"),
    pytest.param(True, None, "nip.not_digits", id="bool"),
    pytest.param(-198001012005011001, None, "nip.not_digits", id="negative-int"),
    pytest.param("19800101200501100", None, "nip.length", id="17-digits"),
    pytest.param("1980010120050110011", None, "nip.length", id="19-digits"),
    pytest.param("3201011505800001", None, "nip.length", id="nik-in-nip-field"),
    pytest.param("198002312005011001", None, "nip.birth_date", id="birth-31-feb"),
    pytest.param("198102292005011001", None, "nip.birth_date", id="birth-29-feb-non-leap"),
    pytest.param("198013012005011001", None, "nip.birth_date", id="birth-month-13"),
    pytest.param("000000002005011001", None, "nip.birth_date", id="birth-zeros"),
    pytest.param("189001012005011001", None, "nip.birth_year", id="birth-1890"),
    pytest.param("201001012025011001", None, "nip.birth_year", id="birth-too-recent"),
    pytest.param("198001012005131001", None, "nip.appointment_month", id="appt-month-13"),
    pytest.param(
        "198001012005131001", "PNS", "nip.appointment_month", id="appt-month-13-explicit-pns"
    ),
    pytest.param("198001012005001001", "PNS", "nip.appointment_month", id="appt-month-00"),
    pytest.param("198001011996011001", None, "nip.appointment_before_18", id="appt-at-age-16"),
    pytest.param(
        "198006011998051001",
        None,
        "nip.appointment_before_18",
        id="appt-month-before-18th-birthday",
    ),
    pytest.param(
        "198001011975011001", None, "nip.appointment_before_birth", id="appt-before-birth"
    ),
    pytest.param("198001012025071001", "PNS", "nip.appointment_future", id="appt-next-month"),
    pytest.param("198001012026011001", None, "nip.appointment_future", id="appt-next-year"),
    pytest.param("198001012030011001", "PNS", "nip.appointment_future", id="appt-2030"),
    pytest.param("198001012005013001", None, "nip.sex_digit", id="sex-digit-3"),
    pytest.param("198001012005010001", None, "nip.sex_digit", id="sex-digit-0"),
    pytest.param("198001012005011000", None, "nip.sequence", id="sequence-000"),
    pytest.param("198001012015211001", "PPPK", "nip.pppk_year", id="pppk-2015"),
    pytest.param("198001012018211001", "PPPK", "nip.pppk_year", id="pppk-2018"),
    # Too early for PPPK and 21 is no month: most likely a PNS NIP with a mistyped month.
    pytest.param(
        "198001012015211001", None, "nip.appointment_month", id="pppk-2015-inferred-reports-month"
    ),
    pytest.param(PNS_NIP, "PPPK", "nip.pppk_year", id="pns-nip-declared-pppk"),
    pytest.param("198505052021001001", "PPPK", "nip.pppk_code", id="pppk-code-00"),
    pytest.param("198505052021001001", None, "nip.pppk_code", id="pppk-code-00-inferred"),
    pytest.param("198505052026211001", None, "nip.appointment_future", id="pppk-future-year"),
    pytest.param("200501012022211001", None, "nip.appointment_before_18", id="pppk-at-17"),
    pytest.param("198505052021213001", None, "nip.sex_digit", id="pppk-sex-digit-3"),
    pytest.param("198505052021211000", None, "nip.sequence", id="pppk-sequence-000"),
]


@pytest.mark.parametrize(("raw", "kind", "code"), INVALID_NIPS)
def test_parse_nip_invalid(raw, kind, code):
    with pytest.raises(IdentityError) as caught:
        parse_nip(raw, kind=kind, today=TODAY)
    assert caught.value.code == code
    assert code in MESSAGES


def test_parse_nip_rejects_unknown_kind_as_programming_error():
    with pytest.raises(ValueError, match="kind") as caught:
        parse_nip(PNS_NIP, kind="honorer", today=TODAY)
    assert not isinstance(caught.value, IdentityError)


def test_parse_nip_defaults_today_to_localdate():
    assert parse_nip(PNS_NIP).kind == "PNS"


def test_pppk_first_year_is_2019():
    assert PPPK_FIRST_YEAR == 2019


def test_nip_info_is_frozen():
    info = parse_nip(PNS_NIP, today=TODAY)
    with pytest.raises(FrozenInstanceError):
        info.sex = "F"


# --- NIK ------------------------------------------------------------------------------------

# (raw, expected fields)
VALID_NIKS = [
    pytest.param(
        NIK,
        {"nik": NIK, "region_code": "320101", "birth_date": date(1980, 5, 15), "sex": "M"},
        id="man",
    ),
    pytest.param(
        "3201015505800002", {"birth_date": date(1980, 5, 15), "sex": "F"}, id="woman-day-plus-40"
    ),
    pytest.param("3201 0115 0580 0001", {"nik": NIK}, id="typed-with-spaces"),
    pytest.param("3201.0115.0580.0001", {"nik": NIK}, id="typed-with-dots"),
    pytest.param("'3201011505800001", {"nik": NIK}, id="excel-leading-apostrophe"),
    pytest.param(3201011505800001, {"nik": NIK}, id="int-input"),
    pytest.param("3171010101100001", {"birth_date": date(2010, 1, 1)}, id="yy-10-is-2010"),
    pytest.param("3171010101300001", {"birth_date": date(1930, 1, 1)}, id="yy-30-is-1930"),
    pytest.param("3171011506250001", {"birth_date": date(2025, 6, 15)}, id="born-today"),
    pytest.param(
        "3171011606250001",
        {"birth_date": date(1925, 6, 16)},
        id="tomorrow-in-yy-means-last-century",
    ),
    pytest.param(
        "3171016902000001", {"birth_date": date(2000, 2, 29), "sex": "F"}, id="woman-29-feb-2000"
    ),
    pytest.param(
        "6201017112990001",
        {"birth_date": date(1999, 12, 31), "sex": "F"},
        id="woman-day-71-kalteng",
    ),
    pytest.param("9601010101900001", {"region_code": "960101"}, id="papua-barat-daya-96"),
    pytest.param("2101010101900001", {"region_code": "210101"}, id="kepri-21"),
]


@pytest.mark.parametrize(("raw", "expected"), VALID_NIKS)
def test_parse_nik_valid(raw, expected):
    info = parse_nik(raw, today=TODAY)
    for field, value in expected.items():
        assert getattr(info, field) == value, field


INVALID_NIKS = [
    pytest.param("", "nik.empty", id="empty"),
    pytest.param(None, "nik.empty", id="none"),
    pytest.param("320101150580001", "nik.length", id="15-digits"),
    pytest.param("32010115058000011", "nik.length", id="17-digits"),
    pytest.param(PNS_NIP, "nik.length", id="nip-in-nik-field"),
    pytest.param("3.20101E+15", "nik.scientific_notation", id="excel-scientific"),
    pytest.param(NIK.translate(FULL_WIDTH), "nik.non_ascii_digit", id="full-width"),
    pytest.param(NIK.translate(ARABIC_INDIC), "nik.non_ascii_digit", id="arabic-indic"),
    pytest.param("320101150580000I", "nik.not_digits", id="letter-i"),
    pytest.param("9901011505800001", "nik.region", id="province-99"),
    pytest.param("0001011505800001", "nik.region", id="province-00"),
    pytest.param("2001011505800001", "nik.region", id="province-20"),
    pytest.param("3200011505800001", "nik.region", id="regency-00"),
    pytest.param("3201001505800001", "nik.region", id="district-00"),
    pytest.param("3201017205800001", "nik.birth_date", id="day-72"),
    pytest.param("3201013205800001", "nik.birth_date", id="day-32"),
    pytest.param("3201014005800001", "nik.birth_date", id="day-40"),
    pytest.param("3201010005800001", "nik.birth_date", id="day-00"),
    pytest.param("3201011513800001", "nik.birth_date", id="month-13"),
    pytest.param("3201017002800001", "nik.birth_date", id="woman-30-feb"),
    pytest.param("3201012902010001", "nik.birth_date", id="29-feb-2001"),
    pytest.param("3201011505800000", "nik.sequence", id="sequence-0000"),
]


@pytest.mark.parametrize(("raw", "code"), INVALID_NIKS)
def test_parse_nik_invalid(raw, code):
    with pytest.raises(IdentityError) as caught:
        parse_nik(raw, today=TODAY)
    assert caught.value.code == code
    assert code in MESSAGES


# --- normalize_number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, "", id="none"),
        pytest.param("   ", "", id="blank"),
        pytest.param(" 12.34-56 ", "123456", id="separators"),
        pytest.param("'0042", "0042", id="apostrophe-keeps-leading-zeros"),
        pytest.param(42, "42", id="int"),
    ],
)
def test_normalize_number(raw, expected):
    assert normalize_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        pytest.param("1.2E+5", "number", "number.scientific_notation", id="generic"),
        pytest.param("١٢", "number", "number.non_ascii_digit", id="generic-arabic-indic"),
        pytest.param("12a", "number", "number.not_digits", id="generic-letter"),
        pytest.param("12a", "nik", "nik.not_digits", id="nik-prefix"),
    ],
)
def test_normalize_number_codes_follow_field(raw, field, code):
    with pytest.raises(IdentityError) as caught:
        normalize_number(raw, field=field)
    assert caught.value.code == code


# --- messages -------------------------------------------------------------------------------

# Enough parameters for any message; extra keys are ignored by %-formatting.
SAMPLE_PARAMS = {"n": 17, "value": "200513", "year": 2015, "min": 2019, "max": 2008}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_has_an_english_translation(code):
    texts = IdentityError(code, params=SAMPLE_PARAMS).messages()
    assert set(texts) == {"id", "en"}
    assert texts["id"]
    assert texts["en"]
    assert texts["id"] != texts["en"], "missing from locale/en/LC_MESSAGES/django.mo?"
    assert "%(" not in texts["id"] + texts["en"]


@pytest.mark.parametrize(
    ("raw", "kind", "id_part", "en_part"),
    [
        pytest.param(
            "19800101200501100", None, "yang diisi 17 digit", "17 digits were entered", id="length"
        ),
        pytest.param("1.98001E+17", None, "notasi ilmiah", "scientific notation", id="scientific"),
        pytest.param("198001012005013001", None, "bukan 3", "not 3", id="sex"),
        pytest.param("198001012015211001", "PPPK", "(2015)", "(2015)", id="pppk-year"),
    ],
)
def test_messages_are_indonesian_and_english(raw, kind, id_part, en_part):
    with pytest.raises(IdentityError) as caught:
        parse_nip(raw, kind=kind, today=TODAY)
    texts = caught.value.messages()
    assert id_part in texts["id"]
    assert en_part in texts["en"]
    assert texts["id"] != texts["en"]


def test_length_message_singular_in_english():
    with pytest.raises(IdentityError) as caught:
        parse_nik("7", today=TODAY)
    assert "1 digit was entered" in caught.value.messages()["en"]


def test_str_follows_active_language():
    with pytest.raises(IdentityError) as caught:
        parse_nik("9901011505800001", today=TODAY)
    error = caught.value
    with translation.override("en"):
        assert str(error) == error.messages()["en"]
        assert "region" in str(error)
    with translation.override("id"):
        assert str(error) == error.messages()["id"]
        assert "wilayah" in str(error)


def test_identity_error_is_value_error_and_pickles():
    error = IdentityError("nip.length", params={"n": 3})
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.params) == ("nip.length", {"n": 3})
    assert copy.messages() == error.messages()


# --- Django validators ----------------------------------------------------------------------


def test_validators_accept_valid_values():
    assert validate_nip("19800101 200501 1 001") is None
    assert validate_nip("198505052021211001") is None
    assert validate_nik(NIK) is None


@pytest.mark.parametrize(
    ("validator", "raw", "code"),
    [
        pytest.param(validate_nip, "198001012005013001", "nip.sex_digit", id="nip-sex"),
        pytest.param(validate_nip, "1.98001E+17", "nip.scientific_notation", id="nip-sci"),
        pytest.param(validate_nip, "1980", "nip.length", id="nip-length"),
        pytest.param(validate_nik, "9901011505800001", "nik.region", id="nik-region"),
        pytest.param(validate_nik, "3201017205800001", "nik.birth_date", id="nik-day-72"),
    ],
)
def test_validators_raise_validation_error_with_code(validator, raw, code):
    with pytest.raises(ValidationError) as caught:
        validator(raw)
    assert caught.value.code == code
    with translation.override("en"):
        (message,) = caught.value.messages
    assert message
    assert "%(" not in message


# --- masking and formatting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(PNS_NIP, "1980***********001", id="nip"),
        pytest.param("19800101 200501 1 001", "1980***********001", id="nip-with-spaces"),
        pytest.param(PPPK_NIP, "1985***********001", id="pppk"),
        pytest.param("12345", "*****", id="too-short-all-hidden"),
        pytest.param("", "", id="empty"),
        pytest.param(None, "", id="none"),
    ],
)
def test_mask_nip(raw, expected):
    assert mask_nip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(NIK, "3201**********01", id="nik"),
        pytest.param("3201 0115 0580 0001", "3201**********01", id="nik-with-spaces"),
        pytest.param("320101", "******", id="too-short-all-hidden"),
        pytest.param(None, "", id="none"),
    ],
)
def test_mask_nik(raw, expected):
    assert mask_nik(raw) == expected


def test_masks_hide_the_birth_date():
    assert "0101" not in mask_nip(PNS_NIP)[4:]
    assert "1505" not in mask_nik(NIK)


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        pytest.param(PNS_NIP, None, "19800101 200501 1 001", id="pns"),
        pytest.param("1980.0101.2005.0110.01", None, "19800101 200501 1 001", id="pns-messy"),
        pytest.param(PPPK_NIP, None, "19850505 2021 21 1 001", id="pppk-inferred"),
        pytest.param("199001012022051001", "PPPK", "19900101 2022 05 1 001", id="pppk-explicit"),
        pytest.param(
            "198001012005013001",
            None,
            "19800101 200501 3 001",
            id="invalid-but-18-digits-still-groups",
        ),
    ],
)
def test_format_nip(raw, kind, expected):
    assert format_nip(raw, kind=kind) == expected


def test_format_nip_rejects_wrong_length():
    with pytest.raises(IdentityError) as caught:
        format_nip("1980")
    assert caught.value.code == "nip.length"
