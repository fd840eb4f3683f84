"""`caltrace certificate list|pdf|dcc|verify`: a PDF with one byte changed fails verification (exit 1);
an unknown number is one line and exit code 2."""

import json
from pathlib import Path

import pytest

from caltrace.certificates import services
from caltrace.certificates.models import Certificate
from caltrace.certificates.samples import sample_document
from caltrace.cli import main

from .conftest import module_transaction

pytestmark = pytest.mark.django_db

NUMBER = "T-CLI-0001"


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        services.do_issue_certificate(sample_document(number=NUMBER), actor="system:test")
        yield


def test_list_as_json(issued, capsys):
    assert main(["certificate", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["number"] == NUMBER)
    assert row["status"] == "issued" and row["issued_on"] == "2026-11-20" and "数字多用表" in row["item"]


def test_list_as_text(issued, capsys):
    assert main(["certificate", "list"]) == 0
    assert NUMBER in capsys.readouterr().out


def test_pdf_and_dcc_export(issued, tmp_path, capsys):
    cert = Certificate.objects.get(number=NUMBER)
    assert main(["certificate", "pdf", NUMBER, "-o", str(tmp_path / "c.pdf")]) == 0
    assert (tmp_path / "c.pdf").read_bytes() == Path(cert.pdf_path).read_bytes()
    assert main(["certificate", "dcc", NUMBER, "-o", str(tmp_path / "c.xml")]) == 0
    assert b"digitalCalibrationCertificate" in (tmp_path / "c.xml").read_bytes()


@pytest.mark.parametrize("action", ["pdf", "dcc"])
def test_an_unknown_number_is_one_line_and_exit_2(issued, tmp_path, capsys, action):
    assert main(["certificate", action, "NO-SUCH", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NO-SUCH" in err
    assert not (tmp_path / "x").exists()


def test_verify_the_issued_file_is_0(issued, tmp_path, capsys):
    path = tmp_path / "c.pdf"
    path.write_bytes(Path(Certificate.objects.get(number=NUMBER).pdf_path).read_bytes())
    assert main(["certificate", "verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert NUMBER in out and "issued" in out


@pytest.mark.parametrize("where", [0.1, 0.5, 0.99])
def test_verify_one_byte_changed_is_1(issued, tmp_path, capsys, where):
    data = Path(Certificate.objects.get(number=NUMBER).pdf_path).read_bytes()
    n = int(len(data) * where)
    path = tmp_path / "c.pdf"
    path.write_bytes(data[:n] + bytes([data[n] ^ 0x01]) + data[n + 1:])
    assert main(["certificate", "verify", str(path)]) == 1
    assert "NOT VERIFIED" in capsys.readouterr().out


def test_verify_a_missing_file_is_2(issued, tmp_path, capsys):
    assert main(["certificate", "verify", str(tmp_path / "none.pdf")]) == 2


def test_verify_a_byte_appended_is_1(issued, tmp_path, capsys):
    data = Path(Certificate.objects.get(number=NUMBER).pdf_path).read_bytes()
    path = tmp_path / "other.pdf"
    path.write_bytes(data + b"\n")
    assert main(["certificate", "verify", str(path)]) == 1
    assert "matches no issued certificate" in capsys.readouterr().out
