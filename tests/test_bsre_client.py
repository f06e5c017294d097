"""The Esign Client Service client (signings/pdf/bsre.py) against the stand-in service: each
endpoint's request and answer, and each failure mapped to retryable or refused."""

import base64
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signings.pdf import bsre as client_module
from signings.pdf import bsre_seal
from signings.pdf.bsre import (
    BsreClient,
    BsreRefusedError,
    BsreUnavailableError,
    SignatureProperties,
    Signer,
)
from tests.bsre_server import PASSWORD, SEAL_ACTIVATION, SEAL_ID, USER

NIK = "3201010101900001"
EMAIL = "saksi@contoh.go.id"


@pytest.fixture
def service(bsre_service):
    bsre_service.reset()
    bsre_service.enrol(nik=NIK, email=EMAIL, name="Saksi Uji", passphrase="benar-sekali",
                       totp="123456")
    yield bsre_service
    bsre_service.reset()


def _client(service, **kwargs) -> BsreClient:
    options = {"user": USER, "password": PASSWORD, "timeout": 5} | kwargs
    return BsreClient(service.url, **options)


def _pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
    }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_seal_fetches_a_seal_code_then_returns_the_sealed_pdf(service):
    document = _pdf()
    sealed = _client(service).seal_pdfs([document], properties=SignatureProperties(
        reason="Pakta", location="Bandung"), id_subscriber=SEAL_ID, seal_totp=SEAL_ACTIVATION)
    assert service.paths() == ["/api/v2/seal/get/totp", "/api/v2/seal/pdf"]
    totp_call, seal_call = (body for _path, body in service.calls)
    assert totp_call == {"idSubscriber": SEAL_ID, "totp": SEAL_ACTIVATION, "data": 1}
    assert seal_call["totp"] != SEAL_ACTIVATION
    assert seal_call["signatureProperties"] == [{"tampilan": "INVISIBLE", "location": "Bandung",
                                                 "reason": "Pakta", "contactInfo": ""}]
    assert base64.b64decode(seal_call["file"][0]) == document
    certificate = bsre_seal.added_signature(document, sealed[0])
    assert "Segel Elektronik Instansi Uji BSrE" in certificate.subject.human_friendly
    assert PdfFileReader(io.BytesIO(sealed[0])).embedded_signatures[0].field_name == "Signature1"


def test_a_visible_signature_sends_its_image_and_box(service):
    props = SignatureProperties(reason="r", image_png=b"\x89PNG", page=2,
                                box=(10.0, 20.0, 150.0, 50.0)).payload()
    assert props["tampilan"] == "VISIBLE" and props["page"] == 2
    assert (props["originX"], props["originY"], props["width"], props["height"]) == (
        10.0, 20.0, 150.0, 50.0)
    assert base64.b64decode(props["imageBase64"]) == b"\x89PNG"


@pytest.mark.parametrize(("identity", "who", "secret"), [
    ("nik", NIK, {"passphrase": "benar-sekali"}),
    ("email", EMAIL, {"passphrase": "benar-sekali"}),
    ("nik", NIK, {"totp": "123456"}),
])
def test_a_person_signs_with_nik_or_email_and_passphrase_or_totp(service, identity, who,
                                                                 secret):
    document = _pdf()
    signed = _client(service).sign_pdfs([document], signer=Signer(identity, who, **secret),
                                        properties=SignatureProperties(reason="Saksi"))
    body = service.calls[-1][1]
    assert body[identity] == who and set(secret) <= set(body)
    assert "Saksi Uji" in bsre_seal.added_signature(document, signed[0]).subject.human_friendly


@pytest.mark.parametrize(("who", "secret", "code", "words"), [
    (NIK, "keliru-9x", 2031, "Passphrase atau kode TOTP salah"),
    ("3201010101900099", "apa saja", 2011, "belum terdaftar di BSrE"),
])
def test_refusals_are_not_retryable_and_read_in_indonesian(service, who, secret, code, words):
    with pytest.raises(BsreRefusedError) as caught:
        _client(service).sign_pdfs([_pdf()], signer=Signer("nik", who, passphrase=secret),
                                   properties=SignatureProperties())
    assert caught.value.code == code and not caught.value.retryable
    assert words in caught.value.message
    assert secret not in str(caught.value)


