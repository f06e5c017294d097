"""The request-size guard: an oversized body is refused before anything reads it.

signings/request_limits.py holds the limits per URL; signings/middleware.py refuses from the
declared Content-Length (nothing read) or, for a body sent without a length, stops reading one
byte past the limit. The bodies here are fake `wsgi.input` streams that count what is read.
"""

from __future__ import annotations

import socket
import threading
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from signings import request_limits
from signings.models import Employee
from signings.request_limits import limit_for
from signings.services import verification
from tests import factories
from tests.servers import gunicorn

MIB = 1024 * 1024


class CountingInput:
    """A request body of `size` bytes made on demand (never held in memory), counting reads.
    `allowed` bytes may be read; reading past them fails the request, as it fails the test."""

    def __init__(self, size: int, *, allowed: int, content: bytes = b""):
        self.size = size
        self.allowed = allowed
        self.content = content
        self.read_bytes = 0
        self._block = b"x" * 65536

    def read(self, size: int = -1) -> bytes:
        remaining = self.size - self.read_bytes
        wanted = remaining if size is None or size < 0 else min(size, remaining)
        if self.read_bytes + wanted > self.allowed:
            raise AssertionError(f"the body was read past {self.allowed} bytes")
        start = self.read_bytes
        self.read_bytes += wanted
        if start < len(self.content):
            return self.content[start:start + wanted]
        return self._block[:min(wanted, len(self._block))] if wanted else b""

    readline = read


def post_declared(client, url: str, size: int, *, content_type: str = MULTIPART_CONTENT,
                  **headers):
    """POST that declares `size` bytes in Content-Length and fails if any of it is read."""
    body = CountingInput(size, allowed=0)
    # Client.generic sets the body's headers only for a body it holds itself.
    response = client.generic("POST", url, b"", CONTENT_TYPE=content_type,
                              CONTENT_LENGTH=str(size), **{"wsgi.input": body}, **headers)
    return response, body


def post_chunked(client, url: str, body: CountingInput, **headers):
    """POST without a length, as a chunked upload reaches Django through gunicorn."""
    return client.generic("POST", url, b"", CONTENT_TYPE=MULTIPART_CONTENT, CONTENT_LENGTH="",
                          HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": body}, **headers)


@pytest.mark.django_db
def test_a_60_mb_roster_is_refused_before_a_byte_of_it_is_read(officer):
    response, body = post_declared(officer, reverse("hr:import_upload"), 60 * MIB)
    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "Berkas terlalu besar" in page
    assert "60,0 MB" in page and "24,1 MB" in page  # what was sent, what the page accepts
    assert "tidak ada yang tersimpan" in page
    assert f'href="{reverse("hr:import_upload")}"' in page  # back to the upload form
    assert not Employee.objects.exists()


@pytest.mark.django_db
def test_the_public_upload_is_refused_before_the_csrf_check_reads_it(client, open_event,
                                                                     employee_a, hr_a):
    signature = factories.signature(open_event, employee_a, officer=hr_a)
    strict = Client(enforce_csrf_checks=True)  # no token: CSRF would read the body, then 403
    url = reverse("verify:signature", args=[signature.verification_code])
    response, body = post_declared(strict, url, 60 * MIB)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_page_follows_the_language_menu(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, _body = post_declared(client, reverse("verify:home"), 60 * MIB)
    assert response.status_code == 413
    assert "File too large" in response.content.decode()


def test_the_kiosk_api_answers_json_with_its_code(client, settings):
    size = request_limits.max_submission_bytes() + 1
    response, body = post_declared(client, reverse("kiosk:api:submit"), size,
                                   content_type="application/json")
    assert response.status_code == 413 and body.read_bytes == 0
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "request.too_large", "message": "Kiriman terlalu besar.",
        "detail": {"max_bytes": request_limits.max_submission_bytes()},
    }


def test_other_kiosk_calls_take_a_small_body_only(client):
    response, body = post_declared(client, reverse("kiosk:api:pair"),
                                   request_limits.API_MAX_BYTES + 1,
                                   content_type="application/json")
    assert response.status_code == 413 and body.read_bytes == 0
    assert response.json()["code"] == "request.too_large"


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("hr:import_upload", [], lambda s: s.PAKTA_IMPORT_MAX_BYTES + 64 * 1024),
    ("hr:record_paper", [1, 2], lambda s: s.PAKTA_PAPER_SCAN_MAX_BYTES + 64 * 1024),
    ("hr:record_sign", [1, 2], lambda s: request_limits.max_submission_bytes()),
    ("hr:template_create", [], lambda s: 256 * 1024),
    ("hr:template_edit", [1], lambda s: 256 * 1024),
    ("hr:event_expected", [1], lambda s: s.DATA_UPLOAD_MAX_MEMORY_SIZE),
    ("verify:signature", ["ABCDEFGHJKLM"], lambda s: verification.MAX_UPLOAD_BYTES + 64 * 1024),
    ("kiosk:api:submit", [], lambda s: s.PAKTA_SIGNATURE_MAX_BYTES * 4 // 3 + 512 * 1024),
    ("kiosk:api:identity", [], lambda s: 64 * 1024),
    ("hr:employee_create", [], lambda s: 1024 * 1024),
    ("login", [], lambda s: 1024 * 1024),
])
def test_each_url_has_its_limit(settings, name, args, expected):
    limit = limit_for(reverse(name, args=args))
    assert limit.max_bytes == expected(settings)
    assert limit.api is name.startswith("kiosk:api:")


