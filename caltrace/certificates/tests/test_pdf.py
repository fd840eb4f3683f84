"""The certificate PDF (RPT-2, RPT-3, CND-5): rendered from the document alone, every GB/T 27025
7.8 element on it, the number and "page x of y" on every page, the CJK font embedded."""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal as D

import pytest
import segno

from caltrace.certificates import pdf as pdfmod
from caltrace.certificates.document import (Amendment, ConformityStatement, IncompleteCertificate, Party,
                                            ResultRow)
from caltrace.certificates.samples import sample_document


def _tool(name):
    path = shutil.which(name)
    assert path, f"{name} is missing: install poppler-utils (scripts/system-packages)"
    return path


def pages_text(pdf: bytes) -> list[str]:
    out = subprocess.run([_tool("pdftotext"), "-layout", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def fonts(pdf: bytes, tmp_path) -> list[dict]:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        # name, type words…, encoding, emb, sub, uni, object id, generation
        rows.append(dict(name=cols[0], emb=cols[-5], sub=cols[-4]))
    return rows


@pytest.fixture(scope="module")
def sample_pdf():
    return pdfmod.render_pdf(sample_document())


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_sample_renders_a_pdf(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    assert sample_pdf.rstrip().endswith(b"%%EOF")


def test_every_page_carries_the_number_and_page_x_of_y(sample_pdf):
    pages = pages_text(sample_pdf)
    n = len(pages)
    assert n >= 2  # cover page, then methods and results
    for i, page in enumerate(pages, start=1):
        assert page.count("MH2026-E-000123") >= 2, f"page {i} lacks the certificate number"
        assert f"第 {i} 页 共 {n} 页" in page
        assert f"Page {i} of {n}" in page


def test_a_long_results_table_runs_over_pages_with_the_number_on_each():
    rows = tuple(ResultRow("直流电压", "DC voltage", "V", D(i), D(i) + D("0.000011"), D("0.000070"), D("2"),
                           error=D("0.000011")) for i in range(1, 90))
    pages = pages_text(pdfmod.render_pdf(sample_document(results=rows)))
    n = len(pages)
    assert n >= 4
    for i, page in enumerate(pages, start=1):
        assert "MH2026-E-000123" in page and f"第 {i} 页 共 {n} 页" in page and f"Page {i} of {n}" in page
    text = "".join(pages)
    assert "89.000011" in text and "0.000070" in text
    # the table's header repeats on every page it runs over
    assert sum("标准值" in page for page in pages) >= n - 2


def test_the_cjk_font_is_embedded(sample_pdf, tmp_path):
    found = fonts(sample_pdf, tmp_path)
    assert found
    assert all(f["emb"] == "yes" for f in found), found
    assert any("CJK" in f["name"] for f in found)


def test_the_pdf_states_every_element_of_the_record(sample_pdf):
    doc = sample_document()
    text = flat("".join(pages_text(sample_pdf)))
    expected = [
        doc.title, "CALIBRATIONCERTIFICATE", doc.laboratory.name, doc.laboratory.address, doc.laboratory.name_en,
        doc.customer.name, doc.customer.address,
        doc.item.name, doc.item.model, doc.item.serial_no, doc.item.manufacturer, doc.item.identification,
        "2026年11月16日", "2026年11月18日", "2026年11月20日", doc.location,
        doc.calibrator, "校准员", doc.reviewer, "核验员", doc.signatory, "授权签字人",
        "JJF1587-2016", "数字多用表校准规范",
        "多产品校准器", "JL2026-DC-00031", "2027-03-01", "江苏省计量科学研究院",
        doc.traceability_statement, "20.3±0.4℃", "46%",
        doc.item_only_statement, doc.verification_url, doc.item.condition_on_receipt,
    ]
    for piece in expected:
        assert flat(piece) in text, piece


def test_results_show_the_decimals_as_given_with_units(sample_pdf):
    text = "".join(pages_text(sample_pdf))
    for value in ["0.1000012", "1.0000071", "10.000052", "0.0000020", "0.0000080", "0.000070", "+0.0000012"]:
        assert value in text, value
    assert "扩展不确定度" in text and "k" in text


def test_number_formatting():
    assert pdfmod.number_text(D("0.0000020")) == "0.0000020"
    assert pdfmod.number_text(D("1E-7")) == "0.0000001"
    assert pdfmod.number_text(D("10.000052")) == "10.000052"
    assert pdfmod.number_text(D("0.0000012"), signed=True) == "+0.0000012"
    assert pdfmod.number_text(D("-0.5"), signed=True) == "−0.5"
    assert pdfmod.unit_text("degC") == "℃"


def test_conformity_with_decision_rule_and_amendment_are_shown():
    doc = sample_document(
        amendment=Amendment("MH2026-E-000100", "委托方名称有误", "The customer's name was wrong"),
        conformity=ConformityStatement("制造商技术指标 ±(0.0035 % 读数 + 0.0005 % 量程)", "simple_acceptance",
                                       "简单接受规则", "Simple acceptance", "pass"),
        remarks=("建议复校间隔 12 个月。",))
    text = flat("".join(pages_text(pdfmod.render_pdf(doc))))
    assert flat("本证书替代证书 MH2026-E-000100") in text and "委托方名称有误" in text
    assert "简单接受规则" in text and "符合" in text and flat("制造商技术指标") in text
    assert "建议复校间隔12个月" in text


def test_the_qr_code_points_to_the_verification_page():
    doc = sample_document()
    html = pdfmod.render_html(doc)
    assert segno.make(doc.verification_url, error="m").svg_data_uri(scale=4, border=0, dark="#111111") in html


@pytest.mark.parametrize("changes, named", [
    (dict(received_on=None), "date of receipt"),
    (dict(traceability_statement=""), "metrological traceability"),
    (dict(equipment=()), "measuring equipment"),
    (dict(customer=Party("", "")), "customer"),
    (dict(signatory=""), "person authorizing"),
    (dict(issued_on=None), "date of issue"),
])
def test_a_missing_element_fails_loudly_and_nothing_is_rendered(monkeypatch, tmp_path, changes, named):
    import weasyprint

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered an incomplete certificate")

    monkeypatch.setattr(weasyprint, "HTML", must_not_render)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IncompleteCertificate) as exc:
        pdfmod.render_pdf(sample_document(**changes))
    assert named in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_the_pdf_is_made_from_the_document_only():
    """CND-5: the same document gives the same certificate text; a changed record, a changed PDF."""
    a = "".join(pages_text(pdfmod.render_pdf(sample_document())))
    b = "".join(pages_text(pdfmod.render_pdf(sample_document(calibrated_on=dt.date(2026, 11, 19)))))
    assert "2026年11月18日" in a and "2026年11月19日" in b and "2026年11月18日" not in b