def test_a_missing_field_is_the_documented_400(service):
    with pytest.raises(BsreRefusedError) as caught:
        _client(service)._post(client_module.SIGN_PATH, {"nik": NIK, "file": []})
    assert caught.value.http_status == 400 and "wajib diisi" in caught.value.message


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retryable(service, status):
    service.fail_with = status
    with pytest.raises(BsreUnavailableError) as caught:
        _client(service).user_status(identity="nik", who=NIK)
    assert caught.value.retryable and caught.value.http_status == status


def test_a_wrong_client_service_account_is_retryable_and_names_the_setting(service):
    with pytest.raises(BsreUnavailableError) as caught:
        _client(service, password="bukan").user_status(identity="nik", who=NIK)
    assert caught.value.http_status == 401 and "PAKTA_BSRE_PASSWORD" in caught.value.message
    assert "bukan" not in caught.value.message


def test_slowness_beyond_the_timeout_is_retryable(service):
    service.delay = 1.0
    with pytest.raises(BsreUnavailableError) as caught:
        _client(service, timeout=0.2).user_status(identity="nik", who=NIK)
    assert "batas waktu" in caught.value.message


def test_nothing_listening_is_retryable():
    from signings.pdf.tsa_server import free_socket

    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    with pytest.raises(BsreUnavailableError):
        BsreClient(url, user=USER, password=PASSWORD, connect_timeout=1).user_status(
            identity="nik", who=NIK)


@pytest.mark.parametrize(("status", "can_sign", "words"), [
    ("ISSUE", True, ""),
    ("EXPIRED", False, "kedaluwarsa"),
    ("REVOKED", False, "dicabut"),
])
def test_user_status(service, status, can_sign, words):
    service.people[NIK].status = status
    answer = _client(service).user_status(identity="nik", who=NIK)
    assert answer.status == status and answer.can_sign is can_sign
    assert words in answer.refusal
    assert service.calls[-1] == (client_module.STATUS_PATH, {"nik": NIK})


def test_user_status_of_someone_not_registered(service):
    answer = _client(service).user_status(identity="email", who="siapa@contoh.go.id")
    assert answer.status == "NOT_REGISTERED" and answer.code == 2011
    assert "belum terdaftar" in answer.refusal


def test_a_sealed_code_bsre_no_longer_accepts_is_fetched_again(service):
    client = _client(service)
    args = {"properties": SignatureProperties(), "id_subscriber": SEAL_ID,
            "seal_totp": SEAL_ACTIVATION}
    client.seal_pdfs([_pdf()], **args)
    service.seal_codes.clear()  # BSrE issued the seal's code to another client meanwhile
    client.seal_pdfs([_pdf()], **args)
    assert service.paths().count("/api/v2/seal/get/totp") == 2


def test_verify(service):
    client = _client(service)
    sealed = client.seal_pdfs([_pdf()], properties=SignatureProperties(), id_subscriber=SEAL_ID,
                              seal_totp=SEAL_ACTIVATION)[0]
    result = client.verify_pdf(sealed)
    assert result.conclusion == "VALID" and result.signature_count == 1
    assert result.signatures[0]["fieldName"] == "Signature1"
    assert client.verify_pdf(_pdf()).conclusion == "NO_SIGNATURE"


def test_an_unreadable_file_is_refused_before_it_is_sent(service, settings):
    settings.PAKTA_BSRE_URL, settings.PAKTA_BSRE_USER = service.url, USER
    with pytest.raises(BsreRefusedError):
        bsre_seal.seal_pdf(b"%PDF-1.7 rusak", reason="", location="")
    assert service.calls == []


def test_a_returned_file_that_is_not_our_document_is_refused(service):
    client = _client(service)
    ours, other = _pdf(), _pdf() + b"\n% lain\n"
    sealed_other = client.seal_pdfs([other], properties=SignatureProperties(),
                                    id_subscriber=SEAL_ID, seal_totp=SEAL_ACTIVATION)[0]
    with pytest.raises(BsreRefusedError):
        bsre_seal.added_signature(ours, sealed_other)
    with pytest.raises(BsreRefusedError):
        bsre_seal.added_signature(ours, ours)
    tampered = bytearray(sealed_other)
    tampered[len(other) - 40] ^= 1
    with pytest.raises(BsreRefusedError):
        bsre_seal.added_signature(other, bytes(tampered))


def test_the_stand_in_checks_the_basic_auth_itself(service):
    import requests

    response = requests.post(service.url + client_module.STATUS_PATH, json={"nik": NIK},
                             timeout=5)
    assert response.status_code == 401
    assert set(response.json()) == {"timestamp", "status", "error", "path"}