def test_limits_follow_the_settings(settings):
    settings.PAKTA_IMPORT_MAX_BYTES = 1000
    assert limit_for(reverse("hr:import_upload")).max_bytes == 1000 + 64 * 1024


@pytest.mark.django_db
def test_a_body_at_the_limit_goes_through_to_the_form(officer, settings):
    """The guard refuses only above the limit; the form still says what is wrong."""
    settings.PAKTA_IMPORT_MAX_BYTES = 100
    data = encode_multipart(BOUNDARY, {
        "file": SimpleUploadedFile("x.csv", b"NIP\r\n" + b"1" * 200)})
    response = officer.generic("POST", reverse("hr:import_upload"), data,
                               content_type=MULTIPART_CONTENT)
    assert response.status_code == 200
    assert "Berkas terlalu besar" in str(response.context["form"].errors)


@pytest.mark.django_db
def test_a_chunked_upload_is_cut_off_at_the_limit_with_memory_flat(officer):
    url = reverse("hr:import_upload")
    limit = limit_for(url).max_bytes
    post_chunked(officer, url, CountingInput(2 * limit, allowed=limit + 1))  # templates warm
    body = CountingInput(200 * MIB, allowed=limit + 1)
    tracemalloc.start()
    try:
        response = post_chunked(officer, url, body)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.content.decode()
    assert body.read_bytes == limit + 1  # one byte past the limit, then it stopped
    print(f"peak Python memory for a 200 MB chunked upload: {peak / 1024:.0f} KiB")
    assert peak < 3 * MIB  # the upload is 200 MB; the limit, spooled past 512 KiB to disk, 5 MB


class BrokenInput:
    def read(self, size: int = -1) -> bytes:
        raise OSError("the client went away")

    readline = read


def test_a_chunked_body_that_breaks_off_is_a_bad_request_not_an_error(client):
    response = post_chunked(client, reverse("verify:home"), BrokenInput())
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_chunked_upload_within_the_limit_is_read_as_usual(officer, agency_a):
    nip = factories.pns_nip(7)
    csv = (f"NIP;NIK;Nomor Pegawai;Nama;Gelar Depan;Gelar Belakang;Kategori;Jabatan;Golongan;"
           f"Eselon;Kode Unit;Aktif\r\n{nip};;;Budi;;;PNS;Analis;III/a;;;ya\r\n").encode()
    data = encode_multipart(BOUNDARY, {"agency": agency_a.pk,
                                       "file": SimpleUploadedFile("pegawai.csv", csv)})
    response = post_chunked(officer, reverse("hr:import_upload"),
                            CountingInput(len(data), allowed=len(data), content=data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.startswith("/sdm/impor/")


@pytest.fixture(scope="module")
def real_server(tmp_path_factory, django_db_setup):
    """One gunicorn worker, as production runs the app (tests/servers.py)."""
    with gunicorn(tmp_path_factory.mktemp("gunicorn"), workers=1) as server:
        yield server


def test_a_real_server_answers_413_before_the_body_is_sent(real_server):
    """Headers only, declaring 60 MB: gunicorn answers, and the body was never sent."""
    for path, expected in [("/v/ABCDEFGHJKLM/", b"Berkas terlalu besar"),
                           ("/api/kios/v1/signatures", b'"code": "request.too_large"')]:
        with socket.create_connection((real_server.host, real_server.port), timeout=30) as conn:
            conn.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: {MULTIPART_CONTENT}\r\n"
                f"Content-Length: {60 * MIB}\r\n\r\n".encode()
            )
            answer = _read_until_closed(conn)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert expected in answer


def test_a_real_server_cuts_a_chunked_upload_off_at_the_limit(real_server):
    """No length declared: gunicorn hands the body over as it arrives; the guard stops reading
    past the limit, answers 413 and the connection closes long before 60 MB are sent."""
    total = 60 * MIB
    sent = 0

    def send_chunks(conn: socket.socket) -> None:
        nonlocal sent
        block = b"x" * 65536
        framed = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        try:
            while sent < total:
                conn.sendall(framed)
                sent += len(block)
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: what this test wants

    with socket.create_connection((real_server.host, real_server.port), timeout=60) as conn:
        conn.sendall(f"POST /v/ABCDEFGHJKLM/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Content-Type: {MULTIPART_CONTENT}\r\n"
                     f"Transfer-Encoding: chunked\r\n\r\n".encode())
        sender = threading.Thread(target=send_chunks, args=(conn,))
        sender.start()
        answer = _read_until_closed(conn)
        sender.join(timeout=60)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"Berkas terlalu besar" in answer
    print(f"chunked upload: {sent / MIB:.1f} MiB of {total / MIB:.0f} MiB sent before the "
          "server closed")
    assert sent < total / 2


def _read_until_closed(conn: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass  # after the answer: the server dropped what it did not read
    return b"".join(chunks)
