"""The lab key (实验室密钥): signs ledger checkpoints and, later, certificates.

An ECDSA P-256 key and a self-signed X.509 certificate, made on first use under
``CALTRACE_DATA_DIR/keys``. A lab replaces them with its own CA-issued pair.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

KEY_FILE = "lab-key.pem"
CERT_FILE = "lab-cert.pem"


def _paths():
    d = settings.KEY_DIR
    return d / KEY_FILE, d / CERT_FILE


def ensure_lab_key(common_name: str = "caltrace demo laboratory") -> None:
    key_path, cert_path = _paths()
    if key_path.exists() and cert_path.exists():
        return
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def private_key():
    ensure_lab_key()
    return serialization.load_pem_private_key(_paths()[0].read_bytes(), password=None)


def certificate() -> x509.Certificate:
    ensure_lab_key()
    return x509.load_pem_x509_certificate(_paths()[1].read_bytes())


def fingerprint() -> str:
    return hashlib.sha256(certificate().public_bytes(serialization.Encoding.DER)).hexdigest()


def sign(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def verify_signature(data: bytes, signature_b64: str) -> bool:
    try:
        certificate().public_key().verify(base64.b64decode(signature_b64), data, ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError):
        return False
