"""What makes an archive checkable offline, years later: a signed manifest and what to check it
with, inside the ZIP (issue 10, item 6).

    pakta/…, rekap/…            the PDFs (PAdES B-LTA seals)
    manifest.csv                the spreadsheet list (archives.py)
    sertifikat/akar/*.pem       trust roots of the seal and TSA chains
    sertifikat/segel/*.pem      every registered seal certificate that sealed something inside
    sertifikat/perantara/*.pem  intermediate CA certificates, if any
    jejak-audit/*               the newest signed checkpoint of the agency's audit chain
    BACA-SAYA.txt               how to verify, with and without Pakta (Indonesian)
    verify_arsip.py             the standalone verifier (Python + pyHanko, no Django)
    SHA256SUMS                  for `sha256sum -c`
    manifest.json               every file above: SHA-256, size, kind; events, codes, roots
    manifest.json.p7s           detached CMS signature by the seal key
    manifest.json.tst           RFC 3161 token over manifest.json's SHA-256

The manifest, its signature and token use the format of the audit checkpoints
(signings/pdf/detached.py). A signature and a token are never the same twice, so a manifest,
once signed, is kept in storage under the hash of its content: rebuilding an archive whose
content has not changed gives back the same manifest, the same `generated_at` (the time this
content was first archived, which the token proves) and so the same ZIP, byte for byte.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from pyhanko.sign.general import extract_certificate_info

from signings.archive_zip import DeterministicZip, Entry, entry_time
from signings.models import SealCertificate
from signings.pdf import dates, detached, seal

logger = logging.getLogger(__name__)

FORMAT = "pakta-arsip/1"
MANIFEST = "manifest.json"
SIGNATURE = MANIFEST + ".p7s"
TOKEN = MANIFEST + ".tst"
SUMS = "SHA256SUMS"
README = "BACA-SAYA.txt"
VERIFIER = "verify_arsip.py"
STORE = "archives/manifests"
SIGNING_LOCK_KEY = 0x4D414E49  # "MANI": one signer per manifest content at a time (session lock)
HERE = Path(__file__).resolve().parent / "archive_verifier"


def content_time(job, signatures, events) -> datetime.datetime | None:
    """The newest archived moment (a signature, an event closing), in the agency's time zone:
    the timestamp of every ZIP entry, so it changes only with the content."""
    moments = [signatures.aggregate(last=Max("signed_at"))["last"],
               events.aggregate(last=Max("closed_at"))["last"]]
    moments = [m for m in moments if m is not None]
    if not moments:
        return None
    return dates.local(max(moments), job.agency.timezone)


def _fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _pem(certificate: asn1_x509.Certificate) -> bytes:
    return pem.armor("CERTIFICATE", certificate.dump())


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _seal_certificate_of(pdf: bytes) -> asn1_x509.Certificate | None:
    """Who sealed this PDF (None: no seal, or unreadable: the verifier says which).

    Read straight from the signature's /Contents, found by its /ByteRange (the bytes between
    the two signed ranges): pyHanko's reader takes ~100 ms per pact to tokenise the same hex
    string. Only picks which certificates to ship; the verifier validates with pyHanko and
    names any mismatch."""
    for match in _BYTE_RANGE.finditer(pdf):
        start, length, second, _rest = (int(group) for group in match.groups())
        contents = pdf[start + length:second].strip()
        if not (contents.startswith(b"<") and contents.endswith(b">")):
            continue
        try:
            signed = cms.ContentInfo.load(bytes.fromhex(contents[1:-1].decode("ascii")))
            signed = signed["content"]
            if signed["encap_content_info"]["content_type"].native != "data":
                continue  # a document timestamp (TSTInfo), not the seal
            return extract_certificate_info(signed).signer_cert
        except Exception:  # noqa: BLE001, S112 - damaged: the verifier reports the file
            continue
    return None


def canonical_json(payload: dict) -> bytes:
    """Sorted keys, indented for the human reading it, UTF-8: same payload, same bytes."""
    return (json.dumps(payload, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


@dataclass(frozen=True)
class SignedManifest:
    document: bytes
    signature: bytes
    token: bytes | None


def _read_stored(key: str) -> SignedManifest | None:
    name = f"{STORE}/{key}"
    if not default_storage.exists(name + ".json"):
        return None
    parts = {}
    for suffix in (".json", ".p7s", ".tst"):
        if default_storage.exists(name + suffix):
            with default_storage.open(name + suffix, "rb") as handle:
                parts[suffix] = handle.read()
    if ".p7s" not in parts:
        return None
    return SignedManifest(parts[".json"], parts[".p7s"], parts.get(".tst"))


@contextlib.contextmanager
def _signing(key: str) -> Iterator[None]:
    """Two workers archiving the same content at once (an auditor asking twice) would each
    sign and store the three files under the same names, and a later reader could get one's
    manifest with the other's signature. The second waits, then reads what the first stored."""
    if connection.vendor != "postgresql":
        yield
        return
    lock = (SIGNING_LOCK_KEY, int(key[:8], 16) - 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", lock)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", lock)


