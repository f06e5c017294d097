"""Client of BSrE's Esign Client Service (BSSN), API v2: the agency's electronic seal and a
person's certified signature on a PDF.

The contract, as far as it is public (no Python client exists; BSrE gives the full "Petunjuk
Teknis Penggunaan API Esign Client Service" v2.0, January 2024, to enrolled agencies):

- Every call is a JSON POST with HTTP basic auth (the client service's own account, made by the
  agency's administrator when installing it). A wrong account answers 401 with Spring's
  ``{"timestamp", "status", "error", "path"}``; an internal failure 500 with the same shape.
- ``/api/v2/seal/get/totp`` ``{"idSubscriber", "totp", "data": 1}`` → ``{"result", "totp",
  "expires", "message"}``: a fresh one-time code for the agency seal, from its current one.
- ``/api/v2/seal/pdf`` ``{"idSubscriber", "totp", "signatureProperties": [...], "file":
  [base64, ...]}`` → ``{"time": ms, "file": [base64, ...]}``.
- ``/api/v2/sign/pdf`` ``{"nik" | "email", "passphrase" | "totp", "signatureProperties":
  [...], "file": [...]}`` → ``{"time", "file"}``; a refusal is 400 ``{"error", "status_code"}``
  (2031 wrong passphrase, 2011 user not registered, 2021 no certificate).
- ``signatureProperties`` items: ``tampilan`` ``INVISIBLE`` or ``VISIBLE`` (then
  ``imageBase64``, ``page``, ``originX``/``originY``, ``width``/``height``), ``location``,
  ``reason``, ``contactInfo``.
- ``/api/v2/user/check/status`` ``{"nik" | "email"}`` → 200 ``{"status_code", "message",
  "status"}``, status ``ISSUE`` (can sign), ``NOT_REGISTERED`` (2011), ``NO_CERTIFICATE``
  (2021), ``EXPIRED``, ``REVOKED``.
- ``/api/v2/verify/pdf`` ``{"file"}`` → ``{"signatureCount", "conclusion", "description",
  "signatureInformations": [...]}``.

Sources read (shapes only, no code taken): the juknis's table of contents (scribd copy); the
request/response observations in public integrations on GitHub, notably
taufiqurrohmansuwarto/rumahASN utils/esign-utils.js (seal TOTP then seal) and a "Phase 1
Sandbox Contract Proof" report of a PHP integration (live 401 shape, status codes 2011/2021,
``{time, file[]}`` response, verify keys, HTTP 500 on an invalid file). The refusal codes for
an expired certificate and an invalid document are not public: they are classified by HTTP
status (4xx refused, 5xx or no answer unavailable) and named by the message BSrE sends.

Secrets (the basic-auth password, the seal TOTP, a person's passphrase or TOTP) are sent and
forgotten: never logged, never in an exception's text.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

SEAL_TOTP_PATH = "/api/v2/seal/get/totp"
SEAL_PATH = "/api/v2/seal/pdf"
SIGN_PATH = "/api/v2/sign/pdf"
VERIFY_PATH = "/api/v2/verify/pdf"
STATUS_PATH = "/api/v2/user/check/status"

CODE_WRONG_PASSPHRASE = 2031
CODE_NOT_REGISTERED = 2011
CODE_NO_CERTIFICATE = 2021

# What an officer reads, by BSrE's code or user status.
_REFUSALS = {
    CODE_WRONG_PASSPHRASE: _("Passphrase atau kode TOTP salah."),
    CODE_NOT_REGISTERED: _("NIK atau e-mail ini belum terdaftar di BSrE."),
    CODE_NO_CERTIFICATE: _("Pengguna ini belum memiliki sertifikat elektronik BSrE yang aktif."),
}
_STATUS_REFUSALS = {
    "NOT_REGISTERED": _REFUSALS[CODE_NOT_REGISTERED],
    "NO_CERTIFICATE": _REFUSALS[CODE_NO_CERTIFICATE],
    "EXPIRED": _("Sertifikat elektronik BSrE pengguna ini sudah kedaluwarsa."),
    "REVOKED": _("Sertifikat elektronik BSrE pengguna ini sudah dicabut."),
}


class BsreError(Exception):
    """Anything that kept BSrE from signing; `message` is for officers (Indonesian)."""

    retryable = False

    def __init__(self, message: Any, *, code: int | None = None, http_status: int | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.http_status = http_status


class BsreUnavailableError(BsreError):
    """No answer, too slow, a server error or a client-service account it does not accept:
    nothing wrong with the document or the person; try again later."""

    retryable = True


class BsreRefusedError(BsreError):
    """BSrE answered no: wrong passphrase, not registered, no valid certificate, a document it
    will not sign. Trying again with the same input gives the same answer."""


class BsreConfigurationError(BsreError):
    """PAKTA_BSRE_* settings missing: docs/bsre.md."""


Identity = Literal["nik", "email"]


@dataclass(frozen=True)
class SignatureProperties:
    """One ``signatureProperties`` item: invisible unless an image and a box are given."""

    reason: str = ""
    location: str = ""
    contact_info: str = ""
    image_png: bytes | None = None
    page: int = 1
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, width, height

    def payload(self) -> dict[str, Any]:
        item: dict[str, Any] = {"tampilan": "INVISIBLE", "location": self.location,
                                "reason": self.reason, "contactInfo": self.contact_info}
        if self.image_png is not None:
            x, y, width, height = self.box
            item.update({"tampilan": "VISIBLE",
                         "imageBase64": base64.b64encode(self.image_png).decode("ascii"),
                         "page": self.page, "originX": x, "originY": y, "width": width,
                         "height": height})
        return item


@dataclass(frozen=True)
class Signer:
    """Who signs and what unlocks their certificate; repr never shows the secrets."""

    identity: Identity
    who: str = field(repr=False)
    passphrase: str = field(default="", repr=False)
    totp: str = field(default="", repr=False)


@dataclass(frozen=True)
class UserStatus:
    status: str  # ISSUE, NOT_REGISTERED, NO_CERTIFICATE, EXPIRED, REVOKED, ...
    message: str
    code: int | None = None

    @property
    def can_sign(self) -> bool:
        return self.status == "ISSUE"

    @property
    def refusal(self) -> str:
        return str(_STATUS_REFUSALS.get(self.status, self.message))


@dataclass(frozen=True)
class VerifyResult:
    conclusion: str
    signature_count: int
    signatures: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _SealCode:
    totp: str
    expires: datetime.datetime


class BsreClient:
    """One Esign Client Service. Thread-safe; keep one per process (`client()`)."""

    def __init__(self, base_url: str, *, user: str, password: str,
                 connect_timeout: float = 5, timeout: float = 60):
        self.base_url = base_url.rstrip("/")
        self._auth = (user, password)
        self._timeouts = (connect_timeout, timeout)
        self._session = requests.Session()
        self._seal_lock = threading.Lock()
        self._seal_code: _SealCode | None = None

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._session.post(self.base_url + path, json=payload, auth=self._auth,
                                          timeout=self._timeouts)
        except requests.Timeout:
            raise BsreUnavailableError(_("BSrE tidak menjawab dalam batas waktu.")) from None
        except requests.RequestException:
            raise BsreUnavailableError(_("BSrE tidak dapat dihubungi.")) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if status == 401:
            raise BsreUnavailableError(_("Akun layanan Esign Client ditolak (periksa "
                                         "PAKTA_BSRE_USER dan PAKTA_BSRE_PASSWORD)."),
                                       http_status=status)
        if status >= 500 or status == 429:
            raise BsreUnavailableError(_("BSrE sedang gangguan; dicoba lagi nanti."),
                                  http_status=status)
        if not isinstance(body, dict):
            raise BsreUnavailableError(_("Jawaban BSrE tidak dapat dibaca."), http_status=status)
        if status >= 400 or "error" in body:
            raise _refusal(body, status)
        return body

    def seal_pdfs(self, files: list[bytes], *, properties: SignatureProperties,
                  id_subscriber: str, seal_totp: str) -> list[bytes]:
        """The agency's electronic seal on each file; a fresh seal code is fetched when the
        last one expired."""
        for attempt in (1, 2):
            totp = self._fresh_seal_code(id_subscriber, seal_totp)
            try:
                body = self._post(SEAL_PATH, {
                    "idSubscriber": id_subscriber, "totp": totp,
                    "signatureProperties": [properties.payload() for _ in files],
                    "file": [_b64(data) for data in files],
                })
            except BsreRefusedError as error:
                # A kept code BSrE no longer accepts (reissued elsewhere): once more, fresh.
                if error.code != CODE_WRONG_PASSPHRASE or attempt == 2:
                    raise
                self.forget_seal_code()
                continue
            return _files(body, len(files))
        raise AssertionError("unreachable")

    def forget_seal_code(self) -> None:
        with self._seal_lock:
            self._seal_code = None

    def seal_code(self, id_subscriber: str, seal_totp: str) -> str:
        """A seal code valid for a while (the kept one, or a fresh one from BSrE)."""
        return self._fresh_seal_code(id_subscriber, seal_totp)

    def _fresh_seal_code(self, id_subscriber: str, seal_totp: str) -> str:
        with self._seal_lock:
            now = datetime.datetime.now(datetime.UTC)
            if self._seal_code is not None and self._seal_code.expires > now:
                return self._seal_code.totp
            body = self._post(SEAL_TOTP_PATH, {"idSubscriber": id_subscriber, "totp": seal_totp,
                                               "data": 1})
            if body.get("result") is not True or not isinstance(body.get("totp"), str):
                raise BsreRefusedError(_("BSrE tidak memberikan kode segel: periksa "
                                    "PAKTA_BSRE_SEAL_ID dan PAKTA_BSRE_SEAL_TOTP."))
            expires = _parse_time(body.get("expires")) or now + datetime.timedelta(minutes=1)
            # A code about to expire is not used: the seal request itself takes time.
            self._seal_code = _SealCode(body["totp"], expires - datetime.timedelta(seconds=15))
            return body["totp"]

    def sign_pdfs(self, files: list[bytes], *, signer: Signer,
                  properties: SignatureProperties) -> list[bytes]:
        """A person's certified signature: NIK or e-mail, with the passphrase or the TOTP from
        their BSrE app. Both go to BSrE and nowhere else."""
        if bool(signer.passphrase) == bool(signer.totp):
            raise BsreRefusedError(_("Isi passphrase atau kode TOTP (salah satu)."))
        payload: dict[str, Any] = {signer.identity: signer.who}
        if signer.passphrase:
            payload["passphrase"] = signer.passphrase
        else:
            payload["totp"] = signer.totp
        payload["signatureProperties"] = [properties.payload() for _ in files]
        payload["file"] = [_b64(data) for data in files]
        return _files(self._post(SIGN_PATH, payload), len(files))

    def user_status(self, *, identity: Identity, who: str) -> UserStatus:
        body = self._post(STATUS_PATH, {identity: who})
        return UserStatus(status=str(body.get("status", "")), message=str(body.get("message", "")),
                          code=_int(body.get("status_code")))

    def verify_pdf(self, data: bytes) -> VerifyResult:
        body = self._post(VERIFY_PATH, {"file": _b64(data)})
        infos = body.get("signatureInformations") or []
        return VerifyResult(conclusion=str(body.get("conclusion", "")),
                            signature_count=_int(body.get("signatureCount")) or 0,
                            signatures=[info for info in infos if isinstance(info, dict)])


def _refusal(body: dict[str, Any], status: int) -> BsreRefusedError:
    code = _int(body.get("status_code"))
    text = body.get("error") or body.get("message") or ""
    message = _REFUSALS.get(code) if code is not None else None
    if message is None:
        message = _("BSrE menolak dokumen ini: %(reason)s") % {"reason": str(text)[:200]}
    return BsreRefusedError(message, code=code, http_status=status)


def _files(body: dict[str, Any], expected: int) -> list[bytes]:
    files = body.get("file")
    if not isinstance(files, list) or len(files) != expected:
        raise BsreUnavailableError(_("Jawaban BSrE tidak memuat berkas yang ditandatangani."))
    out = []
    for item in files:
        try:
            out.append(base64.b64decode(item, validate=True))
        except (binascii.Error, TypeError, ValueError):
            raise BsreUnavailableError(
                _("Jawaban BSrE tidak memuat berkas yang ditandatangani.")) from None
    return out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse_time(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


_clients: dict[tuple, BsreClient] = {}
_clients_lock = threading.Lock()


def client() -> BsreClient:
    """The client of the configured service (one per settings, so tests can point elsewhere)."""
    if not (settings.PAKTA_BSRE_URL and settings.PAKTA_BSRE_USER):
        raise BsreConfigurationError(_("PAKTA_BSRE_URL dan PAKTA_BSRE_USER belum diisi "
                                       "(docs/bsre.md)."))
    key = (settings.PAKTA_BSRE_URL, settings.PAKTA_BSRE_USER, settings.PAKTA_BSRE_PASSWORD,
           settings.PAKTA_BSRE_CONNECT_TIMEOUT, settings.PAKTA_BSRE_TIMEOUT)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = BsreClient(
                settings.PAKTA_BSRE_URL, user=settings.PAKTA_BSRE_USER,
                password=settings.PAKTA_BSRE_PASSWORD,
                connect_timeout=settings.PAKTA_BSRE_CONNECT_TIMEOUT,
                timeout=settings.PAKTA_BSRE_TIMEOUT)
        return _clients[key]


def forget_clients() -> None:
    """Drop the kept clients and their seal codes (settings changed: tests, `bsre_check`)."""
    with _clients_lock:
        _clients.clear()
