"""Issue 4 item 7: every certificate exports as a DCC 3.3.0 that validates against PTB's schema.

The schema set lives beside the checkout in ``../shared/dcc/`` (tests only; the product ships no copy).
"""

import datetime as dt
import os
import socket
import threading
from decimal import Decimal as D
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from caltrace.certificates import dcc_schema
from caltrace.certificates.dcc import DSI_UNITS, DCCError, build_dcc, dsi_unit
from caltrace.certificates.document import Amendment, Condition, ConformityStatement, ResultRow
from caltrace.certificates.samples import sample_document

SCHEMA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "dcc"
NS = {"dcc": "https://ptb.de/dcc", "si": "https://ptb.de/si"}


@pytest.fixture(scope="module")
def schema_dir():
    if not (SCHEMA_DIR / "dcc.xsd").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the DCC schema set is missing: expected {SCHEMA_DIR / 'dcc.xsd'} beside the checkout")
        pytest.skip(f"no DCC schema set at {SCHEMA_DIR}")
    return SCHEMA_DIR


def valid_dcc(doc, schema_dir):
    xml = build_dcc(doc)
    dcc_schema.validate(xml, schema_dir)
    return etree.fromstring(xml)


def texts(root, path):
    return [el.text for el in root.xpath(path, namespaces=NS)]


CONFORMITY = ConformityStatement(
    "制造商技术指标 ±(0.0035 % 读数 + 0.0005 % 量程)", "guard_band_u", "保护带 w = U 的判定规则",
    "Guarded acceptance with w = U", "pass")
AMENDMENT = Amendment("MH2026-E-000100", "更正被校仪器出厂编号", "Serial number of the item corrected")
TEMPERATURE_ROWS = tuple(
    ResultRow("温度", "temperature", "degC", ref, ind, D("0.05"), D("2"), error=ind - ref, conformity="pass")
    for ref, ind in [(D("-20.00"), D("-19.97")), (D("0.00"), D("0.02")), (D("100.00"), D("100.06"))])
MASS_ROWS = (ResultRow("质量", "mass", "g", D("200"), D("200.0003"), D("0.0002"), D("2")),
             ResultRow("质量", "mass", "kg", D("1"), D("1.000001"), D("0.0000016"), D("2"), D("0.954")))

VARIANTS = {
    "sample": {},
    "conformity": dict(conformity=CONFORMITY),
    "amendment": dict(amendment=AMENDMENT, number="MH2026-E-000123-R1"),
    "on-site": dict(performance_location="customer", location="客户现场：苏州瑞川精密电子有限公司 3 号车间",
                    location_en="On site: workshop 3 of the customer"),
    "several-quantities": dict(results=sample_document().results + MASS_ROWS + TEMPERATURE_ROWS),
    "temperature-degC": dict(results=TEMPERATURE_ROWS, calibrated_until=dt.date(2026, 11, 19),
                             remarks=("三点校准。",)),
}


