"""The certificate's PAdES signature by the lab key: a PDF with one byte changed anywhere, or
signed by another key, does not verify."""

import hashlib
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from caltrace.certificates.pdf import render_pdf
from caltrace.certificates.samples import sample_document
from caltrace.certificates.signing import sign_pdf, verify_pdf
from caltrace.core import keys


@pytest.fixture(scope="module")
def unsigned():
    return render_pdf(sample_document())


@pytest.fixture(scope="module")
def signed(unsigned):
    return sign_pdf(unsigned, reason="校准证书签发 Certificate issue", location="Suzhou")


def _contents_span(pdf: bytes) -> tuple[int, int]:
    """Offsets of the signature's hex digits (between < and >), from its /ByteRange."""
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    a, b, c, _ = (int(x) for x in m.groups())
    assert pdf[a + b:a + b + 1] == b"<" and pdf[c - 1:c] == b">"
    return a + b + 1, c - 1


def _other_signer():
    key = ec.generate_private_key(ec.SECP256R1())
    return key, keys._self_signed(key, "not the lab")


def test_signing_and_verifying_round_trips(signed):
    result = verify_pdf(signed)
    assert result.intact, result.problems
    assert result.problems == []
    common_name = keys.certificate().subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert result.signed_by == common_name
    assert result.sha256 == hashlib.sha256(signed).hexdigest()


def test_the_signature_is_pades_with_reason_and_location(signed):
    assert b"/ETSI.CAdES.detached" in signed
    assert b"/Signature1" in signed or b"(Signature1)" in signed
    assert b"Suzhou" in signed


def test_the_signed_pdf_keeps_the_rendered_bytes_as_its_first_revision(unsigned, signed):
    assert signed.startswith(unsigned)  # the signature is an incremental update; the rendering is untouched


def test_an_unsigned_pdf_is_reported(unsigned):
    result = verify_pdf(unsigned)
    assert not result.intact
    assert any("no signature" in p for p in result.problems)


def test_not_a_pdf_is_reported():
    result = verify_pdf(b"hello")
    assert not result.intact and result.problems


def _positions(pdf: bytes) -> dict[str, int]:
    start, end = _contents_span(pdf)
    byte_range = pdf.index(b"/ByteRange")
    return {
        "header": 5,
        "first revision, middle": len(pdf) // 3,
        "signature dictionary /ByteRange": byte_range + len(b"/ByteRange [ ") + 1,
        "signature container, start": start + 3,
        "signature container, middle": start + 300,
        "signature padding": end - 10,
        "last byte": len(pdf) - 1,
        "before %%EOF": pdf.rindex(b"%%EOF") - 2,
        "xref of the signature revision": pdf.rindex(b"startxref") + 12,
    }


@pytest.mark.parametrize("where", ["header", "first revision, middle", "signature dictionary /ByteRange",
                                   "signature container, start", "signature container, middle",
                                   "signature padding", "last byte", "before %%EOF",
                                   "xref of the signature revision"])
@pytest.mark.parametrize("flip", [0x01, 0x20])
def test_one_changed_byte_fails(signed, where, flip):
    pos = _positions(signed)[where]
    changed = bytearray(signed)
    changed[pos] ^= flip
    result = verify_pdf(bytes(changed))
    assert not result.intact, (where, hex(signed[pos]), hex(changed[pos]))
    assert result.problems
    assert result.sha256 != hashlib.sha256(signed).hexdigest()


def test_one_changed_byte_fails_at_spread_positions(signed):
    for pos in range(7, len(signed), max(1, len(signed) // 23)):
        changed = bytearray(signed)
        changed[pos] = (changed[pos] + 1) % 256
        assert not verify_pdf(bytes(changed)).intact, pos


def test_one_changed_byte_fails_across_the_signature_and_its_revision(signed):
    """The bytes the signature value does not cover (the container: its certificates, its framing,
    its zero padding) and the revision that carries it: a sweep, every 11th byte, two ways."""
    start, _ = _contents_span(signed)
    survivors = []
    for pos in range(start - 1, len(signed), 11):
        for flip in (0x01, 0x20):
            changed = bytearray(signed)
            changed[pos] ^= flip
            if verify_pdf(bytes(changed)).intact:
                survivors.append((pos - start, flip))
    assert survivors == []


def test_a_changed_copy_of_the_lab_certificate_inside_the_signature_fails(signed):
    start, end = _contents_span(signed)
    cert_hex = keys.certificate().public_bytes(serialization.Encoding.DER).hex().upper().encode()
    at = signed.index(cert_hex, start, end)
    for offset in (60, 200, len(cert_hex) - 40):  # a name, the key, the certificate's own signature
        changed = bytearray(signed)
        changed[at + offset] = ord("0") if changed[at + offset] != ord("0") else ord("1")
        assert not verify_pdf(bytes(changed)).intact, offset


def test_a_hex_digit_in_the_other_case_fails(signed):
    start, end = _contents_span(signed)
    pos = next(i for i in range(start, end) if signed[i:i + 1].isalpha())
    changed = bytearray(signed)
    changed[pos : pos + 1] = signed[pos : pos + 1].swapcase()
    assert not verify_pdf(bytes(changed)).intact


def test_appended_bytes_fail(signed):
    result = verify_pdf(signed + b"\n% appended\n")
    assert not result.intact


def test_a_pdf_not_signed_by_the_lab_key_fails(unsigned):
    key, cert = _other_signer()
    other = sign_pdf(unsigned, reason="forged", location="nowhere", private_key=key, cert=cert)
    result = verify_pdf(other)
    assert not result.intact
    assert result.signed_by == "not the lab"
    assert any("not signed by the lab" in p for p in result.problems)


def test_a_key_and_a_certificate_that_do_not_belong_together_are_refused(unsigned):
    key, _ = _other_signer()
    with pytest.raises(RuntimeError):
        sign_pdf(unsigned, reason="r", location="l", private_key=key, cert=keys.certificate())


def test_a_certificate_signed_before_the_lab_key_was_replaced_still_verifies(unsigned, settings, tmp_path):
    old_key, old_cert = _other_signer()
    signed_then = sign_pdf(unsigned, reason="r", location="l", private_key=old_key, cert=old_cert)
    settings.KEY_DIR = tmp_path / "keys"
    keys.ensure_lab_key()  # the lab's new pair
    assert not verify_pdf(signed_then).intact
    (tmp_path / "keys" / "retired").mkdir()
    (tmp_path / "keys" / "retired" / "old.pem").write_bytes(old_cert.public_bytes(serialization.Encoding.PEM))
    result = verify_pdf(signed_then)
    assert result.intact, result.problems
