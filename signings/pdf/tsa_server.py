"""Local RFC 3161 time-stamp responder and CRL server of the development CA (pdf/pki.py).

Development, the demo and the tests only: `manage.py pakta_tsa` (started by bin/run) or
`serve_in_thread()` (the test session). POST /tsa answers a TimeStampReq with a token signed by
the dev TSA certificate (pyHanko's DummyTimeStamper does the RFC 3161 work, with the real clock);
GET /crl/root.crl serves the root's current CRL. Production points PAKTA_TSA_URL at a real TSA.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import socket
import threading
from collections.abc import Callable

from aiohttp import web
from asn1crypto import cms, core, tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signings.pdf.pki import CRL_PATH, TSA_PATH, DevPki, to_asn1

logger = logging.getLogger(__name__)


class _LoadedKeyTimeStamper(DummyTimeStamper):
    """DummyTimeStamper re-parses its RSA key for every token (~150 ms with current
    `cryptography`, twice per seal): parse it once and sign the token's attributes here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pyca_key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime.datetime):
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._pyca_key.sign(signed_attrs.dump(), PKCS1v15(),
                                        get_pyca_cryptography_hash(md_algorithm))
        return signature, signed_attrs


def make_app(pki: DevPki) -> web.Application:
    stamper = _LoadedKeyTimeStamper(tsa_cert=to_asn1(pki.tsa()), tsa_key=pki.tsa_key_info(),
                                    certs_to_embed=[to_asn1(pki.root())])

    async def timestamp(request: web.Request) -> web.Response:
        try:
            req = tsp.TimeStampReq.load(await request.read())
            req.native  # noqa: B018 - parse everything now: a malformed request is a 400
        except Exception:  # noqa: BLE001
            return web.Response(status=400, text="malformed TimeStampReq")
        response = stamper.request_tsa_response(req)
        return web.Response(body=response.dump(), content_type="application/timestamp-reply")

    async def crl(request: web.Request) -> web.Response:
        return web.Response(body=pki.crl().dump(), content_type="application/pkix-crl")

    app = web.Application(client_max_size=64 * 1024)
    app.router.add_post(TSA_PATH, timestamp)
    app.router.add_get(CRL_PATH, crl)
    return app


def free_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening socket on a free port, bound before the certificates that name it are made."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(64)
    return sock


def serve_in_thread(pki: DevPki, sock: socket.socket) -> Callable[[], None]:
    """Serve on `sock` from a daemon thread with its own event loop; returns a stop function."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app(pki), access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, name="pakta-tsa", daemon=True)
    thread.start()

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    return stop


def run(pki: DevPki, host: str, port: int) -> None:
    logger.info("Local TSA at http://%s:%s%s (CRL at %s)", host, port, TSA_PATH, CRL_PATH)
    web.run_app(make_app(pki), host=host, port=port, print=None, access_log=None)
