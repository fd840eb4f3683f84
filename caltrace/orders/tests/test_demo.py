"""The demo lab's business flow: one order in each state a newcomer should see, made through the
services; idempotent; the ledger intact; and the assigned job runs on the simulated bench."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from caltrace.core import ledger
from caltrace.core.models import AuditEntry
from caltrace.orders import demo, selectors
from caltrace.orders.models import Order, OrderItem, PriceListEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cheap(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path


def _order(serial: str) -> Order:
    return OrderItem.objects.select_related("order").get(serial_no=serial).order


def _job(serial: str):
    from caltrace.calibration.models import Job

    return Job.objects.select_related("calibrator__user").get(order_item__serial_no=serial)


def test_the_demo_has_an_order_in_each_state_and_a_second_seed_writes_nothing():
    from caltrace.demo.seed import seed
    from caltrace.integrity.models import Finding

    seed()

    # the price list: four scope items, one priced below its cost (MKT-2)
    entries = list(PriceListEntry.objects.all())
    assert len(entries) == 4 and sum(e.price < e.cost for e in entries) == 1

    submitted = _order("3721045")
    assert submitted.status == "submitted" and submitted.submitted_by.username == "chenjing"
    proposals = selectors.propose_all(submitted)
    by_type = {i.instrument_type: proposals[i.pk] for i in submitted.items.all()}
    assert by_type["数字多用表"].ok
    assert "out_of_scope" in by_type["数字示波器"].codes

    deviation = _order("0034805211")
    assert deviation.status == "awaiting_customer" and deviation.customer.contacts.filter(user__username="xuliang")
    assert deviation.items.get().deviations.get().status == "pending"

    below_cost = _order("4450123")
    quote = below_cost.quotes.get()
    assert below_cost.status == "submitted" and quote.status == "pending_approval" and quote.total < quote.cost
    assert Finding.objects.filter(rule_id="MKT-2").exists()

    accepted = _order("MY57234561")
    assert accepted.status == "accepted" and accepted.drop_off_on == timezone.localdate() + dt.timedelta(days=2)
    assert accepted.items.get().status == "reviewed"

    assigned = _job("MY60012345")
    item = assigned.order_item
    assert assigned.status == "assigned" and assigned.calibrator.user.username == "sunhao"
    assert assigned.procedure.code == "ZY-DCV-01" and item.status == "received" and item.identification
    assert {(u.equipment.asset_no, u.role) for u in assigned.equipment_uses.all()} == {
        ("MH-E-001", "source"), ("MH-E-003", "environment")}

    signed_off = _job("B950187263")
    assert signed_off.status == "signed_off" and signed_off.order_item.status == "calibrated"
    assert signed_off.certificate_id is None

    on_site = _order("HT-2024-0311")
    assert on_site.on_site and on_site.status == "accepted" and on_site.visit_on > timezone.localdate()
    assert on_site.customer.name == "苏州吴江恒通电力设备有限公司" and on_site.items.count() == 2

    result = ledger.verify()
    assert result.ok, result.problems

    entries_before, orders_before = AuditEntry.objects.count(), Order.objects.count()
    seed()
    assert AuditEntry.objects.count() == entries_before and Order.objects.count() == orders_before


def test_a_visitor_runs_the_assigned_job_and_reviews_the_signed_off_one():
    """The orders demo on the base demo with the calibration procedures (without the calibration
    demo's certificates): 孙浩 runs his job on the simulated bench, 赵敏 reviews the other."""
    from caltrace.calibration import jobs, services
    from caltrace.calibration import demo as calibration_demo
    from caltrace.demo.seed import BASE_DEMOS, seed
    from caltrace.methods.models import MethodVersion

    seed(apps=BASE_DEMOS)
    for code in ("ZY-DCV-01", "ZY-BAL-01"):
        spec = calibration_demo.PROCEDURES[code]
        services.do_create_procedure(
            method_version=MethodVersion.objects.get(method__code=spec["version"][0], edition=spec["version"][1]),
            code=code, name_zh=spec["name_zh"], kind=spec["kind"], quantity=spec["quantity"], unit=spec["unit"],
            model_key=spec["model_key"], readings_per_point=spec["readings_per_point"],
            points=[{"nominal": n, "setting": s, "unit": u} for n, s, u in spec["points"]], actor="system:test")
    demo.seed(timezone.localdate())
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["sunhao", "zhaomin"])}

    job = jobs.do_start_job(_job("MY60012345"), actor=users["sunhao"])
    spec = calibration_demo.PROCEDURES["ZY-DCV-01"]
    now = timezone.now().isoformat()
    jobs.do_job_conditions(job, [{"condition": c, "value": v, "unit": u, "at": now} for c, v, u in spec["conditions"]],
                           actor=users["sunhao"])
    jobs.do_job_fields(job, spec["fields"], actor=users["sunhao"])
    jobs.do_job_run(job, actor=users["sunhao"])
    assert jobs.do_sign_off_job(job, actor=users["sunhao"]).status == "signed_off"

    reviewer = users["zhaomin"].person
    reviewed = jobs.do_review_job(_job("B950187263"), reviewer=reviewer, actor=users["zhaomin"])
    assert reviewed.status == "reviewed"
