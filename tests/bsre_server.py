"""A local stand-in for BSrE's Esign Client Service (API v2), started by the tests.

It speaks the contract signings/pdf/bsre.py documents: basic auth, the v2 JSON endpoints, the
request fields each needs (a missing one is a 400 with ``{"error", "status_code"}``), the
refusal codes, Spring's error shape for 401 and 500, and signatures that are real PAdES made
with certificates of the test session's own CA (signings/pdf/pki.py): the agency seal and one
per registered person. It can be told to fail (`fail_with`) or to be slow (`delay`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import io
import logging
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import BasicAuth, web
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

from signings.pdf.pki import DevPki

logger = logging.getLogger(__name__)

USER = "esign"
PASSWORD = "rahasia-layanan"
SEAL_ID = "SEAL-UJI-01"
SEAL_ACTIVATION = "493817"


@dataclass
class Person:
    name: str
    passphrase: str
    signer: signers.SimpleSigner
    status: str = "ISSUE"
    totp: str = ""


@dataclass
class FakeBsre:
    pki: DevPki
    directory: Path
    url: str = ""
    delay: float = 0.0  # seconds before any answer
    fail_with: int | None = None  # 500 / 401 / 503: every call answers so
    people: dict[str, Person] = field(default_factory=dict)  # by NIK and by e-mail
    seal_codes: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # path, body
    seal_signer: signers.SimpleSigner | None = None

    def __post_init__(self) -> None:
        self.seal_signer = self._signer("seal", "Segel Elektronik Instansi Uji BSrE")

    def _signer(self, name: str, subject: str) -> signers.SimpleSigner:
        path = self.directory / f"{name}.p12"
        if not path.exists():
            self.pki.issue_seal_pkcs12(path, None, subject=subject)
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=None)
        assert loaded is not None
        return loaded

    def enrol(self, *, nik: str, email: str, name: str, passphrase: str, totp: str = "",
              status: str = "ISSUE") -> Person:
        person = Person(name=name, passphrase=passphrase, status=status, totp=totp,
                        signer=self._signer(f"person-{nik}-{name.replace(' ', '_')}", name))
        self.people[nik] = self.people[email] = person
        return person

    def reset(self) -> None:
        self.delay, self.fail_with = 0.0, None
        self.calls.clear()
        self.seal_codes.clear()

    def paths(self) -> list[str]:
        return [path for path, _body in self.calls]


def _spring_error(status: int, error: str, path: str) -> web.Response:
    return web.json_response({"timestamp": datetime.datetime.now(datetime.UTC).isoformat(),
                              "status": status, "error": error, "path": path}, status=status)


def _refuse(message: str, code: int) -> web.Response:
    return web.json_response({"error": message, "status_code": code}, status=400)


def _decode_files(body: dict[str, Any]) -> list[bytes] | None:
    files = body.get("file")
    if not isinstance(files, list) or not files:
        return None
    try:
        return [base64.b64decode(item, validate=True) for item in files]
    except (binascii.Error, TypeError, ValueError):
        return None


async def _sign(data: bytes, signer: signers.SimpleSigner, props: dict[str, Any]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # Named as the real service names its fields, never Pakta's own "PaktaSeal".
    existing = len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    meta = signers.PdfSignatureMetadata(
        field_name=f"Signature{existing + 1}", subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=props.get("reason") or None, location=props.get("location") or None)
    out = await signers.PdfSigner(meta, signer=signer).async_sign_pdf(writer)
    return out.getvalue()


def make_app(fake: FakeBsre) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        if fake.delay:
            await asyncio.sleep(fake.delay)
        header = request.headers.get("Authorization", "")
        try:
            auth = BasicAuth.decode(header)
        except ValueError:
            auth = None
        if fake.fail_with == 401 or auth is None or (auth.login, auth.password) != (USER,
                                                                                   PASSWORD):
            return _spring_error(401, "Unauthorized", path)
        if fake.fail_with:
            return _spring_error(fake.fail_with, "Internal Server Error", path)
        try:
            body = await request.json()
        except ValueError:
            return _spring_error(400, "Bad Request", path)
        if not isinstance(body, dict):
            return _spring_error(400, "Bad Request", path)
        fake.calls.append((path, body))
        handler = ROUTES[path]
        return await handler(fake, body)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    for path in ROUTES:
        app.router.add_post(path, handle)
    return app


async def _seal_totp(fake: FakeBsre, body: dict[str, Any]) -> web.Response:
    if not body.get("idSubscriber") or not body.get("totp"):
        return _refuse("Parameter idSubscriber dan totp wajib diisi", 2001)
    if body["idSubscriber"] != SEAL_ID or body["totp"] != SEAL_ACTIVATION:
        return web.json_response({"result": False, "message": "TOTP tidak valid"})
    code = f"{secrets.randbelow(10**6):06d}"
    fake.seal_codes.add(code)
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    return web.json_response({"result": True, "totp": code, "message": "berhasil",
                              "expires": expires.isoformat()})


async def _signed(files: list[bytes], signer, props_list) -> web.Response | list[str]:
    out = []
    for data, props in zip(files, props_list, strict=False):
        try:
            signed = await _sign(data, signer, props)
        except Exception:  # noqa: BLE001 - as the real service: an unreadable file is a 500
            logger.exception("The stand-in BSrE could not sign.")
            return _spring_error(500, "Internal Server Error", "")
        out.append(base64.b64encode(signed).decode("ascii"))
    return out


def _properties(body: dict[str, Any], count: int) -> list[dict[str, Any]] | None:
    props = body.get("signatureProperties")
    if not isinstance(props, list) or len(props) != count:
        return None
    if any(not isinstance(p, dict) or p.get("tampilan") not in ("VISIBLE", "INVISIBLE")
           for p in props):
        return None
    return props


async def _seal(fake: FakeBsre, body: dict[str, Any]) -> web.Response:
    files = _decode_files(body)
    if not body.get("idSubscriber") or not body.get("totp") or files is None:
        return _refuse("Parameter idSubscriber, totp dan file wajib diisi", 2001)
    props = _properties(body, len(files))
    if props is None:
        return _refuse("signatureProperties tidak valid", 2001)
    if body["idSubscriber"] != SEAL_ID or body["totp"] not in fake.seal_codes:
        return _refuse("TOTP segel tidak valid", 2031)
    started = datetime.datetime.now(datetime.UTC)
    signed = await _signed(files, fake.seal_signer, props)
    if isinstance(signed, web.Response):
        return signed
    elapsed = datetime.datetime.now(datetime.UTC) - started
    return web.json_response({"time": int(elapsed.total_seconds() * 1000), "file": signed})


async def _sign_pdf(fake: FakeBsre, body: dict[str, Any]) -> web.Response:
    who = body.get("nik") or body.get("email")
    secret = body.get("passphrase") or body.get("totp")
    files = _decode_files(body)
    if not who or not secret or files is None:
        return _refuse("Parameter nik/email, passphrase/totp dan file wajib diisi", 2001)
    props = _properties(body, len(files))
    if props is None:
        return _refuse("signatureProperties tidak valid", 2001)
    person = fake.people.get(who)
    if person is None:
        return _refuse("User tidak terdaftar", 2011)
    if person.status != "ISSUE":
        return _refuse("Sertifikat tidak aktif", 2021)
    if secret not in {person.passphrase, person.totp} - {""}:
        return _refuse("Passphrase anda salah", 2031)
    signed = await _signed(files, person.signer, props)
    if isinstance(signed, web.Response):
        return signed
    return web.json_response({"time": 1, "file": signed})


async def _status(fake: FakeBsre, body: dict[str, Any]) -> web.Response:
    who = body.get("nik") or body.get("email")
    if not who:
        return _refuse("Parameter nik atau email wajib diisi", 2001)
    person = fake.people.get(who)
    if person is None:
        return web.json_response({"status_code": 2011, "status": "NOT_REGISTERED",
                                  "message": "User tidak terdaftar"})
    codes = {"ISSUE": 1111, "NO_CERTIFICATE": 2021, "EXPIRED": 2021, "REVOKED": 2021}
    return web.json_response({"status_code": codes.get(person.status, 2021),
                              "status": person.status, "message": person.status})


async def _verify(fake: FakeBsre, body: dict[str, Any]) -> web.Response:
    files = body.get("file")
    try:
        data = base64.b64decode(files if isinstance(files, str) else "", validate=True)
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - as observed: an unreadable file is a 500
        return _spring_error(500, "Internal Server Error", "/api/v2/verify/pdf")
    infos = [{"fieldName": sig.field_name,
              "signerName": sig.signer_cert.subject.human_friendly,
              "integrityValid": True, "certificateTrusted": True,
              "signatureFormat": "PAdES-BASELINE-B"} for sig in signatures]
    return web.json_response({
        "signatureCount": len(infos), "signatureInformations": infos,
        "conclusion": "VALID" if infos else "NO_SIGNATURE", "description": ""})


ROUTES = {
    "/api/v2/seal/get/totp": _seal_totp,
    "/api/v2/seal/pdf": _seal,
    "/api/v2/sign/pdf": _sign_pdf,
    "/api/v2/user/check/status": _status,
    "/api/v2/verify/pdf": _verify,
}


def serve_in_thread(fake: FakeBsre, sock: socket.socket) -> Callable[[], None]:
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app(fake), access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, name="fake-bsre", daemon=True)
    thread.start()

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    return stop
