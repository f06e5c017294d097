#!/usr/bin/env python3
"""Pemeriksa arsip Pakta: python verify_arsip.py arsip.zip [--akar akar.pem]

Standalone (shipped inside every archive): needs Python 3.10+ and pyHanko, no Django, no
database, no network. Checks, against the signed manifest.json:

- every file's SHA-256 and size, and that no file was added or removed;
- the manifest's detached CMS signature (manifest.json.p7s) by a shipped seal certificate that
  chains to a trust root, at the time of its RFC 3161 token (manifest.json.tst);
- every PDF's seal with pyHanko's validator against the trust root(s): PAdES B-LTA from the
  file alone (no fetching), by a shipped seal certificate, covering the whole file;
- the audit checkpoint's signature and token, if the archive has one.

Prints an Indonesian report naming every bad file; exit code 0 (intact) or 1.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import sys
import zipfile
from dataclasses import dataclass, field

from asn1crypto import cms, pem, tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.generic_cms import (
    async_validate_detached_cms,
    validate_tst_signed_data,
)
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

MANIFEST = "manifest.json"
SIGNATURE = MANIFEST + ".p7s"
TOKEN = MANIFEST + ".tst"
FORMAT = "pakta-arsip/1"
SEAL_FIELD = "PaktaSeal"
NOT_LISTED = {MANIFEST, SIGNATURE, TOKEN}  # the manifest cannot list itself


@dataclass
class Report:
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, what is wrong)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0
    pdfs_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad(self, name: str, message: str) -> None:
        self.problems.append((name, message))

    def bad_files(self) -> list[str]:
        return sorted({name for name, _message in self.problems})


def fingerprint(certificate: asn1_x509.Certificate) -> str:
    return hashlib.sha256(certificate.dump()).hexdigest()


def load_pems(data: bytes) -> list[asn1_x509.Certificate]:
    if not pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]


def _signed_data(der: bytes) -> cms.SignedData:
    info = cms.ContentInfo.load(der)
    if info["content_type"].native != "signed_data":
        raise ValueError("bukan CMS SignedData")
    signed = info["content"]
    signed.native  # noqa: B018 - parse everything now: a damaged file fails here
    return signed


@dataclass
class Trust:
    roots: list[asn1_x509.Certificate]
    intermediates: list[asn1_x509.Certificate]
    seals: dict[str, asn1_x509.Certificate]  # fingerprint -> registered seal certificate

    def context(self, moment=None) -> ValidationContext:
        # Offline: nothing is fetched. Revocation of the manifest's signer is taken as
        # unknown-is-acceptable; the PDFs carry their own revocation data (B-LTA).
        return ValidationContext(trust_roots=self.roots, other_certs=self.intermediates,
                                 allow_fetching=False, revocation_mode="soft-fail",
                                 moment=moment)

    def lta_spec(self) -> PdfSignatureValidationSpec:
        """Trust only the roots; revocation data required and taken only from the file."""
        policy = CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=self.roots),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
        )
        return PdfSignatureValidationSpec(SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
        ))


async def check_token(data: bytes, token: bytes, trust: Trust):
    """(time, problem): the token's time if it is a trusted timestamp of exactly `data`."""
    try:
        signed = _signed_data(token)
        tst_info = signed["encap_content_info"]["content"].parsed
        if not isinstance(tst_info, tsp.TSTInfo):
            return None, "cap waktu tidak terbaca"
        moment = tst_info["gen_time"].native
        status = TimestampSignatureStatus(**await validate_tst_signed_data(
            signed, trust.context(moment), lambda algo: hashlib.new(algo, data).digest()))
    except Exception as exc:  # noqa: BLE001 - unreadable or forged
        return None, f"cap waktu tidak terbaca ({type(exc).__name__})"
    if not (status.intact and status.valid):
        return moment, "cap waktu tidak cocok dengan isi berkas (berkas telah diubah)"
    if not status.trusted:
        return moment, "cap waktu dari TSA yang tidak berakar pada sertifikat akar"
    return moment, None


