"""Due items on the dashboard: each user sees the items they are responsible for."""

import datetime as dt

import pytest
from django.utils import timezone

from caltrace.core import reminders
from caltrace.core.reminders import DueItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(monkeypatch, make_user):
    eq = make_user("eqm", roles=["equipment_manager"])
    other = make_user("qm", roles=["quality_manager"])
    today = timezone.localdate()
    found = [
        DueItem("traceability", "标准器 STD-001 溯源到期", "STD-001 traceability due", today - dt.timedelta(days=2),
                "/equipment/1/", (eq.pk,)),
        DueItem("check", "STD-002 期间核查", "STD-002 intermediate check", today + dt.timedelta(days=10), "",
                (eq.pk,)),
    ]
    monkeypatch.setattr(reminders, "due_items", lambda until: [i for i in found if i.due_on <= until])
    return eq, other


def test_dashboard_lists_my_due_items_and_marks_the_overdue(client, items):
    eq, _other = items
    client.force_login(eq)
    page = client.get("/").content.decode()
    assert "标准器 STD-001 溯源到期" in page and "STD-002 期间核查" in page
    assert "已过期" in page and 'href="/equipment/1/"' in page


def test_dashboard_shows_nobody_elses_items(client, items):
    _eq, other = items
    client.force_login(other)
    page = client.get("/").content.decode()
    assert "STD-001" not in page and "近期没有到期事项" in page


def test_due_for_filters_by_responsible_user(items):
    eq, other = items
    until = timezone.localdate() + dt.timedelta(days=30)
    assert [i.kind for i in reminders.due_for(eq, until)] == ["traceability", "check"]
    assert reminders.due_for(other, until) == []


def test_every_app_reminder_module_answers(make_user, client):
    """The real collection over the installed apps works (no stand-in)."""
    until = timezone.localdate() + dt.timedelta(days=30)
    assert all(isinstance(i, DueItem) for i in reminders.due_items(until))
    client.force_login(make_user("cal", roles=["calibrator"]))
    assert client.get("/").status_code == 200


def test_daily_task_mails_each_responsible_user_once_a_day(items, mailoutbox, django_capture_on_commit_callbacks):
    from caltrace.core.models import AuditEntry, ReminderDigest
    from caltrace.core.tasks import daily_reminders

    eq, _other = items
    eq.email = "eq@lab.example"
    eq.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_reminders.call_local() == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["eq@lab.example"]
    assert "STD-001" in mail.body and "已过期 / OVERDUE" in mail.body and "STD-002" in mail.body
    assert ReminderDigest.objects.get().item_count == 2
    assert AuditEntry.objects.filter(model="core.ReminderDigest").latest("seq").actor == \
        "system:task:daily_reminders"
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_reminders.call_local() == 0  # a second run the same day mails nobody again
    assert len(mailoutbox) == 1


def test_no_mail_is_sent_when_the_transaction_rolls_back(items, mailoutbox):
    from django.db import transaction

    from caltrace.core import reminders as r

    eq, _other = items
    eq.email = "eq@lab.example"
    eq.save()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            r.send_daily_digests(timezone.localdate(), 30)
            raise RuntimeError("boom")
    assert mailoutbox == []