@pytest.mark.parametrize("changes", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variant_validates_against_the_dcc_schema(schema_dir, changes):
    root = valid_dcc(sample_document(**changes), schema_dir)
    assert root.get("schemaVersion") == "3.3.0"


def test_xml_is_utf8_with_declaration_and_namespaces():
    xml = build_dcc(sample_document())
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(xml)
    assert root.tag == "{https://ptb.de/dcc}digitalCalibrationCertificate"
    assert root.nsmap["dcc"] == NS["dcc"] and root.nsmap["si"] == NS["si"]
    assert "苏州明衡计量校准技术有限公司" in xml.decode("utf-8")


def test_core_data_maps_the_document(schema_dir):
    doc = sample_document()
    root = valid_dcc(doc, schema_dir)
    core = "/dcc:digitalCalibrationCertificate/dcc:administrativeData/dcc:coreData/"
    assert texts(root, core + "dcc:countryCodeISO3166_1") == ["CN"]
    assert texts(root, core + "dcc:usedLangCodeISO639_1") == ["zh", "en"]
    assert texts(root, core + "dcc:mandatoryLangCodeISO639_1") == ["zh"]
    assert texts(root, core + "dcc:uniqueIdentifier") == [doc.number]
    assert texts(root, core + "dcc:receiptDate") == ["2026-11-16"]
    assert texts(root, core + "dcc:beginPerformanceDate") == ["2026-11-18"]
    assert texts(root, core + "dcc:endPerformanceDate") == ["2026-11-18"]
    assert texts(root, core + "dcc:issueDate") == ["2026-11-20"]
    assert texts(root, core + "dcc:performanceLocation") == ["laboratory"]
    assert root.xpath(core + "dcc:reportAmendedSubstituted", namespaces=NS) == []


def test_a_calibration_over_several_days_and_on_site(schema_dir):
    root = valid_dcc(sample_document(calibrated_until=dt.date(2026, 11, 19), performance_location="customer"),
                     schema_dir)
    assert texts(root, "//dcc:coreData/dcc:endPerformanceDate") == ["2026-11-19"]
    assert texts(root, "//dcc:coreData/dcc:performanceLocation") == ["customer"]


def test_an_amendment_says_report_amended_substituted(schema_dir):
    root = valid_dcc(sample_document(amendment=AMENDMENT), schema_dir)
    ras = root.xpath("//dcc:coreData/dcc:reportAmendedSubstituted", namespaces=NS)
    assert len(ras) == 1
    assert texts(ras[0], "dcc:typeOfChange") == ["substituted"]
    assert texts(ras[0], "dcc:replacedUniqueIdentifier") == ["MH2026-E-000100"]
    assert "更正被校仪器出厂编号" in texts(root, "//dcc:statement/dcc:declaration/dcc:content")


def test_item_laboratory_people_and_customer(schema_dir):
    root = valid_dcc(sample_document(), schema_dir)
    item = root.xpath("//dcc:items/dcc:item", namespaces=NS)[0]
    assert texts(item, "dcc:name/dcc:content") == ["数字多用表", "Digital multimeter"]
    assert texts(item, "dcc:manufacturer/dcc:name/dcc:content") == ["Keysight"]
    assert texts(item, "dcc:model") == ["34465A"]
    ids = {i.findtext("dcc:issuer", namespaces=NS): i.findtext("dcc:value", namespaces=NS)
           for i in item.xpath("dcc:identifications/dcc:identification", namespaces=NS)}
    assert ids == {"calibrationLaboratory": "MH26-0001234", "manufacturer": "MY12345678"}
    lab = "//dcc:calibrationLaboratory/dcc:contact/"
    assert texts(root, lab + "dcc:name/dcc:content")[0] == "苏州明衡计量校准技术有限公司"
    assert texts(root, lab + "dcc:location/dcc:further/dcc:content")[0] == "江苏省苏州市工业园区衡准路8号"
    assert texts(root, "//dcc:customer/dcc:name/dcc:content") == ["苏州瑞川精密电子有限公司"]
    people = root.xpath("//dcc:respPersons/dcc:respPerson", namespaces=NS)
    assert [p.findtext("dcc:person/dcc:name/dcc:content", namespaces=NS) for p in people] == ["孙浩", "赵敏", "陈志刚"]
    assert [p.findtext("dcc:mainSigner", namespaces=NS) for p in people] == [None, None, "true"]
    assert people[2].findtext("dcc:role", namespaces=NS).startswith("授权签字人")


def test_statements_methods_equipment_and_conditions(schema_dir):
    doc = sample_document(conformity=CONFORMITY)
    root = valid_dcc(doc, schema_dir)
    declarations = texts(root, "//dcc:statements/dcc:statement/dcc:declaration/dcc:content")
    assert doc.traceability_statement in declarations and doc.item_only_statement in declarations
    assert texts(root, "//dcc:statement[dcc:traceable]/dcc:traceable") == ["true"]
    conf = root.xpath("//dcc:statement[dcc:conformity]", namespaces=NS)[0]
    assert texts(conf, "dcc:conformity") == ["pass"]
    assert texts(conf, "dcc:convention") == ["guard_band_u"]
    assert texts(conf, "dcc:declaration/dcc:content") == ["保护带 w = U 的判定规则", "Guarded acceptance with w = U"]
    assert texts(root, "//dcc:usedMethods/dcc:usedMethod/dcc:norm") == ["JJF 1587-2016"]
    eq = root.xpath("//dcc:measuringEquipments/dcc:measuringEquipment", namespaces=NS)[0]
    assert texts(eq, "dcc:model") == ["Fluke 5522A"]
    assert "JL2026-DC-00031" in texts(eq, "dcc:identifications/dcc:identification/dcc:value")
    conds = root.xpath("//dcc:influenceConditions/dcc:influenceCondition", namespaces=NS)
    assert [c.findtext("dcc:name/dcc:content[@lang='en']", namespaces=NS) for c in conds] == \
        ["temperature", "relative humidity"]
    assert texts(conds[0], ".//si:real/si:value") == ["20.3", "0.4"]
    assert texts(conds[0], ".//si:real/si:unit") == [r"\degreecelsius", r"\degreecelsius"]
    assert texts(conds[1], ".//si:real/si:unit") == [r"\percent"]


def _points(root):
    """(quantity en, [(reference, indication, error, U, k, p, unit)]) per measurementResult."""
    out = []
    for mr in root.xpath("//dcc:measurementResult", namespaces=NS):
        rows = []
        for point in mr.xpath(".//dcc:list[@refType='caltrace_calibrationPoint']", namespaces=NS):
            def val(ref_type, p=point):
                v = p.xpath(f"dcc:quantity[@refType='{ref_type}']/si:real/si:value", namespaces=NS)
                return D(v[0].text) if v else None
            unc = point.xpath(".//si:expandedUnc", namespaces=NS)
            assert len(unc) == 1
            rows.append((val("basic_referenceValue"), val("basic_measuredValue"), val("basic_measurementError"),
                         D(unc[0].findtext("si:uncertainty", namespaces=NS)),
                         D(unc[0].findtext("si:coverageFactor", namespaces=NS)),
                         D(unc[0].findtext("si:coverageProbability", namespaces=NS)),
                         point.xpath("dcc:quantity[1]/si:real/si:unit", namespaces=NS)[0].text))
        out.append((mr.findtext("dcc:name/dcc:content[@lang='en']", namespaces=NS), rows))
    return out


def test_results_carry_the_exact_values(schema_dir):
    doc = sample_document(results=sample_document().results + MASS_ROWS + TEMPERATURE_ROWS)
    root = valid_dcc(doc, schema_dir)
    expected = {}
    for r in doc.results:
        expected.setdefault(r.quantity_en, []).append(
            (r.reference_value, r.indication, r.error, r.expanded_uncertainty, r.coverage_factor,
             r.coverage_probability, dsi_unit(r.unit)))
    assert _points(root) == list(expected.items())
    # exact decimal strings, trailing zeros kept, no float noise or exponent
    values = texts(root, "//dcc:measurementResult//si:value") + texts(root, "//si:uncertainty")
    assert "0.1000012" in values and "0.0000020" in values and "0.0000016" in values and "-19.97" in values
    assert not any("e" in v.lower() for v in values)


def test_temperature_results_in_degc_with_per_point_conformity(schema_dir):
    root = valid_dcc(sample_document(results=TEMPERATURE_ROWS), schema_dir)
    assert set(texts(root, "//dcc:measurementResult//si:unit")) == {r"\degreecelsius"}
    assert texts(root, "//dcc:measurementResult//dcc:metaData/dcc:conformity") == ["pass"] * 3


def test_uncertainty_goes_on_the_indication_when_no_error_is_reported(schema_dir):
    row = ResultRow("直流电压", "DC voltage", "mV", D("100"), D("100.0012"), D("0.0020"), D("2"))
    root = valid_dcc(sample_document(results=(row,)), schema_dir)
    unc = root.xpath("//dcc:quantity[@refType='basic_measuredValue']/si:real/si:expandedUnc", namespaces=NS)
    assert len(unc) == 1
    assert texts(root, "//dcc:measurementResult//si:unit") == [r"\milli\volt"] * 2


@pytest.mark.parametrize("unit, dsi", [("V", r"\volt"), ("mV", r"\milli\volt"), ("g", r"\gram"),
                                       ("kg", r"\kilogram"), ("degC", r"\degreecelsius"),
                                       ("percent", r"\percent"), ("ohm", r"\ohm"), ("K", r"\kelvin")])
def test_unit_table(unit, dsi):
    assert dsi_unit(unit) == dsi


def test_every_mapped_unit_is_d_si_syntax():
    for unit, dsi in DSI_UNITS.items():
        assert dsi.startswith("\\") and " " not in dsi, unit


def test_an_unmapped_unit_errors_naming_it():
    row = ResultRow("长度", "length", "furlong", D("1"), D("1.001"), D("0.001"), D("2"))
    with pytest.raises(DCCError, match="'furlong'"):
        build_dcc(sample_document(results=(row,)))
    with pytest.raises(DCCError, match="'inHg'"):
        build_dcc(sample_document(conditions=(Condition("气压", "pressure", D("30"), "inHg"),)))


def test_validate_reports_an_invalid_dcc(schema_dir):
    xml = build_dcc(sample_document()).replace(b"<dcc:countryCodeISO3166_1>CN<",
                                               b"<dcc:countryCodeISO3166_1>China<")
    with pytest.raises(dcc_schema.InvalidDCC, match="countryCodeISO3166_1"):
        dcc_schema.validate(xml, schema_dir)


# --- caltrace dcc fetch-schema (never reaches the internet: loopback only) -------------------------------


def _unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_schema_unreachable_raises(tmp_path):
    url = f"http://127.0.0.1:{_unused_port()}/dcc/v3.3.0/dcc.xsd"
    with pytest.raises(dcc_schema.SchemaFetchError, match="cannot download"):
        dcc_schema.fetch_schema(tmp_path / "s", url=url, timeout=5)
    assert not (tmp_path / "s").exists()


@pytest.mark.django_db
def test_cli_fetch_schema_unreachable_is_one_line_exit_2(tmp_path, capsys):
    from caltrace.cli import main

    url = f"http://127.0.0.1:{_unused_port()}/dcc.xsd"
    assert main(["dcc", "fetch-schema", "--dest", str(tmp_path), "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("caltrace: error: cannot download") and err.count("\n") == 1


def test_fetch_schema_follows_imports_and_the_copy_validates(schema_dir, tmp_path):
    """Served from loopback: every import is fetched, relinked to the local copy, and validation works."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(schema_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = dcc_schema.fetch_schema(tmp_path, url=f"http://127.0.0.1:{server.server_port}/dcc.xsd", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SI_Format.xsd", "dcc.xsd", "quantitykind.xsd", "xmldsig-core-schema.xsd"]
    assert path == tmp_path / "dcc.xsd"
    dcc_schema.validate(build_dcc(sample_document(conformity=CONFORMITY)), tmp_path)