async def check_detached(name: str, data: bytes, proof: tuple[bytes, bytes | None],
                         trust: Trust, report: Report):
    """A detached CMS signature by a shipped seal certificate, valid at the time of the token
    over `data`; `proof` is (signature, token or None). Returns the token's time when
    everything holds, else None (problems named)."""
    signature, token = proof
    moment = problem = None
    if token is None:
        report.warnings.append((name, "tanpa cap waktu: waktu penandatanganan tidak terbukti"))
    else:
        moment, problem = await check_token(data, token, trust)
        if problem:
            report.bad(name, problem)
    try:
        signed = _signed_data(signature)
        status = await async_validate_detached_cms(data, signed,
                                                   signer_validation_context=trust.context(
                                                       moment))
    except Exception as exc:  # noqa: BLE001
        report.bad(name, f"tanda tangan tidak terbaca ({type(exc).__name__})")
        return None
    if not (status.intact and status.valid):
        report.bad(name, "tanda tangan tidak cocok dengan isi berkas (berkas telah diubah)")
        return None
    if fingerprint(status.signing_cert) not in trust.seals:
        report.bad(name, "ditandatangani oleh sertifikat yang bukan sertifikat segel arsip")
        return None
    if not status.trusted:
        report.bad(name, "sertifikat penanda tangan tidak berakar pada sertifikat akar "
                         "atau tidak berlaku pada waktu cap waktu")
        return None
    return None if problem else (moment or "tanpa cap waktu")


def _only_lta_updates_after(status) -> bool:
    """The seal covers the whole file, or only validation data (DSS) and document timestamps
    follow it: pyHanko's difference analysis classifies every later revision."""
    if status.coverage is None:
        return False
    if status.coverage.name == "ENTIRE_FILE":
        return True
    return (status.coverage.name == "ENTIRE_REVISION" and status.docmdp_ok is not False
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES)


async def check_pdf(name: str, data: bytes, item: dict, trust: Trust, report: Report) -> None:
    if item.get("sealed_by") is None and item.get("kind") != "pact":
        report.warnings.append((name, "PDF ini tidak disegel (hanya hash-nya yang diperiksa)"))
        return
    report.pdfs_checked += 1
    try:
        embedded = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        seals = [sig for sig in embedded if sig.field_name == SEAL_FIELD]
    except Exception:  # noqa: BLE001
        report.bad(name, "PDF tidak terbaca")
        return
    if len(seals) != 1:
        report.bad(name, "PDF tanpa segel Pakta")
        return
    signature = seals[0]
    try:
        sealer = fingerprint(signature.signer_cert)
        if sealer not in trust.seals or sealer != item.get("sealed_by"):
            report.bad(name, "disegel oleh sertifikat yang bukan sertifikat segel arsip")
            return
        if any(sig.sig_object_type == "/DocTimeStamp" for sig in embedded):
            result = await ades_lta_validation(signature, trust.lta_spec())
            status = result.api_status
            if status is None or not status.intact or not status.valid:
                report.bad(name, "segel tidak cocok dengan isi PDF (PDF telah diubah)")
            elif not _only_lta_updates_after(status):
                report.bad(name, "ada perubahan pada PDF setelah disegel")
            elif result.ades_subindic != AdESPassed.OK:
                report.bad(name, f"segel tidak sah menurut validator PAdES B-LTA "
                                 f"({result.ades_subindic.name}: {result.failure_msg or '-'})")
            return
        status = await async_validate_pdf_signature(signature, trust.context())
    except Exception as exc:  # noqa: BLE001
        report.bad(name, f"segel tidak dapat diperiksa ({type(exc).__name__}: {exc})")
        return
    if not (status.intact and status.valid):
        report.bad(name, "segel tidak cocok dengan isi PDF (PDF telah diubah)")
    elif not _only_lta_updates_after(status):
        report.bad(name, "ada perubahan pada PDF setelah disegel")
    elif not status.trusted:
        report.bad(name, "segel tanpa cap waktu dan sertifikatnya tidak dapat dipercaya saat ini")
    else:
        report.warnings.append((name, "segel tanpa cap waktu (PAdES B-B)"))


def _trust(archive: zipfile.ZipFile, names: set[str], roots_file: bytes | None,
           report: Report) -> Trust:
    def certs(prefix: str) -> list[asn1_x509.Certificate]:
        found = []
        for name in sorted(n for n in names if n.startswith(prefix) and n.endswith(".pem")):
            try:
                found += load_pems(archive.read(name))
            except Exception:  # noqa: BLE001
                report.bad(name, "sertifikat tidak terbaca")
        return found

    roots = load_pems(roots_file) if roots_file is not None else certs("sertifikat/akar/")
    seals = {fingerprint(cert): cert for cert in certs("sertifikat/segel/")}
    origin = "dari berkas --akar" if roots_file is not None else "dari dalam arsip"
    for root in roots:
        report.notes.append(f"Sertifikat akar ({origin}): {fingerprint(root)}  "
                            f"{root.subject.human_friendly}")
    return Trust(roots=roots, intermediates=certs("sertifikat/perantara/"), seals=seals)


