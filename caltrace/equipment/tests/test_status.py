"""The derived status: every state, its precedence, the due-soon window, and one query for a list."""

import pytest

from caltrace.equipment import services
from caltrace.equipment.choices import EquipmentStatus as S
from caltrace.equipment.choices import ServiceEventKind, VerificationPurpose
from caltrace.equipment.factories import EquipmentFactory, days, make_usable, trace, verify
from caltrace.equipment.models import Equipment
from caltrace.equipment.selectors import next_check_due, status_of, time_left, with_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def window(settings):
    settings.CALTRACE = {**settings.CALTRACE, "DUE_SOON_DAYS": 30}


def test_in_service_due_soon_and_overdue_follow_the_due_date():
    assert status_of(make_usable(due=31)) == S.IN_SERVICE
    assert status_of(make_usable(due=30)) == S.DUE_SOON
    assert status_of(make_usable(due=0)) == S.DUE_SOON
    assert status_of(make_usable(due=-1)) == S.OVERDUE


def test_the_window_comes_from_the_settings(settings):
    eq = make_usable(due=45)
    assert status_of(eq) == S.IN_SERVICE
    settings.CALTRACE = {**settings.CALTRACE, "DUE_SOON_DAYS": 60}
    assert status_of(eq) == S.DUE_SOON


def test_unconfirmed_and_failed_confirmation():
    assert status_of(make_usable(confirm=False)) == S.UNCONFIRMED
    assert status_of(make_usable(passed=False)) == S.UNCONFIRMED


def test_untraced_and_unverified():
    eq = EquipmentFactory()
    assert status_of(eq) == S.UNVERIFIED
    verify(eq)
    assert status_of(eq) == S.UNTRACED
    trace(eq)
    assert status_of(eq) == S.IN_SERVICE


def test_out_of_service_repair_return_and_retirement():
    eq = make_usable()
    services.do_take_out_of_service(eq, kind=ServiceEventKind.OUT_OF_SERVICE, on=days(-5), reason="跌落")
    assert status_of(eq) == S.OUT_OF_SERVICE
    services.do_take_out_of_service(eq, kind=ServiceEventKind.REPAIR, on=days(-4), reason="送厂家维修")
    assert status_of(eq) == S.OUT_OF_SERVICE
    assert status_of(eq, days(-6)) == S.IN_SERVICE
    verify(eq, on=-1, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    assert status_of(eq) == S.IN_SERVICE
    services.do_take_out_of_service(eq, kind=ServiceEventKind.RETIRED, on=days(0), reason="无法修复")
    assert status_of(eq) == S.RETIRED


def test_precedence_out_of_service_before_overdue_before_unconfirmed():
    eq = make_usable(due=-1, confirm=False)
    assert status_of(eq) == S.OVERDUE
    services.do_take_out_of_service(eq, kind=ServiceEventKind.OUT_OF_SERVICE, on=days(0), reason="过期停用")
    assert status_of(eq) == S.OUT_OF_SERVICE


def test_kinds_without_certificates_are_in_service_once_verified():
    software = EquipmentFactory(software=True)
    verify(software)
    assert status_of(software) == S.IN_SERVICE
    rm = make_usable(EquipmentFactory(reference_material=True), due=10)
    assert status_of(rm) == S.DUE_SOON  # no confirmation needed for a reference material


def test_a_list_costs_one_query_however_long(django_assert_num_queries):
    for n in range(12):
        make_usable(due=n * 20 - 40, confirm=n % 3 != 0)
    with django_assert_num_queries(1):
        rows = list(with_status())
    assert {r.status for r in rows} >= {S.IN_SERVICE, S.DUE_SOON, S.OVERDUE, S.UNCONFIRMED}
    with django_assert_num_queries(1):
        assert all(r.status == S.OVERDUE for r in with_status().filter(status=S.OVERDUE))


def test_next_check_and_time_left():
    eq = make_usable(performed=-100, due=265)
    services.do_update_equipment(eq, check_interval_days=90)
    row = with_status(Equipment.objects.filter(pk=eq.pk)).get()
    assert next_check_due(row) == days(-10)  # from the calibration, before any check
    services.do_record_check(eq, performed_on=days(-5), method="核查标准比对", result="合格", passed=True)
    row = with_status(Equipment.objects.filter(pk=eq.pk)).get()
    assert next_check_due(row) == days(85)
    left = time_left(row)
    assert (left.total_days, left.left_days, left.level) == (365, 265, "ok")
    assert left.percent_left == 73
