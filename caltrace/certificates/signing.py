"""The certificate's signature (证书电子签名): PAdES, by the lab key, and its verification.

:func:`sign_pdf` signs a rendered certificate with the lab's key and certificate
(:mod:`caltrace.core.keys`) as a PAdES baseline signature (pyHanko, ETSI.CAdES.detached) covering
the whole file. :func:`verify_pdf` says whether a PDF is exactly what the lab signed: the signature
is cryptographically intact, made by the lab's current or a retired certificate, covers every byte
of the file, and the signature container itself is stored in its one canonical form — so that a
PDF with any single byte changed, anywhere, is reported as not intact.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import re
from dataclasses import dataclass, field

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from caltrace.core import keys as lab_keys

FIELD_NAME = "Signature1"


@dataclass
class VerifyResult:
    intact: bool  # signed by the lab and not changed by one byte since
    signed_by: str  # the signer certificate's subject, "" when unknown
    sha256: str  # of the whole file as given
    problems: list[str] = field(default_factory=list)


def _asn1_cert(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _signer(private_key=None, cert=None):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private_key = private_key or lab_keys.private_key()
    cert = cert or lab_keys.certificate()
    mine = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = cert.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        raise RuntimeError("the signing key and the certificate do not belong together")
    signing_cert = _asn1_cert(cert)
    signing_key = asn1_keys.PrivateKeyInfo.load(private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return signers.SimpleSigner(signing_cert=signing_cert, signing_key=signing_key,
                                cert_registry=SimpleCertificateStore.from_certs([signing_cert]))


def sign_pdf(pdf_bytes: bytes, *, reason: str, location: str, private_key=None, cert=None) -> bytes:
    """``pdf_bytes`` with a PAdES signature by the lab key appended (an incremental update).
    ``private_key``/``cert`` (cryptography objects) default to the lab's; tests pass others."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason, location=location)
    out = signers.sign_pdf(writer, meta, signer=_signer(private_key, cert))
    return out.getvalue()


_HEX = re.compile(rb"\A<([0-9A-F]*)>\Z")  # pyHanko writes uppercase hex


def _contents_problem(pdf_bytes: bytes, byte_range, trusted_der: set[bytes]) -> str | None:
    """The bytes the signature does not cover are exactly the /Contents hex string: uppercase hex
    of the DER signature container, padded with zeros, and the container is exactly what the lab's
    signer makes. Its certificates and its unsigned framing are not covered by the signature value,
    so a changed byte there could otherwise pass: a changed padding digit, a hex digit in the
    other case, a changed copy of the certificate are all refused here."""
    start, end = byte_range[0] + byte_range[1], byte_range[2]
    gap = pdf_bytes[start:end]
    m = _HEX.match(gap)
    if not m or len(m.group(1)) % 2:
        return "the signature's /Contents is not in canonical form"
    raw = binascii.unhexlify(m.group(1))
    length = _der_length(raw)
    if length is None or length > len(raw) or any(raw[length:]):
        return "the signature's /Contents carries bytes beyond the signature container"
    return _container_problem(raw[:length], trusted_der)


def _container_problem(raw: bytes, trusted_der: set[bytes]) -> str | None:
    try:
        info = cms.ContentInfo.load(raw)
        signed_data = info["content"]
        signer_infos = signed_data["signer_infos"]
        if len(signer_infos) != 1:
            return "the signature container does not hold exactly one signer"
        signer = signer_infos[0]
        certs = [choice.chosen.dump() for choice in (signed_data["certificates"] or [])]
        if any(cert not in trusted_der for cert in certs):
            return "not signed by the lab's certificate: the signature carries a certificate the lab does not know"
        expected = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData({
            "version": "v1",
            "digest_algorithms": [signer["digest_algorithm"]],
            "encap_content_info": {"content_type": "data"},
            "certificates": [cms.CertificateChoices({"certificate": asn1_x509.Certificate.load(c)}) for c in certs],
            "signer_infos": [cms.SignerInfo({
                "version": "v1", "sid": signer["sid"], "digest_algorithm": signer["digest_algorithm"],
                "signed_attrs": signer["signed_attrs"], "signature_algorithm": signer["signature_algorithm"],
                "signature": signer["signature"]})],
        })})
        if expected.dump() != raw:
            return "the signature container is not in the form the lab's signer makes"
    except Exception as exc:  # noqa: BLE001 - a damaged container may not even parse
        return f"the signature container cannot be read: {exc}"
    return None


def _der_length(raw: bytes) -> int | None:
    """Total length of the DER value at the start of ``raw`` (tag, length, content)."""
    if len(raw) < 2 or raw[0] != 0x30:
        return None
    first = raw[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    if n == 0 or n > 4 or len(raw) < 2 + n:
        return None
    return 2 + n + int.from_bytes(raw[2:2 + n], "big")


def verify_pdf(pdf_bytes: bytes, *, trusted=None) -> VerifyResult:
    """Whether ``pdf_bytes`` is a certificate the lab signed, unchanged. ``trusted`` (cryptography
    certificates) defaults to the lab's current and retired certificates."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(pdf_bytes).hexdigest()
    problems: list[str] = []
    signed_by = ""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure means: not the signed file
        return VerifyResult(False, "", digest, [f"the PDF cannot be read: {exc}"])
    if not signatures:
        return VerifyResult(False, "", digest, ["the PDF carries no signature"])

    roots = [_asn1_cert(c) for c in (trusted if trusted is not None else lab_keys.certificates().values())]
    trusted_der = {root.dump() for root in roots}
    for sig in signatures:
        name = sig.field_name or "?"
        try:
            subject = sig.signer_cert.subject.native
            signed_by = subject.get("common_name") or sig.signer_cert.subject.human_friendly
        except Exception:  # noqa: BLE001
            pass
        try:
            byte_range = [int(x) for x in sig.sig_object["/ByteRange"]]
            problem = _contents_problem(pdf_bytes, byte_range, trusted_der)
            if problem:
                problems.append(f"{name}: {problem}")
            context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
            status = validate_pdf_signature(sig, context)
        except Exception as exc:  # noqa: BLE001 - a damaged signature may not even parse
            problems.append(f"{name}: the signature cannot be validated: {exc}")
            continue
        if not status.intact:
            problems.append(f"{name}: the signed bytes were changed (digest mismatch)")
        elif not status.valid:
            problems.append(f"{name}: the signature value does not verify")
        elif not status.trusted:
            problems.append(f"{name}: not signed by the lab's certificate ({signed_by or 'unknown signer'})")
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append(f"{name}: the signature does not cover the whole file ({status.coverage.name})")
    return VerifyResult(not problems, signed_by, digest, problems)