def sign_manifest(body: dict) -> SignedManifest:
    """The manifest for `body` with its generation time, signed and timestamped once per
    content (see the module docstring)."""
    key = hashlib.sha256(canonical_json(body)).hexdigest()
    with _signing(key):
        return _sign_once(key, body)


def _sign_once(key: str, body: dict) -> SignedManifest:
    stored = _read_stored(key)
    if stored is not None and (stored.token is not None or not settings.PAKTA_TSA_URL):
        return stored
    # What is there goes first: a manifest signed while no TSA was configured (now one is,
    # the timestamp is worth a new generation), or the files of an attempt that died before
    # its JSON. Storage never overwrites: a file left in place would send ours to another name.
    for suffix in (".json", ".p7s", ".tst"):
        default_storage.delete(f"{STORE}/{key}{suffix}")
    document = canonical_json({**body, "generated_at": timezone.now().isoformat(
        timespec="seconds")})
    signature = detached.sign(document)
    # Development without a TSA: signed but not timestamped; the verifier warns.
    token = detached.timestamp(document) if settings.PAKTA_TSA_URL else None
    name = f"{STORE}/{key}"
    # The JSON last: it is what _read_stored looks for first.
    if token is not None:
        default_storage.save(name + ".tst", ContentFile(token))
    default_storage.save(name + ".p7s", ContentFile(signature))
    default_storage.save(name + ".json", ContentFile(document))
    return SignedManifest(document, signature, token)


def _checkpoint_files(latest) -> tuple[list[tuple[str, bytes]], dict | None]:
    """The files of `latest` (the newest AuditCheckpoint of the agency's chain) for the ZIP,
    and its summary for the manifest (None and no files while there is no checkpoint)."""
    if latest is None:
        return [], None
    files = []
    base = f"jejak-audit/{latest.chain}-{latest.seq:012d}"
    for suffix in (".json", ".p7s", ".tst"):
        with default_storage.open(latest.storage_prefix + suffix, "rb") as handle:
            files.append((base + suffix, handle.read()))
    return files, {"chain": latest.chain, "seq": latest.seq, "head_hash": latest.head_hash,
                   "made_at": latest.made_at.isoformat(), "file": base + ".json"}


def _signer_fingerprint(signature: bytes) -> str | None:
    try:
        signed = cms.ContentInfo.load(signature)["content"]
        return _fingerprint(extract_certificate_info(signed).signer_cert.dump())
    except Exception:  # noqa: BLE001 - unreadable: the verifier reports it
        return None


def _trust_roots() -> list[asn1_x509.Certificate]:
    signer = seal.get_signer()
    roots = [cert for cert in signer.cert_registry if seal._self_signed(cert)]
    roots += seal.configured_trust_roots()
    return list({_fingerprint(c.dump()): c for c in roots}.values())


def _intermediates() -> list[asn1_x509.Certificate]:
    signer = seal.get_signer()
    current = signer.signing_cert.dump()
    return [cert for cert in signer.cert_registry
            if not seal._self_signed(cert) and cert.dump() != current]


def _event(event) -> dict:
    return {"id": event.pk, "title": event.title, "date": event.date.isoformat(),
            "agency": event.agency.name, "status": event.status,
            "closed_at": event.closed_at.isoformat() if event.closed_at else None}


