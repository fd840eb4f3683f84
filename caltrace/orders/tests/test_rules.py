"""CON-1 and CON-2 at the four moments of work, each with a refusal and the lawful path."""

import pytest
from django.utils import timezone

from caltrace.integrity import registry
from caltrace.integrity.work import WORK_EVENTS, Work
from caltrace.orders import services
from caltrace.orders.choices import DeviationKind
from caltrace.orders.factories import make_lab

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(make_user):
    return make_lab(make_user)


def ids(event, work, rule_ids=("CON-1", "CON-2")):
    return sorted({v.rule_id for v in registry.check(event, work) if v.rule_id in rule_ids})


def work_for(lab, item, **changes):
    fields = {"at": timezone.localdate(), "scope_item": lab.scope_item, "method_version": lab.version,
              "extra": {"order_item": item}}
    fields.update(changes)
    return Work(**fields)


def order_at_review(lab, *, deviation=False):
    order, _code = services.do_create_order(lab.customer, items=[lab.item()], actor=lab.customer_user,
                                            contact=lab.contact)
    services.do_submit_order(order, actor=lab.customer_user)
    item = order.items.get()
    services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    if deviation:
        services.do_record_deviation(item, kind=DeviationKind.DIFFERENT_METHOD, description="按 JJF 1587 代替客户要求的方法",
                                     actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    return order, item


def test_both_rules_are_bound_to_every_work_event():
    for event in WORK_EVENTS:
        found = {r.id for r in registry.rules(event)}
        assert {"CON-1", "CON-2"} <= found
    assert [r.id for r in registry.rules("quote.make")] == ["MKT-2"]


@pytest.mark.parametrize("event", WORK_EVENTS)
def test_con1_refuses_work_before_the_review_is_complete_and_accepted(lab, event):
    order, item = order_at_review(lab)
    assert ids(event, work_for(lab, item)) == ["CON-1"]
    services.do_complete_review(order, actor=lab.reception)
    assert ids(event, work_for(lab, item)) == ["CON-1"]  # the customer has not accepted yet
    services.do_accept_order(order, actor=lab.customer_user)
    assert ids(event, work_for(lab, item)) == []


def test_con1_refuses_work_under_another_scope_item_or_method_version(lab):
    from caltrace.methods.factories import MethodVersionFactory
    from caltrace.org.factories import ScopeItemFactory

    order, item = order_at_review(lab)
    services.do_complete_review(order, actor=lab.reception)
    services.do_accept_order(order, actor=lab.customer_user)
    other_version = MethodVersionFactory(method=lab.method, edition="2026", effective_on=lab.version.effective_on)
    other_item = ScopeItemFactory(certificate=lab.scope_item.certificate, methods=[lab.method])
    for work in (work_for(lab, item, method_version=other_version), work_for(lab, item, scope_item=other_item),
                 work_for(lab, item, scope_item=None)):
        violations = [v for v in registry.check("job.assign", work) if v.rule_id == "CON-1"]
        assert len(violations) == 1 and "contract review settled" in violations[0].en
    assert ids("job.assign", work_for(lab, item)) == []


def test_con2_refuses_work_while_a_deviation_is_not_accepted(lab):
    order, item = order_at_review(lab, deviation=True)
    services.do_complete_review(order, actor=lab.reception)
    deviation = item.deviations.get()
    assert ids("job.start", work_for(lab, item)) == ["CON-1", "CON-2"]
    services.do_decide_deviation(deviation, accept=True, actor=lab.customer_user)
    services.do_accept_order(order, actor=lab.customer_user)
    for event in WORK_EVENTS:
        assert ids(event, work_for(lab, item)) == []
    # a deviation found later (a method deviation during the work) stops the work until accepted
    later = services.do_record_deviation(item, kind=DeviationKind.METHOD_DEVIATION, description="预热时间缩短为 30 min",
                                         actor=lab.reception)
    assert ids("record.sign_off", work_for(lab, item)) == ["CON-2"]
    services.do_decide_deviation(later, accept=False, actor=lab.customer_user, comment="不同意")
    assert ids("certificate.issue", work_for(lab, item)) == ["CON-2"]


def test_a_refusal_names_the_rule_through_enforce(lab, scratch_registry):
    import importlib

    from caltrace.orders import rules

    importlib.reload(rules)  # register CON-1/CON-2 alone in the scratch registry
    _order, item = order_at_review(lab)
    with pytest.raises(registry.RuleViolation) as exc:
        scratch_registry.enforce("job.start", work_for(lab, item))
    assert exc.value.rule_ids == ["CON-1"]


def test_work_without_an_order_item_is_not_judged(lab):
    work = Work(at=timezone.localdate(), scope_item=lab.scope_item, method_version=lab.version)
    for event in WORK_EVENTS:
        assert ids(event, work) == []