def _check_files(archive: zipfile.ZipFile, manifest: dict, report: Report) -> None:
    names = {info.filename for info in archive.infolist() if not info.is_dir()}
    listed = {}
    for item in manifest.get("files", []):
        listed[item["name"]] = item
    for name in sorted(names - set(listed) - NOT_LISTED):
        report.bad(name, "berkas tambahan yang tidak tercantum di manifest")
    for name, item in sorted(listed.items()):
        report.files_checked += 1
        if name not in names:
            report.bad(name, "berkas tercantum di manifest tetapi tidak ada di arsip")
            continue
        data = archive.read(name)
        if hashlib.sha256(data).hexdigest() != item.get("sha256") or len(data) != item.get(
                "size"):
            report.bad(name, "isi berkas berbeda dari manifest (SHA-256 tidak cocok)")


async def _check_checkpoint(archive: zipfile.ZipFile, manifest: dict, trust: Trust,
                            report: Report) -> None:
    checkpoint = manifest.get("audit_checkpoint")
    if not checkpoint:
        report.notes.append("Titik periksa jejak audit: tidak ada di arsip ini.")
        return
    name = checkpoint["file"]
    base = name.removesuffix(".json")
    try:
        document = archive.read(name)
        signature = archive.read(base + ".p7s")
        token = archive.read(base + ".tst")
        payload = json.loads(document)
    except (KeyError, ValueError):
        report.bad(name, "titik periksa jejak audit tidak lengkap atau tidak terbaca")
        return
    if await check_detached(name, document, (signature, token), trust, report) is not None:
        report.notes.append(f"Titik periksa jejak audit sah: rantai {payload.get('chain')}, "
                            f"entri ke-{payload.get('seq')}, hash {payload.get('head_hash')}.")


async def verify(path: str, *, roots_file: bytes | None = None) -> Report:
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        report.bad(str(path), "bukan berkas ZIP yang utuh")
        return report
    with archive:
        names = {info.filename for info in archive.infolist()}
        if MANIFEST not in names or SIGNATURE not in names:
            report.bad(MANIFEST, "manifest atau tanda tangannya tidak ada di arsip")
            return report
        document = archive.read(MANIFEST)
        try:
            manifest = json.loads(document)
        except ValueError:
            report.bad(MANIFEST, "manifest tidak terbaca (bukan JSON)")
            manifest = {}
        if manifest and manifest.get("format") != FORMAT:
            report.warnings.append((MANIFEST, f"format tidak dikenal: {manifest.get('format')}"))
        trust = _trust(archive, names, roots_file, report)
        token = archive.read(TOKEN) if TOKEN in names else None
        moment = await check_detached(MANIFEST, document, (archive.read(SIGNATURE), token),
                                      trust, report)
        if moment is not None:
            report.notes.append(f"Manifest ditandatangani dan dicap waktu pada {moment}.")
        if not manifest:
            return report
        report.notes.append(f"Dibuat untuk: {manifest.get('agency', {}).get('name')}; "
                            f"{manifest.get('pacts')} pakta; dibuat pada "
                            f"{manifest.get('generated_at')}.")
        _check_files(archive, manifest, report)
        for item in manifest.get("files", []):
            if item["name"].lower().endswith(".pdf") and item["name"] in names:
                await check_pdf(item["name"], archive.read(item["name"]), item, trust, report)
        await _check_checkpoint(archive, manifest, trust, report)
    return report


def print_report(report: Report, out=sys.stdout) -> None:
    write = out.write
    write("Pemeriksaan arsip Pakta\n")
    for note in report.notes:
        write(f"  {note}\n")
    write(f"  Berkas diperiksa: {report.files_checked}; PDF diperiksa segelnya: "
          f"{report.pdfs_checked}.\n")
    for name, message in report.warnings:
        write(f"  PERINGATAN  {name}: {message}\n")
    if report.ok:
        write("ARSIP UTUH: semua berkas cocok dengan manifest yang ditandatangani, "
              "dan semua segel sah.\n")
        return
    write(f"ARSIP TIDAK UTUH: {len(report.bad_files())} berkas bermasalah.\n")
    for name, message in report.problems:
        write(f"  RUSAK  {name}: {message}\n")


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(description="Memeriksa arsip Pakta tanpa server.")
    parser.add_argument("arsip", help="berkas ZIP arsip Pakta")
    parser.add_argument("--akar", help="sertifikat akar tepercaya (PEM) dari sumber lain, "
                                       "menggantikan yang ada di dalam arsip")
    args = parser.parse_args(argv)
    roots = None
    if args.akar:
        with open(args.akar, "rb") as handle:
            roots = handle.read()
    report = asyncio.run(verify(args.arsip, roots_file=roots))
    print_report(report, out)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
