"""Staff, qualifications and authorizations from spreadsheets: references by staff number, scope item
and method code; refusals by the rules as row errors; exports that import again."""

import datetime as dt

import pytest

from caltrace.core import imports
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.models import Authorization, Person, Qualification

pytestmark = pytest.mark.django_db


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def run(name, data, commit=True):
    return imports.run_import(imports.specs()[name], data, f"{name}.csv", dry_run=not commit)


def test_the_three_lists_are_registered():
    assert {"staff", "qualifications", "authorizations"} <= set(imports.specs())


def test_import_staff_with_chinese_headers_and_labels(scope):
    report = run("staff", csv_bytes(
        "工号,姓名,出生日期,入职日期,用工形式,人员类别,岗位,所在场所",
        f"IM-1,吴九,1988-04-05,2012/07/01,长期聘用,校准人员,校准员,{scope.site.name}",
        "IM-2,郑十,1992-01-01,2016-07-01,temporary,,,",
    ))
    assert report.ok, report.errors
    assert report.imported == 2
    p = Person.objects.get(staff_no="IM-1")
    assert (p.employment_type, p.category, p.site) == ("long_term", "calibration", scope.site)


def test_staff_errors_name_row_and_column():
    report = run("staff", csv_bytes(
        "工号,姓名,出生日期,入职日期,用工形式",
        "IM-3,甲,1990-01-01,2000-01-01,长期聘用",
        "IM-4,乙,1990-13-01,2012-01-01,外包",
    ))
    assert not report.ok and report.imported == 0 and not Person.objects.exists()
    where = {(e.row, e.column) for e in report.errors}
    assert where == {(2, "入职日期"), (3, "出生日期"), (3, "用工形式")}


def test_import_qualifications_by_staff_number(make_person):
    person = make_person(quals=())
    report = run("qualifications", csv_bytes(
        "工号,类别,证书编号,发证机关,有效期起,有效期止",
        f"{person.staff_no},二级注册计量师,RM2-IM-1,江苏省市场监督管理局,2022-01-01,2027-01-01",
        "NOBODY,rm1,RM1-IM-1,国家市场监督管理总局,2022-01-01,",
    ))
    assert [(e.row, e.column) for e in report.errors] == [(3, "工号")]
    report = run("qualifications", csv_bytes(
        "工号,类别,证书编号,发证机关,有效期起,有效期止",
        f"{person.staff_no},二级注册计量师,RM2-IM-1,江苏省市场监督管理局,2022-01-01,2027-01-01"))
    assert report.ok and Qualification.objects.get(number="RM2-IM-1").person == person


def test_import_authorizations_refers_to_scope_items_and_methods(make_person, scope):
    person = make_person()
    signatory = make_person()
    report = run("authorizations", csv_bytes(
        "工号,授权类别,有效期起,有效期止,能力范围条目,方法,专业领域,授权书编号",
        f"{person.staff_no},校准人员,2025-01-01,2027-12-31,E-01；CNAS L0001/E-02,JJF 1587,,IM-A1",
        f"{signatory.staff_no},授权签字人,2025-01-01,2027-12-31,,,电磁学、thermal,IM-A2",
    ))
    assert report.ok, report.errors
    cal = Authorization.objects.get(document_no="IM-A1")
    assert {s.code for s in cal.scope_items.all()} == {"E-01", "E-02"}
    assert Authorization.objects.get(document_no="IM-A2").metrology_fields == ["thermal", "electrical"]


def test_a_grant_the_rules_refuse_is_a_row_error_with_the_id(make_person, scope):
    person = make_person()
    report = run("authorizations", csv_bytes(
        "工号,授权类别,有效期起,专业领域",
        f"{person.staff_no},signatory,2025-01-01,电磁学;热学;力学;几何量",
        f"{person.staff_no},校准人员,2025-01-01,",
        f"{person.staff_no},校准人员,2025-01-01,",
    ))
    assert not report.ok and not Authorization.objects.exists()
    assert "PER-2" in report.errors[0].reason
    assert {e.column for e in report.errors[1:]} == {"能力范围条目", "方法"}


def test_unknown_scope_items_and_methods_are_cell_errors(make_person):
    person = make_person()
    report = run("authorizations", csv_bytes(
        "工号,授权类别,有效期起,能力范围条目,方法",
        f"{person.staff_no},校准人员,2025-01-01,X-99,JJF 9999"), commit=False)
    assert {e.column for e in report.errors} == {"能力范围条目", "方法"}


def test_a_revoked_authorization_from_the_labs_history_imports(make_person):
    person = make_person()
    report = run("authorizations", csv_bytes(
        "工号,授权类别,有效期起,撤销日期,撤销原因",
        f"{person.staff_no},监督员,2020-01-01,2021-01-01,调岗"))
    assert report.ok, report.errors
    assert Authorization.objects.get().validity_on(dt.date(2026, 1, 1)) == "revoked"


@pytest.mark.parametrize("name", ["staff", "qualifications", "authorizations"])
def test_an_export_imports_again(make_person, grant, scope, name):
    person = make_person(site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv, scope.acv], methods=[scope.dmm], document_no="EX-1")
    grant(person, AK.SIGNATORY, metrology_fields=["electrical", "thermal"], document_no="EX-2")
    spec = imports.specs()[name]
    exported = imports.export_rows(spec, fmt="csv")
    before = [list(r) for r in imports.read_table(exported, "x.csv")]
    model = spec.queryset().model
    # wipe the rows (not through a service: only to show that the file alone brings them back)
    from caltrace.core import audit

    with audit.audit_context(actor="system:test"):
        if name == "staff":
            Authorization.objects.all().delete()
            Qualification.objects.all().delete()
            from caltrace.people.models import TrainingAttendance, Training

            TrainingAttendance.objects.all().delete()
            Training.objects.all().delete()
        model.objects.all().delete()
    report = imports.run_import(spec, exported, "x.csv", dry_run=False)
    assert report.ok, report.errors
    again = [list(r) for r in imports.read_table(imports.export_rows(spec, fmt="csv"), "x.csv")]
    assert again == before
