"""The business flow through the services: one order from application to hand-over, and each refusal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from caltrace.core.workflows import TransitionError, transition
from caltrace.integrity.models import Finding
from caltrace.orders import selectors, services
from caltrace.orders.choices import DeviationKind, DeviationStatus, QuoteStatus
from caltrace.orders.factories import make_lab
from caltrace.orders.models import Order, OrderEvent, hash_access_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(make_user):
    return make_lab(make_user)


def create(lab, **kwargs):
    kwargs.setdefault("items", [lab.item()])
    kwargs.setdefault("contact", lab.contact)
    return services.do_create_order(lab.customer, actor=lab.customer_user, **kwargs)


def reviewed_order(lab, *, deviation=False, **kwargs):
    order, code = create(lab, **kwargs)
    services.do_submit_order(order, actor=lab.customer_user)
    for item in order.items.all():
        services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
        if deviation:
            services.do_record_deviation(item, kind=DeviationKind.OUTSIDE_RANGE, description="增加 1100 V 校准点",
                                         actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    return Order.objects.get(pk=order.pk), code


def accepted_order(lab, **kwargs):
    order, code = reviewed_order(lab, **kwargs)
    services.do_complete_review(order, actor=lab.reception)
    services.do_accept_order(order, actor=lab.customer_user)
    return Order.objects.get(pk=order.pk), code


def issue(item, actor):
    for name in ("start", "finish", "issue"):
        item = transition(item, name, actor=actor)
    return item


def test_a_whole_order_from_application_to_hand_over(lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order, code = create(lab, items=[lab.item(), lab.item(serial_no="MY002", quantity=2)])
    assert order.status == "draft" and order.number.startswith("WT") and order.site == lab.site
    assert order.access_code_hash == hash_access_code(code) and code not in order.access_code_hash
    assert order.submitted_by == lab.customer_user and order.items.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        order = services.do_submit_order(order, actor=lab.customer_user)
    assert order.status == "submitted" and order.submitted_at is not None
    assert mail.outbox and mail.outbox[-1].to == ["buyer@customer.example"]

    proposals = selectors.propose_all(order)
    for item in order.items.all():
        proposal = proposals[item.pk]
        assert proposal.ok and (proposal.scope_item, proposal.method_version) == (lab.scope_item, lab.version)
        services.do_review_item(item, scope_item=proposal.scope_item, method_version=proposal.method_version,
                                actor=lab.reception, note="能力范围内")
    first = order.items.first()
    deviation = services.do_record_deviation(first, kind=DeviationKind.OUTSIDE_RANGE,
                                             description="客户要求增加 1100 V 校准点，超出能力范围", actor=lab.reception)
    quote = services.do_make_quote(order, actor=lab.reception)
    assert quote.status == QuoteStatus.DRAFT and quote.total == Decimal("900.00") and quote.lines.count() == 2
    assert not quote.below_cost

    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.do_complete_review(order, actor=lab.reception)
    assert order.status == "awaiting_customer" and order.reviewed_by == lab.reception
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    review_mail = mail.outbox[-1]
    assert len(mail.outbox) == sent_before + 1 and quote.number in review_mail.body
    assert "1100 V" in review_mail.body

    services.do_decide_deviation(deviation, accept=True, actor=lab.customer_user, comment="同意")
    order = services.do_accept_order(order, actor=lab.customer_user)
    assert order.status == "accepted" and order.accepted_at is not None
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    order = services.do_book_appointment(order, actor=lab.customer_user, drop_off_on=tomorrow,
                                         pick_up_on=tomorrow + dt.timedelta(days=7))
    assert order.drop_off_on == tomorrow

    items = list(order.items.all())
    received = [services.do_receive_item(i, actor=lab.reception, condition="外观完好",
                                         deviation="缺少测试线" if i == items[0] else "") for i in items]
    assert all(i.identification and i.identification.startswith("YP") for i in received)
    assert len({i.identification for i in received}) == 2
    order.refresh_from_db()
    assert order.status == "in_progress"
    assert selectors.find_by_code(f"  {received[0].identification.lower()}\n") == received[0]
    assert selectors.find_by_code(received[1].label_code) == received[1]
    assert selectors.find_by_code("nothing") is None

    for item in received:
        assert services.do_mark_ready_if_done(order, actor=lab.calibrator) is False
        issue(item, lab.calibrator)
    assert services.do_mark_ready_if_done(order, actor=lab.calibrator) is True
    order.refresh_from_db()
    assert order.status == "ready"

    services.do_hand_over(received[0], actor=lab.reception, method="hand", returned_to="王工")
    order.refresh_from_db()
    assert order.status == "ready"
    services.do_hand_over(received[1], actor=lab.reception, method="courier", courier_slip_no="SF123456789")
    order.refresh_from_db()
    assert order.status == "closed" and order.closed_at is not None

    timeline = list(selectors.public_timeline(order))
    kinds = [e.kind for e in timeline]
    assert {"status", "deviation", "appointment", "receipt", "return"} <= set(kinds)
    assert "缺少测试线" in " ".join(e.text_zh for e in timeline)
    assert all(e.public for e in timeline)
    assert OrderEvent.objects.filter(order=order, public=False).exists()  # review notes stay internal


def test_bad_input_names_the_field_and_saves_nothing(lab):
    with pytest.raises(ValidationError) as exc:
        create(lab, items=[lab.item(), lab.item(), lab.item(unit="zzq", instrument_type="")])
    assert {"items[2].unit", "items[2].instrument_type"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        create(lab, items=[lab.item(range_min=Decimal("10"), range_max=Decimal("1"))], location="on_site",
               conformity_wanted=True)
    assert {"items[0].range_max", "on_site_address", "conformity_specification"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        create(lab, items=[])
    assert "items" in exc.value.message_dict
    assert Order.objects.count() == 0


def test_on_site_orders_have_no_default_site_and_a_given_site_is_kept(lab):
    order, _code = create(lab, location="on_site", on_site_address="无锡市工厂路 8 号")
    assert order.site is None
    order, _code = create(lab, location="on_site", on_site_address="无锡市工厂路 8 号", site=lab.site)
    assert order.site == lab.site


def test_only_the_customer_or_reception_creates_an_order(lab, make_user):
    with pytest.raises(PermissionDenied):
        services.do_create_order(lab.customer, items=[lab.item()], actor=lab.calibrator)
    order, _code = services.do_create_order(lab.customer, items=[lab.item()], actor=lab.reception)
    assert order.submitted_by is None


def test_submitting_twice_is_refused(lab):
    order, _code = create(lab)
    services.do_submit_order(order, actor=lab.customer_user)
    with pytest.raises(TransitionError) as exc:
        services.do_submit_order(order, actor=lab.customer_user)
    assert exc.value.code == "state"


def test_the_review_refuses_a_pair_the_scope_does_not_allow(lab):
    from caltrace.methods.factories import MethodVersionFactory

    order, _code = create(lab)
    services.do_submit_order(order, actor=lab.customer_user)
    item = order.items.get()
    other = MethodVersionFactory()
    with pytest.raises(ValidationError) as exc:
        services.do_review_item(item, scope_item=lab.scope_item, method_version=other, actor=lab.reception)
    assert "method_version" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.calibrator)
    item.refresh_from_db()
    assert item.status == "requested"


def test_complete_review_is_refused_with_an_unreviewed_item(lab):
    order, _code = create(lab, items=[lab.item(), lab.item(serial_no="MY002")])
    services.do_submit_order(order, actor=lab.customer_user)
    first = order.items.first()
    services.do_review_item(first, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    with pytest.raises(TransitionError) as exc:
        services.do_complete_review(order, actor=lab.reception)
    assert exc.value.code == "guard" and "not reviewed" in exc.value.en
    order.refresh_from_db()
    assert order.status == "submitted"
    assert services.latest_quote(order).status == QuoteStatus.DRAFT  # the quote did not go out


def test_a_withdrawn_item_does_not_stop_the_review(lab):
    order, _code = create(lab, items=[lab.item(), lab.item(instrument_type="扭矩扳手", unit="N*m", range_min=None,
                                                           range_max=None)])
    services.do_submit_order(order, actor=lab.customer_user)
    good, odd = order.items.all()
    assert selectors.propose(odd).codes == ["out_of_scope"]
    services.do_review_item(good, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    with pytest.raises(ValidationError):
        services.do_reject_item(odd, reason=" ", actor=lab.reception)
    services.do_reject_item(odd, reason="扭矩不在认可范围内", actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    order = services.do_complete_review(order, actor=lab.reception)
    assert order.status == "awaiting_customer"
    assert services.latest_quote(order).lines.count() == 1


def test_a_quote_below_cost_is_flagged_and_needs_approval(lab):
    order, _code = create(lab)
    services.do_submit_order(order, actor=lab.customer_user)
    item = order.items.get()
    services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    quote = services.do_make_quote(order, actor=lab.reception, prices={item.pk: Decimal("100.00")})
    assert quote.status == QuoteStatus.PENDING_APPROVAL and quote.below_cost and quote.cost == Decimal("240.00")
    finding = Finding.objects.get(rule_id="MKT-2")
    assert finding.event == "quote.make" and quote.number in finding.message_zh
    assert finding.objects_involved[0]["pk"] == str(quote.pk)

    with pytest.raises(TransitionError) as exc:
        services.do_complete_review(order, actor=lab.reception)
    assert "MKT-2" in exc.value.en
    with pytest.raises(PermissionDenied):
        services.do_approve_quote(quote, actor=lab.reception, note="老客户")
    with pytest.raises(ValidationError) as exc:
        services.do_approve_quote(quote, actor=lab.manager, note="")
    assert "note" in exc.value.message_dict
    quote = services.do_approve_quote(quote, actor=lab.manager, note="战略客户首单优惠，经主任批准")
    assert quote.status == QuoteStatus.DRAFT and quote.approved_by == lab.manager
    assert not OrderEvent.objects.get(order=order, text_zh__contains="已经批准").public
    order = services.do_complete_review(order, actor=lab.reception)
    assert order.status == "awaiting_customer"


def test_a_new_review_decision_withdraws_the_quote_made_before_it(lab):
    order, _code = reviewed_order(lab)
    quote = order.quotes.get()
    item = order.items.first()
    services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception,
                            note="复核量程")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED
    with pytest.raises(TransitionError):
        services.do_complete_review(order, actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    assert services.do_complete_review(order, actor=lab.reception).status == "awaiting_customer"


def test_a_quote_at_or_above_cost_records_no_finding(lab):
    order, _code = reviewed_order(lab)
    assert not Finding.objects.filter(rule_id="MKT-2").exists()


def test_a_quote_needs_a_price_list_entry(lab):
    from caltrace.orders.models import PriceListEntry

    PriceListEntry.objects.all().delete()
    order, _code = create(lab)
    services.do_submit_order(order, actor=lab.customer_user)
    item = order.items.get()
    services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    with pytest.raises(ValidationError) as exc:
        services.do_make_quote(order, actor=lab.reception)
    assert f"items.{item.pk}" in exc.value.message_dict
    entry = services.do_set_price(lab.scope_item, price=Decimal("500"), labour_hours=Decimal("2"),
                                  hourly_rate=Decimal("100"), equipment_cost=Decimal("0"),
                                  overhead_rate=Decimal("0.1"), actor=lab.manager)
    assert entry.cost == Decimal("220.00")
    with pytest.raises(PermissionDenied):
        services.do_set_price(lab.scope_item, price=Decimal("1"), labour_hours=Decimal("0"), hourly_rate=Decimal("0"),
                              equipment_cost=Decimal("0"), overhead_rate=Decimal("0"), actor=lab.reception)
    assert services.do_make_quote(order, actor=lab.reception).total == Decimal("500.00")


def test_a_conformity_statement_needs_a_decision_rule(lab):
    order, _code = reviewed_order(lab, conformity_wanted=True, conformity_specification="JJG 315-1983 0.05 级")
    with pytest.raises(ValidationError) as exc:
        services.do_complete_review(order, actor=lab.reception)
    assert "decision_rule" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.do_complete_review(order, actor=lab.reception, decision_rule="coin_toss")
    order = services.do_complete_review(order, actor=lab.reception, decision_rule="guard_band_u")
    assert (order.status, order.decision_rule) == ("awaiting_customer", "guard_band_u")


def test_acceptance_is_refused_while_a_deviation_is_pending(lab, make_user):
    order, _code = reviewed_order(lab, deviation=True)
    services.do_complete_review(order, actor=lab.reception)
    with pytest.raises(TransitionError) as exc:
        services.do_accept_order(order, actor=lab.customer_user)
    assert "CON-2" in exc.value.en
    order.refresh_from_db()
    assert order.status == "awaiting_customer"
    assert services.latest_quote(order).status == QuoteStatus.SENT  # not accepted either

    deviation = order.items.get().deviations.get()
    with pytest.raises(PermissionDenied):
        services.do_decide_deviation(deviation, accept=True, actor=lab.reception)
    from caltrace.customers.factories import CustomerContactFactory
    from caltrace.customers.services import do_open_portal_account

    stranger = do_open_portal_account(CustomerContactFactory(), username="stranger", password="pw-for-tests-1")
    with pytest.raises(PermissionDenied):
        services.do_decide_deviation(deviation, accept=True, actor=stranger)
    services.do_decide_deviation(deviation, accept=True, actor=lab.customer_user)
    with pytest.raises(TransitionError):
        services.do_decide_deviation(deviation, accept=False, actor=lab.customer_user, comment="改主意")
    assert services.do_accept_order(order, actor=lab.customer_user).status == "accepted"


def test_reception_records_a_customers_acceptance_only_with_its_evidence(lab):
    order, _code = reviewed_order(lab)
    services.do_complete_review(order, actor=lab.reception)
    with pytest.raises(ValidationError) as exc:
        services.do_accept_order(order, actor=lab.reception)
    assert "customer_evidence" in exc.value.message_dict
    order.refresh_from_db()
    assert order.status == "awaiting_customer"
    accepted = services.do_accept_order(order, actor=lab.reception, customer_evidence="确认函 QR-0012")
    assert accepted.status == "accepted"
    assert OrderEvent.objects.filter(order=order, text_zh__contains="确认函 QR-0012").exists()


def test_the_customer_may_decline(lab):
    order, _code = reviewed_order(lab)
    services.do_complete_review(order, actor=lab.reception)
    with pytest.raises(TransitionError):
        services.do_decline_order(order, actor=lab.customer_user, comment="")
    order = services.do_decline_order(order, actor=lab.customer_user, comment="价格过高")
    assert order.status == "cancelled"
    assert order.quotes.get().status == QuoteStatus.REJECTED


def test_receipt_before_acceptance_is_refused(lab):
    order, _code = create(lab)
    services.do_submit_order(order, actor=lab.customer_user)
    item = order.items.get()
    with pytest.raises(TransitionError) as exc:
        services.do_receive_item(item, actor=lab.reception, condition="完好")
    assert exc.value.code == "state" and "requested" in exc.value.en
    order, _code = reviewed_order(lab)
    services.do_complete_review(order, actor=lab.reception)
    with pytest.raises(TransitionError):  # reviewed, but the customer has not accepted
        services.do_receive_item(order.items.get(), actor=lab.reception, condition="完好")
    assert order.items.get().identification is None


def test_receipt_needs_the_condition_and_the_permission(lab):
    order, _code = accepted_order(lab)
    item = order.items.get()
    with pytest.raises(ValidationError) as exc:
        services.do_receive_item(item, actor=lab.reception, condition="")
    assert "condition" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.do_receive_item(item, actor=lab.calibrator, condition="完好")


def test_courier_hand_over_needs_the_slip(lab):
    order, _code = accepted_order(lab)
    item = services.do_receive_item(order.items.get(), actor=lab.reception, condition="完好")
    issue(item, lab.calibrator)
    with pytest.raises(ValidationError) as exc:
        services.do_hand_over(item, actor=lab.reception, method="courier")
    assert "courier_slip_no" in exc.value.message_dict
    item.refresh_from_db()
    assert item.status == "issued"


def test_hand_over_before_the_certificates_are_issued_is_refused(lab):
    order, _code = accepted_order(lab, items=[lab.item(), lab.item(serial_no="MY002")])
    first, second = [services.do_receive_item(i, actor=lab.reception, condition="完好") for i in order.items.all()]
    with pytest.raises(TransitionError):
        services.do_hand_over(first, actor=lab.reception, method="hand", returned_to="王工")
    first = issue(first, lab.calibrator)
    with pytest.raises(TransitionError) as exc:  # the order is not ready: the other item has no certificate
        services.do_hand_over(first, actor=lab.reception, method="hand", returned_to="王工")
    assert "without a certificate" in exc.value.en
    first.refresh_from_db()
    assert first.status == "issued" and first.returned_at is None


def test_appointments(lab):
    order, _code = accepted_order(lab)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.do_book_appointment(order, actor=lab.customer_user, drop_off_on=today - dt.timedelta(days=1))
    assert "drop_off_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.do_book_appointment(order, actor=lab.customer_user, drop_off_on=today, pick_up_on=today)
    assert "pick_up_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.do_book_appointment(order, actor=lab.customer_user, visit_on=today)
    assert "visit_on" in exc.value.message_dict
    on_site, _code = accepted_order(lab, location="on_site", on_site_address="无锡市工厂路 8 号")
    with pytest.raises(ValidationError) as exc:
        services.do_book_appointment(on_site, actor=lab.customer_user, drop_off_on=today)
    assert {"visit_on", "drop_off_on"} <= set(exc.value.message_dict)
    assert services.do_book_appointment(on_site, actor=lab.customer_user, visit_on=today).visit_on == today
    draft, _code = create(lab)
    with pytest.raises(TransitionError):
        services.do_book_appointment(draft, actor=lab.customer_user, drop_off_on=today)


def test_lookup_needs_the_right_code(lab):
    order, code = create(lab)
    assert selectors.lookup_status(order.number, code) == order
    assert selectors.lookup_status(f" {order.number} ", f" {code} ") == order
    assert selectors.lookup_status(order.number, "WRONGCODE1") is None
    assert selectors.lookup_status(order.number, "") is None
    assert selectors.lookup_status("WT1999-000001", code) is None
    assert selectors.lookup_status(None, None) is None
    assert selectors.lookup_status(order.number + "\x00", code) is None


def test_deviations_are_public_events(lab):
    order, _code = reviewed_order(lab, deviation=True)
    event = OrderEvent.objects.filter(order=order, kind="deviation").get()
    assert event.public and "1100 V" in event.text_zh
    assert order.items.get().deviations.get().status == DeviationStatus.PENDING


# --- the contract review proposal (CON-1) ---------------------------------------------------------


def _items(lab, *dicts):
    order, _code = create(lab, items=list(dicts))
    return order, list(order.items.all())


def test_the_proposal_matches_type_and_range_across_units(lab):
    _order, (mv, english, too_wide, no_range, wrong_unit, torque) = _items(
        lab, lab.item(range_min=Decimal("-200000"), range_max=Decimal("200000"), unit="mV"),
        lab.item(instrument_type="digital multimeter"),
        lab.item(range_min=Decimal("0"), range_max=Decimal("1.2"), unit="kV"),
        lab.item(range_min=None, range_max=None, unit=""),
        lab.item(unit="A", range_min=Decimal("0"), range_max=Decimal("10")),
        lab.item(instrument_type="扭矩扳手", unit="", range_min=None, range_max=None))
    assert selectors.propose(mv).ok and selectors.propose(mv).scope_item == lab.scope_item
    assert selectors.propose(english).ok  # "digital multimeter" inside "Digital multimeters"
    assert selectors.propose(too_wide).codes == ["range_not_covered"] and selectors.propose(too_wide).scope_item is None
    assert selectors.propose(no_range).ok
    assert selectors.propose(wrong_unit).codes == ["range_not_covered"]
    assert selectors.propose(torque).codes == ["out_of_scope"]


def test_the_proposal_follows_the_scope_validity_and_the_method_versions(lab):
    from caltrace.methods.factories import MethodVersionFactory

    withdrawn = MethodVersionFactory(effective_on=dt.date(2010, 1, 1), withdrawn_on=dt.date(2020, 1, 1)).method
    elsewhere = MethodVersionFactory().method
    _order, (asks_withdrawn, asks_other, asks_ours) = _items(
        lab, lab.item(requested_method=withdrawn), lab.item(requested_method=elsewhere),
        lab.item(requested_method=lab.method))
    proposal = selectors.propose(asks_withdrawn)
    assert proposal.codes == ["method_withdrawn"] and proposal.method_version == lab.version
    proposal = selectors.propose(asks_other)
    assert proposal.codes == ["method_not_in_scope"] and proposal.method_version == lab.version
    assert selectors.propose(asks_ours).ok

    # the scope item's own method withdrawn: nothing in force to propose
    lab.version.withdrawn_on = timezone.localdate() - dt.timedelta(days=1)
    lab.version.save()
    proposal = selectors.propose(asks_ours)
    assert proposal.codes == ["method_withdrawn"] and proposal.method_version is None
    assert selectors.propose(asks_ours, on=timezone.localdate() - dt.timedelta(days=30)).ok
    # a scope item withdrawn from the scope is no longer proposed
    lab.scope_item.withdrawn_on = timezone.localdate()
    lab.scope_item.save()
    assert selectors.propose(asks_ours).codes == ["out_of_scope"]


def test_a_bipolar_scope_item_covers_negative_ranges_and_a_unipolar_one_does_not(lab):
    from caltrace.org.factories import ScopeItemFactory

    lab.scope_item.bipolar = False
    lab.scope_item.save()
    _order, (negative,) = _items(lab, lab.item(range_min=Decimal("-10"), range_max=Decimal("10")))
    assert selectors.propose(negative).codes == ["range_not_covered"]
    bipolar = ScopeItemFactory(certificate=lab.scope_item.certificate, methods=[lab.method], code="E-99",
                               range_max=Decimal("100"))
    assert selectors.propose(negative).scope_item == bipolar


def test_propose_all_takes_a_constant_number_of_queries(lab, django_assert_num_queries):
    from caltrace.methods.factories import MethodVersionFactory

    other = MethodVersionFactory().method
    small, _code = create(lab, items=[lab.item()])
    big, _code = create(lab, items=[lab.item(serial_no=f"S{i}", requested_method=other if i % 2 else None)
                                    for i in range(12)])
    with django_assert_num_queries(4) as small_ctx:
        assert len(selectors.propose_all(small)) == 1
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        proposals = selectors.propose_all(big)
    assert len(proposals) == 12 and sum(p.ok for p in proposals.values()) == 6
