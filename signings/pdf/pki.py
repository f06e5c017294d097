"""The project's own small CA, for development, the demo and the tests only.

    root ("Pakta Dev Root CA")
      ├── seal certificate (the PAdES seal on every PDF; renewable)
      └── TSA certificate (the local RFC 3161 responder, signings/pdf/tsa_server.py)

Everything lives in one directory (settings.PAKTA_DEV_PKI_DIR, var/pki by default): PEM files for
the root and the TSA, and the root's CRL, re-issued when it gets old. Every certificate names the
CRL's URL on the local responder, so a validator can fetch it; the sealer also embeds it directly.
Production uses certificates from a CA the auditors trust and a real TSA (docs/operations.md).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_NAME = "Pakta Dev Root CA — not for production"
TSA_NAME = "Pakta Dev TSA — not for production"
DEV_SEAL_NAME = "Pakta development seal — not for production"
CRL_PATH = "/crl/root.crl"
TSA_PATH = "/tsa"
CRL_LIFETIME = datetime.timedelta(days=7)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pakta (development)"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ])


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=sign and not ca,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False)


def _write_private(path: Path, data: bytes) -> None:
    """Written under a temporary name and moved: two processes starting together never read
    half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temp, path)


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class DevPki:
    directory: Path

    @property
    def root_path(self) -> Path:
        return self.directory / "root.pem"

    def _load_cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.directory / name).read_bytes())

    def _load_key(self, name: str):
        return serialization.load_pem_private_key((self.directory / name).read_bytes(), None)

    def root(self) -> x509.Certificate:
        return self._load_cert("root.pem")

    def root_key(self):
        return self._load_key("root-key.pem")

    def tsa(self) -> x509.Certificate:
        return self._load_cert("tsa.pem")

    def tsa_key_info(self) -> asn1_keys.PrivateKeyInfo:
        der = self._load_key("tsa-key.pem").private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        return asn1_keys.PrivateKeyInfo.load(der)

    def crl_url(self) -> str:
        return (self.directory / "crl-url.txt").read_text().strip()

    def exists(self) -> bool:
        return all((self.directory / name).exists()
                   for name in ("root.pem", "root-key.pem", "tsa.pem", "tsa-key.pem",
                                "crl-url.txt"))

    def _issue(self, *, subject: str, public_key, not_before: datetime.datetime,
               not_after: datetime.datetime, extended_usage=None) -> x509.Certificate:
        root = self.root()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(root.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(sign=True, ca=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root.public_key()), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(self.crl_url())], relative_name=None,
                reasons=None, crl_issuer=None)]), critical=False)
        )
        if extended_usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage(extended_usage), critical=True)
        return builder.sign(self.root_key(), hashes.SHA256())

    def issue_seal_pkcs12(self, path: Path, passphrase: bytes | None, *,
                          subject: str = DEV_SEAL_NAME, valid_days: int = 730,
                          not_before: datetime.datetime | None = None) -> x509.Certificate:
        """A new seal key and certificate from this CA, written as PKCS#12 with the root in
        its chain (this is also how a renewal is rehearsed)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        start = not_before or _now() - datetime.timedelta(hours=1)
        cert = self._issue(subject=subject, public_key=key.public_key(), not_before=start,
                           not_after=start + datetime.timedelta(days=valid_days))
        encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                      else serialization.NoEncryption())
        data = pkcs12.serialize_key_and_certificates(b"pakta-seal", key, cert, [self.root()],
                                                     encryption)
        _write_private(path, data)
        return cert

    def crl(self) -> asn1_crl.CertificateList:
        """The root's (empty) CRL, re-issued when more than half its lifetime has passed."""
        path = self.directory / "root.crl"
        if path.exists():
            current = x509.load_der_x509_crl(path.read_bytes())
            if current.next_update_utc - _now() > CRL_LIFETIME / 2:
                return asn1_crl.CertificateList.load(path.read_bytes())
        root = self.root()
        now = _now()
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(root.subject)
            .last_update(now - datetime.timedelta(minutes=5))
            .next_update(now + CRL_LIFETIME)
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root.public_key()), critical=False)
            .sign(self.root_key(), hashes.SHA256())
        )
        der = crl.public_bytes(serialization.Encoding.DER)
        _write_private(path, der)
        return asn1_crl.CertificateList.load(der)


def ensure_dev_pki(directory: Path | str, *, base_url: str) -> DevPki:
    """Create the CA and the TSA certificate once; later calls return the existing ones.

    `base_url` is where the local responder listens (http://127.0.0.1:8011): the CRL's address
    printed in every certificate.
    """
    pki = DevPki(Path(directory))
    if pki.exists():
        return pki
    pki.directory.mkdir(parents=True, exist_ok=True)
    (pki.directory / "crl-url.txt").write_text(base_url.rstrip("/") + CRL_PATH + "\n")
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = _now()
    root = (
        x509.CertificateBuilder()
        .subject_name(_name(ROOT_NAME))
        .issuer_name(_name(ROOT_NAME))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 25))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=True, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    _write_private(pki.directory / "root-key.pem", _pem_key(root_key))
    (pki.directory / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = pki._issue(subject=TSA_NAME, public_key=tsa_key.public_key(),
                     not_before=now - datetime.timedelta(days=1),
                     not_after=now + datetime.timedelta(days=365 * 20),
                     extended_usage=[ExtendedKeyUsageOID.TIME_STAMPING])
    _write_private(pki.directory / "tsa-key.pem", _pem_key(tsa_key))
    (pki.directory / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    pki.crl()
    return pki
