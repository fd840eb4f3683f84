"""Recall (DIG-7): the reminder mail goes out once, and its one-click link re-applies."""

import datetime as dt

import pytest
from django.core import mail, signing

from caltrace.core.workflows import transition
from caltrace.orders import reminders, services
from caltrace.orders.factories import make_lab
from caltrace.orders.models import Order
from caltrace.orders.tasks import send_recall_reminders

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 3, 1)


@pytest.fixture
def lab(make_user):
    return make_lab(make_user)


@pytest.fixture
def issued(lab):
    """A closed order's two items, calibrated 2026-03-20 (due 2027-03-20) and 2026-06-30 (due 2027-06-30)."""
    order, _code = services.do_create_order(lab.customer, items=[lab.item(), lab.item(serial_no="MY002")],
                                            actor=lab.customer_user, contact=lab.contact)
    services.do_submit_order(order, actor=lab.customer_user)
    for item in order.items.all():
        services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    services.do_complete_review(order, actor=lab.reception)
    services.do_accept_order(order, actor=lab.customer_user)
    items = []
    for item, day in zip(order.items.all(), (dt.date(2026, 3, 20), dt.date(2026, 6, 30))):
        item = services.do_receive_item(item, actor=lab.reception, condition="完好")
        for name in ("start", "finish", "issue"):
            item = transition(item, name, actor=lab.calibrator)
        items.append(services.do_set_next_due(item, calibrated_on=day, actor=lab.calibrator))
    return items


def test_next_due_follows_the_recalibration_interval(issued):
    assert [i.next_due_on for i in issued] == [dt.date(2027, 3, 20), dt.date(2027, 6, 30)]
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_the_reminder_is_sent_once_for_items_falling_due(lab, issued, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_recall_reminders(TODAY) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@customer.example"]
    assert "MY001" in message.body and "MY002" not in message.body  # the second falls due in June
    link = next(w for w in message.body.split() if "/portal/reapply/" in w)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert [i.pk for i in reminders.items_from_token(token)] == [issued[0].pk]
    issued[0].refresh_from_db()
    assert issued[0].recall_sent_on == TODAY

    with django_capture_on_commit_callbacks(execute=True):
        assert send_recall_reminders(TODAY + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_recall_reminders(dt.date(2027, 6, 1)) == 1  # now the second one
    assert "MY002" in mail.outbox[-1].body and "MY001" not in mail.outbox[-1].body


def test_a_token_is_refused_when_forged_or_expired(issued):
    token = reminders.reapply_token(issued)
    assert [i.pk for i in reminders.items_from_token(token)] == sorted(i.pk for i in issued)
    assert reminders.items_from_token(token[:-2] + "xx") == []
    assert reminders.items_from_token("garbage") == []
    forged = signing.dumps({"items": [issued[0].pk]}, salt="another-salt")
    assert reminders.items_from_token(forged) == []
    assert reminders.items_from_token(token, max_age_days=-1) == []


def test_reapplication_creates_a_submitted_order_with_the_same_instruments(lab, issued):
    items = reminders.items_from_token(reminders.reapply_token(issued))
    order, code = services.do_reapply(items, actor=lab.customer_user)
    assert order.status == "submitted" and order.reapplication_of == issued[0].order
    assert order.contact == lab.contact and order.submitted_by == lab.customer_user
    fields = ("instrument_type", "manufacturer", "model", "serial_no", "range_min", "range_max", "unit")
    assert ([tuple(getattr(i, f) for f in fields) for i in order.items.all()]
            == [tuple(getattr(i, f) for f in fields) for i in issued])
    assert all(i.status == "requested" and i.identification is None for i in order.items.all())
    from caltrace.orders.selectors import lookup_status

    assert lookup_status(order.number, code) == order
    assert Order.objects.count() == 2


def test_reapplication_is_only_for_the_customer_or_reception(lab, issued, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_reapply(issued, actor=lab.calibrator)
