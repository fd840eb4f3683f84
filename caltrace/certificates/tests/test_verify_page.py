"""The public verification page /verify/<token>/ (RPT-3): state, key facts, SHA-256, and the comparison
of an uploaded PDF — a copy with one byte changed does not match."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caltrace.certificates import services
from caltrace.certificates.models import Certificate
from caltrace.certificates.samples import sample_document

from .conftest import module_transaction

pytestmark = pytest.mark.django_db

OLD, NEW = "T-VER-0001", "T-VER-0001-R1"


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        old = services.do_issue_certificate(sample_document(number=OLD), actor="system:test")
        services.do_amend_certificate(old, sample_document(number=NEW), reason="示值录入错误", actor="system:test")
        yield


def _page(cert):
    return reverse("certificates:verify", args=[cert.verify_token])


def _one_byte_changed(data: bytes) -> bytes:
    n = len(data) // 2
    return data[:n] + bytes([data[n] ^ 0x01]) + data[n + 1:]


def test_a_valid_certificate_shows_its_facts_and_hash_without_login(issued, client):
    cert = Certificate.objects.get(number=NEW)
    resp = client.get(_page(cert))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="cert-state"' in html and "有效" in html
    for fact in (NEW, "数字多用表", "MH26-0001234", "苏州瑞川精密电子有限公司", "2026-11-20", "陈志刚", cert.sha256):
        assert fact in html
    assert OLD in html and "示值录入错误" in html  # it names the certificate it replaces
    assert "csrfmiddlewaretoken" in html


def test_an_amended_certificate_links_to_its_replacement(issued, client):
    old, new = Certificate.objects.get(number=OLD), Certificate.objects.get(number=NEW)
    html = client.get(_page(old)).content.decode()
    assert "已被替代" in html
    assert f'href="{_page(new)}"' in html


def test_a_withdrawn_certificate_says_so(issued, client):
    cert = services.do_withdraw_certificate(Certificate.objects.get(number=NEW), reason="客户退回", actor="system:test")
    html = client.get(_page(cert)).content.decode()
    assert "已撤回" in html and "客户退回" in html


def test_an_unknown_token_is_404_and_the_number_is_not_a_token(issued, client):
    assert client.get(reverse("certificates:verify", args=["no-such-token"])).status_code == 404
    assert client.get(reverse("certificates:verify", args=[OLD])).status_code == 404


def test_uploading_the_issued_file_matches(issued, client):
    cert = Certificate.objects.get(number=NEW)
    data = Path(cert.pdf_path).read_bytes()
    resp = client.post(_page(cert), {"pdf": SimpleUploadedFile("c.pdf", data, "application/pdf")})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "文件与签发的证书一致" in html and "不一致" not in html


def test_uploading_a_file_with_one_byte_changed_does_not_match(issued, client):
    cert = Certificate.objects.get(number=NEW)
    data = _one_byte_changed(Path(cert.pdf_path).read_bytes())
    html = client.post(_page(cert), {"pdf": SimpleUploadedFile("c.pdf", data, "application/pdf")}).content.decode()
    assert "文件与签发的证书不一致" in html and "文件与签发的证书一致" not in html


def test_uploading_another_issued_certificate_does_not_match(issued, client):
    old, new = Certificate.objects.get(number=OLD), Certificate.objects.get(number=NEW)
    data = Path(old.pdf_path).read_bytes()  # genuine and intact, but not this certificate
    html = client.post(_page(new), {"pdf": SimpleUploadedFile("c.pdf", data, "application/pdf")}).content.decode()
    assert "文件与签发的证书不一致" in html


def test_the_form_needs_a_file(issued, client):
    resp = client.post(_page(Certificate.objects.get(number=NEW)), {})
    assert resp.status_code == 400