class ArchiveWriter:
    """The archive's ZIP, with what each file is, for the manifest."""

    def __init__(self, out, *, job, moment: datetime.datetime | None):
        self.job = job
        self.zip = DeterministicZip(out, date_time=entry_time(moment))
        self.files: list[dict] = []
        self.sealers: set[str] = set()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:
            self.zip.abandon()

    def add(self, name: str, data: bytes, *, kind: str, **extra) -> Entry:
        entry = self.zip.add(name, data)
        self.files.append({"name": name, "sha256": entry.sha256, "size": entry.size,
                           "kind": kind, **extra})
        return entry

    def add_pdf(self, name: str, data: bytes, *, kind: str, **extra) -> Entry:
        sealer = _seal_certificate_of(data)
        if sealer is not None:
            self.sealers.add(_fingerprint(sealer.dump()))
        return self.add(name, data, kind=kind, sealed_by=_fingerprint(sealer.dump())
                        if sealer is not None else None, **extra)

    def _certificates(self) -> dict:
        roots = sorted(_trust_roots(), key=lambda c: _fingerprint(c.dump()))
        for cert in roots:
            self.add(f"sertifikat/akar/{_fingerprint(cert.dump())[:16]}.pem", _pem(cert),
                     kind="root")
        for cert in sorted(_intermediates(), key=lambda c: _fingerprint(c.dump())):
            self.add(f"sertifikat/perantara/{_fingerprint(cert.dump())[:16]}.pem", _pem(cert),
                     kind="intermediate")
        wanted = self.sealers | {_fingerprint(seal.seal_certificate().dump())}
        seals = []
        for row in SealCertificate.objects.filter(fingerprint__in=wanted).order_by("fingerprint"):
            cert = asn1_x509.Certificate.load(bytes(row.der))
            self.add(f"sertifikat/segel/{row.fingerprint[:16]}.pem", _pem(cert), kind="seal")
            seals.append({"fingerprint": row.fingerprint, "subject": row.subject,
                          "not_before": row.not_before.isoformat(),
                          "not_after": row.not_after.isoformat()})
        return {"trust_roots": [{"fingerprint": _fingerprint(c.dump()),
                                 "subject": c.subject.human_friendly} for c in roots],
                "seals": seals}

    def finish(self, *, events, checkpoint=None) -> SignedManifest:
        """Certificates, checkpoint, README, verifier, SHA256SUMS, then the signed manifest."""
        job = self.job
        files, checkpoint = _checkpoint_files(checkpoint)
        for name, data in files:
            if name.endswith(".p7s") and (signer := _signer_fingerprint(data)):
                self.sealers.add(signer)  # maybe a certificate from before a renewal
        certificates = self._certificates()
        for name, data in files:
            self.add(name, data, kind="audit-checkpoint")
        events = [_event(event) for event in events]
        self.add(README, readme(job=job, events=events, certificates=certificates,
                                checkpoint=checkpoint), kind="readme")
        self.add(VERIFIER, (HERE / VERIFIER).read_bytes(), kind="verifier")
        sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in self.files)
        self.add(SUMS, sums.encode(), kind="checksums")
        body = {
            "format": FORMAT,
            "installation": settings.PAKTA_PUBLIC_BASE_URL,
            "agency": {"id": job.agency_id, "code": job.agency.code, "name": job.agency.name},
            "scope": "event" if job.event_id else "agency",
            "events": events,
            "pacts": sum(1 for f in self.files if f["kind"] == "pact"),
            "certificates": certificates,
            "audit_checkpoint": checkpoint,
            "files": self.files,
        }
        signed = sign_manifest(body)
        self.zip.add(MANIFEST, signed.document)
        self.zip.add(SIGNATURE, signed.signature)
        if signed.token is not None:
            self.zip.add(TOKEN, signed.token)
        self.zip.close()
        return signed


def readme(*, job, events: list[dict], certificates: dict, checkpoint: dict | None) -> bytes:
    scope = (f"acara \"{events[0]['title']}\" ({events[0]['date']})" if job.event_id and events
             else f"seluruh acara {job.agency.name} dan unit di bawahnya")
    roots = "\n".join(f"    {root['fingerprint']}  {root['subject']}"
                      for root in certificates["trust_roots"]) or "    (tidak ada)"
    if checkpoint:
        anchored = (f"Titik periksa jejak audit: rantai {checkpoint['chain']}, entri ke-"
                    f"{checkpoint['seq']}, hash {checkpoint['head_hash']}.")
    else:
        anchored = "Arsip ini belum memuat titik periksa jejak audit."
    template = string.Template((HERE / "BACA-SAYA.txt").read_text(encoding="utf-8"))
    text = template.substitute(agency=job.agency.name, scope=scope, roots=roots,
                               checkpoint=anchored, installation=settings.PAKTA_PUBLIC_BASE_URL)
    return text.encode("utf-8")
