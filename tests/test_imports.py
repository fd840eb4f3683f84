"""The spreadsheet import engine, on the customer list: dry run, every bad row named, all or nothing."""

import io

import openpyxl
import pytest

from caltrace.cli import main
from caltrace.core import imports
from caltrace.core.models import AuditEntry
from caltrace.customers.models import CustomerOrganisation

pytestmark = pytest.mark.django_db

GOOD_1 = "91320594MA1MH7Q225"  # valid GB 32100 check characters
GOOD_2 = "91440300708461136T"
BAD_CHECK = "91440300708461136A"


def csv_bytes(rows, bom=True):
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return text.encode("utf-8-sig" if bom else "utf-8")


def spec():
    return imports.specs()["customers"]


def test_dry_run_of_a_clean_file_imports_nothing():
    data = csv_bytes([["单位名称", "统一社会信用代码"], ["甲公司", GOOD_1], ["乙公司", GOOD_2]])
    before = AuditEntry.objects.count()
    report = imports.run_import(spec(), data, "c.csv", dry_run=True)
    assert report.ok and report.rows == 2 and report.imported == 0
    assert CustomerOrganisation.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_commit_of_a_clean_file_imports_every_row_and_audits_it():
    data = csv_bytes([["Name", "Unified social credit code", "Phone"], ["甲公司", GOOD_1, "0512-1"],
                      ["乙公司", GOOD_2, ""]], bom=False)
    report = imports.run_import(spec(), data, "c.csv", dry_run=False)
    assert report.ok and report.imported == 2
    assert set(CustomerOrganisation.objects.values_list("name", flat=True)) == {"甲公司", "乙公司"}
    assert AuditEntry.objects.filter(model="customers.CustomerOrganisation", reason="import customers").count() == 2


def test_every_bad_row_is_named_and_nothing_is_imported():
    data = csv_bytes([
        ["单位名称", "统一社会信用代码"],
        ["甲公司", GOOD_1],
        ["", GOOD_2],            # row 3: name empty
        ["丙公司", BAD_CHECK],   # row 4: wrong check character
        ["", ""],                # blank line: skipped
        ["丁公司", GOOD_1],      # row 6: duplicate of row 2
    ])
    before = AuditEntry.objects.count()
    report = imports.run_import(spec(), data, "c.csv", dry_run=False)
    assert not report.ok and report.imported == 0
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "单位名称"), (4, "统一社会信用代码"), (6, "统一社会信用代码")}
    assert "校验位" in next(e.reason for e in report.errors if e.row == 4)
    assert CustomerOrganisation.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_excel_files_import_like_csv():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "统一社会信用代码", "地址"])
    ws.append(["甲公司", GOOD_1, "苏州"])
    buf = io.BytesIO()
    wb.save(buf)
    report = imports.run_import(spec(), buf.getvalue(), "c.xlsx", dry_run=False)
    assert report.ok and CustomerOrganisation.objects.get().address == "苏州"


def test_a_file_without_a_required_column_is_refused_whole():
    with pytest.raises(imports.ImportFileError, match="统一社会信用代码"):
        imports.run_import(spec(), csv_bytes([["单位名称"], ["甲公司"]]), "c.csv")
    with pytest.raises(imports.ImportFileError):
        imports.run_import(spec(), b"whatever", "c.pdf")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(fmt):
    imports.run_import(spec(), csv_bytes([["单位名称", "统一社会信用代码"], ["甲公司", GOOD_1]]), "c.csv",
                       dry_run=False)
    data = imports.export_rows(spec(), fmt=fmt)
    CustomerOrganisation.objects.all().delete()
    report = imports.run_import(spec(), data, f"again.{fmt}", dry_run=False)
    assert report.ok and CustomerOrganisation.objects.get().credit_code == GOOD_1


def test_cli_import_dry_run_then_commit(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["单位名称", "统一社会信用代码"], ["丙公司", BAD_CHECK]]))
    assert main(["import", "customers", str(bad), "--commit"]) == 1
    out = capsys.readouterr().out
    assert "row 2, column 统一社会信用代码" in out and "nothing imported" in out
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([["单位名称", "统一社会信用代码"], ["甲公司", GOOD_1]]))
    assert main(["import", "customers", str(good)]) == 0
    assert CustomerOrganisation.objects.count() == 0
    assert main(["import", "customers", str(good), "--commit"]) == 0
    assert CustomerOrganisation.objects.count() == 1
    out_file = tmp_path / "out.xlsx"
    assert main(["export", "customers", "-o", str(out_file)]) == 0
    assert out_file.read_bytes()[:2] == b"PK"


def test_cli_import_usage_errors(tmp_path, capsys):
    assert main(["import", "nonsense", "x.csv"]) == 2
    assert "unknown list" in capsys.readouterr().err
    assert main(["import", "customers", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_lookup_errors_speak_the_current_language():
    from django.utils import translation

    from caltrace.core.imports import parse_lookup
    from django.utils.translation import gettext_lazy

    parse = parse_lookup(lambda: CustomerOrganisation.objects.all(), "credit_code", gettext_lazy("客户单位"))
    with translation.override("en"), pytest.raises(ValueError) as exc:
        parse("nope")
    assert "客户单位" not in str(exc.value) and "nope" in str(exc.value)
