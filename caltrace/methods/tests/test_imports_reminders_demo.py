"""Bringing methods in from a spreadsheet and out again; withdrawal reminders; the demo lab's methods."""

import datetime as dt

import pytest
from django.utils import timezone

from caltrace.core import imports, roles
from caltrace.core.models import AuditEntry
from caltrace.core.reminders import due_items
from caltrace.demo.seed import BASE_DEMOS, seed
from caltrace.methods import reminders
from caltrace.methods.choices import VersionStatus
from caltrace.methods.factories import MethodVersionFactory
from caltrace.methods.models import Method, MethodValidation, MethodVersion
from caltrace.methods.selectors import badge_for, warnings_for
from caltrace.integrity import registry
from caltrace.integrity.work import JOB_START, Work

pytestmark = pytest.mark.django_db

HEADER = ["方法编号", "类别", "名称", "英文名称", "版本(年代号)", "实施日期", "废止日期", "被代替为"]


def csv_bytes(rows) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def spec():
    return imports.specs()["methods"]


def test_import_one_row_per_edition_with_supersession():
    data = csv_bytes([HEADER,
                      ["JJG 1036", "计量检定规程(JJG)", "电子天平", "Electronic Balances", "2022", "2023-03-27", "", ""],
                      ["JJG 1036", "jjg", "电子天平", "", "2008", "2008-05-20", "", "JJG 1036-2022"],
                      ["ISO 6789-1", "iso", "扭矩工具", "", "2017", "2017-04-01", "", ""]])
    report = imports.run_import(spec(), data, "m.csv", dry_run=False)
    assert report.ok, report.errors
    assert report.imported == 3
    old = MethodVersion.objects.get(method__code="JJG 1036", edition="2008")
    assert old.superseded_by.edition == "2022" and old.withdrawn_on == dt.date(2023, 3, 27)
    assert Method.objects.count() == 2


def test_import_reports_every_bad_row_and_writes_nothing():
    data = csv_bytes([HEADER,
                      ["JJF 1587", "jjf", "数字多用表校准规范", "", "2016", "2016-12-27", "", ""],
                      ["JJF 1587-2016", "jjf", "x", "", "2016", "2016-12-27", "", ""],
                      ["JJF 1638", "规范", "多功能标准源", "", "2017", "2018-03-26", "", ""],
                      ["JJF 1001", "jjf", "通用计量术语及定义", "", "2011", "2012-03-01", "", "JJF 1001-2099"],
                      ["JJF 1002", "jjf", "x", "", "2011", "2012/03/01", "2011-01-01", ""]])
    report = imports.run_import(spec(), data, "m.csv", dry_run=False)
    assert not report.ok and report.imported == 0
    where = {(e.row, e.column) for e in report.errors}
    assert {(3, "方法编号"), (4, "类别"), (5, "被代替为"), (6, "废止日期")} <= where
    assert not Method.objects.exists()


def test_export_imports_again_into_an_empty_registry():
    old = MethodVersionFactory(method__code="JJF 1059", edition="1999", effective_on=dt.date(1999, 5, 1))
    new = MethodVersionFactory(method__code="JJF 1059.1", edition="2012", effective_on=dt.date(2013, 6, 3),
                               min_duration_minutes=30)
    from caltrace.methods.services import do_supersede_method_version

    do_supersede_method_version(old, new)
    exported = imports.export_rows(spec(), fmt="xlsx")
    again = imports.export_rows(spec(), fmt="csv")
    assert "JJF 1059.1-2012".encode() in again
    report = imports.run_import(spec(), exported, "m.xlsx", dry_run=False)
    assert report.ok and report.imported == 2  # the same rows: left as they are
    assert AuditEntry.objects.filter(reason="import methods").count() == 0


