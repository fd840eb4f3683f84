"""Due items for expiring qualifications and authorizations, and the people part of the demo lab."""

import datetime as dt

import pytest
from django.utils import timezone

from caltrace.core import roles
from caltrace.core.models import AuditEntry
from caltrace.core.reminders import due_items
from caltrace.people import reminders, selectors
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.factories import AuthorizationFactory, QualificationFactory
from caltrace.people.services import do_update_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SOON = TODAY + dt.timedelta(days=30)


def test_expiring_qualifications_and_authorizations_are_due(make_person, user_in):
    manager = user_in(roles.LAB_MANAGER)
    user = user_in("")
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), TODAY + dt.timedelta(days=5))])
    person = do_update_person(person)  # unchanged
    person.user = user
    person.save(update_fields=["user"])
    auth = AuthorizationFactory(person=person, kind=AK.SIGNATORY, metrology_fields=["thermal"],
                                valid_from=dt.date(2020, 1, 1), valid_until=TODAY - dt.timedelta(days=3))
    items = reminders.due(SOON)
    assert [(i.kind, i.due_on) for i in items] == [("qualification", TODAY + dt.timedelta(days=5)),
                                                   ("authorization", auth.valid_until)]
    assert all(i.responsible == (user.pk, manager.pk) for i in items)
    assert items[0].url == f"/people/{person.pk}/" and person.name in items[0].label_zh
    assert "registered metrologist" in items[0].label_en
    assert items[1].overdue_on(TODAY)


def test_a_renewed_record_is_not_due(make_person):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), TODAY + dt.timedelta(days=5))])
    QualificationFactory(person=person, kind=QK.REGISTERED_METROLOGIST_2, valid_from=TODAY,
                         valid_until=TODAY + dt.timedelta(days=1800))
    AuthorizationFactory(person=person, kind=AK.SIGNATORY, metrology_fields=["thermal", "electrical"],
                         valid_from=dt.date(2020, 1, 1), valid_until=TODAY + dt.timedelta(days=3))
    AuthorizationFactory(person=person, kind=AK.SIGNATORY, metrology_fields=["thermal"],
                         valid_from=TODAY, valid_until=TODAY + dt.timedelta(days=700))
    items = reminders.due(SOON)
    # the qualification was renewed; the authorization's renewal left out a field, so it is still due
    assert [i.kind for i in items] == ["authorization"]


def test_revoked_records_and_staff_who_left_are_not_due(make_person):
    gone = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), TODAY)],
                       left_on=TODAY - dt.timedelta(days=1))
    AuthorizationFactory(person=gone, kind=AK.SUPERVISOR, valid_until=TODAY)
    AuthorizationFactory(kind=AK.SUPERVISOR, valid_until=TODAY, revoked_on=TODAY - dt.timedelta(days=1),
                         revoke_reason="调岗")
    assert reminders.due(SOON) == []


def test_the_core_collects_them(make_person):
    make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), TODAY)])
    assert any(i.kind == "qualification" for i in due_items(SOON))


# --- the demo lab ---------------------------------------------------------------------------------


@pytest.fixture
def demo():
    from caltrace.demo.seed import BASE_DEMOS, seed

    seed(apps=BASE_DEMOS)
    return {p.staff_no: p for p in selectors.Person.objects.all()}


def test_demo_shows_every_status(demo):
    from caltrace.people.models import Authorization

    statuses = {a.validity_on(TODAY) for a in Authorization.objects.all()}
    assert statuses == {"valid", "expiring", "lapsed", "revoked", "not_yet"}


def test_demo_has_a_lapsed_signatory_and_overdue_integrity_training(demo):
    zhengwei = demo["MH-010"]
    lapsed = zhengwei.authorizations.get(kind=AK.SIGNATORY)
    assert lapsed.validity_on(TODAY) == "lapsed"
    assert selectors.signatory_fields(zhengwei, TODAY) == set()
    assert selectors.integrity_training_status(demo["MH-007"], TODAY).overdue
    assert not selectors.integrity_training_status(demo["MH-006"], TODAY).overdue


def test_demo_staff_may_do_their_work_today(demo):
    sunhao = selectors.permissions_on(demo["MH-006"], TODAY)
    assert sunhao and all(p.authorization.kind == AK.CALIBRATOR for p in sunhao)
    assert all(p.allowed for p in sunhao), [v for p in sunhao for v in p.violations]
    for staff_no in ("MH-004", "MH-005", "MH-009", "MH-002"):
        rows = selectors.permissions_on(demo[staff_no], TODAY)
        assert rows and all(p.allowed for p in rows), staff_no
    coverage = {r.code: r.covered for r in selectors.role_coverage(TODAY)}
    assert all(coverage.values()), coverage


def test_demo_is_idempotent(demo):
    from caltrace.demo.seed import BASE_DEMOS, seed

    before = AuditEntry.objects.count()
    seed(apps=BASE_DEMOS)
    assert AuditEntry.objects.count() == before
