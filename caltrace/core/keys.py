"""The lab key (实验室密钥): signs ledger checkpoints and, later, certificates.

An ECDSA P-256 key and a self-signed X.509 certificate, made on first use under
``CALTRACE_DATA_DIR/keys``. A lab replaces them with its own CA-issued pair; it moves the old
certificate into ``keys/retired/`` so that what the old key signed still verifies.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import tempfile
import time

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

KEY_FILE = "lab-key.pem"
CERT_FILE = "lab-cert.pem"
RETIRED_DIR = "retired"


def _paths():
    d = settings.KEY_DIR
    return d / KEY_FILE, d / CERT_FILE


def ensure_lab_key(common_name: str = "caltrace demo laboratory") -> None:
    """Make the key pair once. Two processes starting together agree on one pair: the key file is
    created exclusively (and only its owner can read it, from the first byte), and only the
    process that created it writes the certificate, after the key is complete."""
    key_path, cert_path = _paths()
    if key_path.exists() and cert_path.exists():
        return
    key_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # another process makes the pair: wait for its certificate below
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        fd, tmp = tempfile.mkstemp(dir=key_path.parent, prefix=".cert-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_self_signed(key, common_name).public_bytes(serialization.Encoding.PEM))
        os.chmod(tmp, 0o644)
        os.replace(tmp, cert_path)  # appears whole, after the key
    for _ in range(200):
        if cert_path.exists():
            return
        time.sleep(0.025)
    raise RuntimeError(f"{key_path} has no certificate beside it ({cert_path})")


def _self_signed(key, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )


def private_key():
    ensure_lab_key()
    return serialization.load_pem_private_key(_paths()[0].read_bytes(), password=None)


def certificate() -> x509.Certificate:
    ensure_lab_key()
    return x509.load_pem_x509_certificate(_paths()[1].read_bytes())


def _fingerprint_of(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def fingerprint() -> str:
    return _fingerprint_of(certificate())


def certificates() -> dict[str, x509.Certificate]:
    """The current certificate and the retired ones, by fingerprint."""
    found = {}
    retired = settings.KEY_DIR / RETIRED_DIR
    if retired.is_dir():
        for path in sorted(retired.glob("*.pem")):
            cert = x509.load_pem_x509_certificate(path.read_bytes())
            found[_fingerprint_of(cert)] = cert
    current = certificate()
    found[_fingerprint_of(current)] = current
    return found


def sign(data: bytes) -> str:
    key = private_key()
    mine = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = certificate().public_key().public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        raise RuntimeError("the lab key and the lab certificate do not belong together")
    return base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def verify_signature(data: bytes, signature_b64: str, fingerprint: str | None = None, *, certs=None) -> bool:
    """True if ``signature_b64`` is a signature of ``data`` by the lab key (the one with
    ``fingerprint``, current or retired; the current one if no fingerprint is given).
    ``certs`` is :func:`certificates`, when the caller checks many signatures."""
    if fingerprint is None:
        cert = certificate()
    else:
        cert = (certs if certs is not None else certificates()).get(fingerprint)
        if cert is None:
            return False
    try:
        cert.public_key().verify(base64.b64decode(signature_b64, validate=True), data, ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError):
        return False