def test_reminders_list_coming_withdrawals_for_the_technical_director(make_user):
    today = timezone.localdate()
    td = make_user("td", roles=[roles.TECHNICAL_DIRECTOR])
    make_user("cal", roles=[roles.CALIBRATOR])
    soon = MethodVersionFactory(effective_on=dt.date(2015, 1, 1), withdrawn_on=today + dt.timedelta(days=20))
    MethodVersionFactory(effective_on=dt.date(2015, 1, 1), withdrawn_on=today + dt.timedelta(days=200))
    MethodVersionFactory(effective_on=dt.date(2000, 1, 1), withdrawn_on=dt.date(2010, 1, 1))  # long done
    items = reminders.due(today + dt.timedelta(days=30))
    assert [(i.kind, i.due_on) for i in items] == [("method_withdrawal", soon.withdrawn_on)]
    assert items[0].responsible == (td.pk,) and soon.designation in items[0].label_zh
    assert items[0].url.endswith(f"/methods/{soon.method_id}/")
    assert any(i.kind == "method_withdrawal" for i in due_items(today + dt.timedelta(days=30)))


def test_a_past_withdrawal_in_the_accredited_scope_stays_due():
    from decimal import Decimal

    from caltrace.org.factories import SiteFactory
    from caltrace.org.services import do_add_qualification_certificate, do_add_scope_item

    today = timezone.localdate()
    done = MethodVersionFactory(effective_on=dt.date(2000, 1, 1), withdrawn_on=dt.date(2010, 1, 1))
    assert reminders.due(today) == []
    site = SiteFactory()
    cert = do_add_qualification_certificate(site.agency, kind="accreditation", number="CNAS L0001", issuer="CNAS",
                                            valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
    do_add_scope_item(cert, code="1", field="electrical", quantity="直流电压", item_type="数字多用表",
                      range_min=Decimal(0), range_max=Decimal(1000), unit="V", cmc_form="absolute",
                      cmc_a=Decimal("0.001"), methods=[done.method], sites=[site])
    assert [i.due_on for i in reminders.due(today)] == [dt.date(2010, 1, 1)]


def test_demo_lab_shows_limits_a_withdrawn_version_a_warning_and_a_validation():
    seed(apps=BASE_DEMOS)
    today = timezone.localdate()
    dmm = MethodVersion.objects.get(method__code="JJF 1587", edition="2016")
    assert dmm.min_duration_minutes and {lim.condition for lim in dmm.environment_limits()} >= {"temperature",
                                                                                                 "humidity"}
    assert dmm.required_record_fields()
    for code, edition in (("JJG 1036", "2022"), ("JJG 229", "2010")):
        v = MethodVersion.objects.get(method__code=code, edition=edition)
        assert v.environment_limits() and v.record_fields.exists() and v.min_duration_minutes
    withdrawn = MethodVersion.objects.get(method__code="MH/ZY-01")
    assert withdrawn.status_on(today) == VersionStatus.WITHDRAWN
    soon = MethodVersion.objects.get(method__code="MH/ZY-02")
    assert badge_for(soon, today).code == "withdrawal_soon" and warnings_for(soon, today)
    in_house = MethodVersion.objects.get(method__code="MH/ZY-03")
    assert MethodValidation.objects.get(version=in_house).is_valid_on(today)
    found = registry.check(JOB_START, Work(at=today, method_version=in_house, customer_consent=True))
    assert not [v for v in found if v.rule_id in ("VAL-1", "DIG-5", "MTH-2")]
    refused = registry.check(JOB_START, Work(at=today, method_version=withdrawn, customer_consent=True))
    assert {"VAL-1", "DIG-5"} <= {v.rule_id for v in refused}
    entries = AuditEntry.objects.count()
    seed(apps=BASE_DEMOS)
    assert AuditEntry.objects.count() == entries


def test_reminders_take_a_fixed_number_of_queries(make_user, django_assert_max_num_queries):
    make_user("td", roles=[roles.TECHNICAL_DIRECTOR])
    today = timezone.localdate()
    for year in range(2000, 2010):
        MethodVersionFactory(effective_on=dt.date(year, 1, 1), withdrawn_on=dt.date(year + 5, 1, 1))
        MethodVersionFactory(effective_on=dt.date(year, 1, 1), withdrawn_on=today + dt.timedelta(days=year - 1990))
    with django_assert_max_num_queries(2):
        assert len(reminders.due(today + dt.timedelta(days=30))) == 10
