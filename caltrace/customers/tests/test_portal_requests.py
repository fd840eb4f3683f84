"""The portal's requests: additional records (CON-3), complaints, the satisfaction survey, the
one-click re-application, the staff desk, the API, and the query counts of their lists."""

import time
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caltrace.core.workflows import TransitionError, transition
from caltrace.customers import services
from caltrace.customers.models import Complaint, RecordRequest, SurveyResponse
from caltrace.orders import reminders
from caltrace.orders import services as orders
from caltrace.orders.models import Order

from .test_portal import accepted_order, lab, make_order, other_customer_user, portal  # noqa: F401

pytestmark = pytest.mark.django_db

SCORES = {"timeliness": 5, "service": 4, "competence": 5, "report_quality": 3, "overall": 4}


@pytest.fixture
def quality(make_user):
    return make_user("qm", roles=["quality_manager"])


def closed_order(lab):
    order = accepted_order(lab)
    for item in order.items.all():
        item = orders.do_receive_item(item, actor=lab.reception, condition="外观完好")
        for name in ("start", "finish", "issue"):
            item = transition(item, name, actor=lab.calibrator)
    orders.do_mark_ready_if_done(order, actor=lab.calibrator)
    for item in order.items.all():
        orders.do_hand_over(item, actor=lab.reception, method="hand", returned_to="李工")
    order = Order.objects.get(pk=order.pk)
    assert order.status == "closed"
    return order


# --- additional records (CON-3) ------------------------------------------------------------------------


def test_a_record_request_is_released_with_a_file_and_the_customer_downloads_it(portal, lab, client, quality,
                                                                                 settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order, _code = make_order(lab)
    item = order.items.get()
    response = portal.post(reverse("portal:requests"), {"what": "raw_records", "order_item": item.pk,
                                                        "reason": "审核需要原始记录"})
    assert response.status_code == 302
    req = RecordRequest.objects.get()
    assert (req.organisation, req.requested_by, req.status) == (lab.customer, lab.customer_user, "requested")

    staff = client.__class__()
    staff.force_login(quality)
    url = reverse("portal:staff_request_detail", args=[req.pk])
    missing = staff.post(url, {"decision": "release", "note": ""})
    assert missing.status_code == 400 and "请上传提供的文件或说明提供方式" in missing.content.decode()
    upload = SimpleUploadedFile("raw.pdf", b"%PDF-1.4 raw", content_type="application/pdf")
    assert staff.post(url, {"decision": "release", "note": "见附件", "released_file": upload}).status_code == 302
    req.refresh_from_db()
    assert req.status == "released" and req.decided_by == quality and req.decided_at and req.released_file

    page = portal.get(reverse("portal:request_detail", args=[req.pk]))
    assert "见附件" in page.content.decode()
    download = portal.get(reverse("portal:request_file", args=[req.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 raw"
    # decided once: a second decision is refused by the workflow
    with pytest.raises(TransitionError):
        services.do_decide_record_request(req, actor=quality, release=False, note="再次")


def test_a_refusal_needs_a_reason_and_the_customer_sees_it(portal, lab, client, quality):
    order, _code = make_order(lab)
    req = services.do_request_records(actor=lab.customer_user, what="personnel_authorization", reason="核查",
                                      order_item=order.items.get())
    with pytest.raises(TransitionError):
        services.do_decide_record_request(req, actor=quality, release=False, note=" ")
    services.do_decide_record_request(req, actor=quality, release=False, note="人员授权记录不对外提供")
    page = portal.get(reverse("portal:request_detail", args=[req.pk])).content.decode()
    assert "人员授权记录不对外提供" in page and "不予提供" in page
    assert portal.get(reverse("portal:request_file", args=[req.pk])).status_code == 404


def test_only_the_quality_or_lab_manager_decides(lab, make_user):
    order, _code = make_order(lab)
    req = services.do_request_records(actor=lab.customer_user, what="raw_records", reason="x",
                                      order_item=order.items.get())
    for user in (lab.reception, lab.customer_user):
        with pytest.raises(PermissionDenied):
            services.do_decide_record_request(req, actor=user, release=False, note="no")
    assert services.do_decide_record_request(req, actor=lab.manager, release=True, note="邮件发送").status == "released"


def test_a_request_names_an_item_or_certificate_of_the_own_organisation(lab, portal):
    with pytest.raises(ValidationError):
        services.do_request_records(actor=lab.customer_user, what="raw_records", reason="x")
    stranger, other_org = other_customer_user()
    order, _code = make_order(lab)
    with pytest.raises(ValidationError):
        services.do_request_records(actor=stranger, what="raw_records", reason="x", order_item=order.items.get())
    response = portal.post(reverse("portal:requests"), {"what": "raw_records", "reason": "x"})
    assert response.status_code == 400 and "请选择相关的样品或证书" in response.content.decode()


def test_another_organisations_request_and_complaint_answer_404(client, lab):
    order, _code = make_order(lab)
    req = services.do_request_records(actor=lab.customer_user, what="raw_records", reason="x",
                                      order_item=order.items.get())
    complaint = services.do_submit_complaint(actor=lab.customer_user, text="太慢")
    stranger, _org = other_customer_user()
    client.force_login(stranger)
    assert client.get(reverse("portal:request_detail", args=[req.pk])).status_code == 404
    assert client.get(reverse("portal:request_file", args=[req.pk])).status_code == 404
    assert client.get(reverse("portal:complaint_detail", args=[complaint.pk])).status_code == 404
    assert "太慢" not in client.get(reverse("portal:complaints")).content.decode()
    # and the request form does not offer the other organisation's items
    form = client.get(reverse("portal:requests")).context["form"]
    assert not form.fields["order_item"].queryset.exists()
    # customers never reach the staff desk
    assert client.get(reverse("portal:staff_requests")).status_code == 404


# --- complaints -------------------------------------------------------------------------------------------


def test_a_complaint_is_investigated_answered_and_closed(portal, lab, client, quality):
    order, _code = make_order(lab)
    response = portal.post(reverse("portal:complaints"), {"order": order.pk, "text": "证书迟了一周"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.order == order and complaint.status == "received"
    staff = client.__class__()
    staff.force_login(quality)
    assert f"#{complaint.pk}" in staff.get(reverse("portal:staff_complaints")).content.decode()
    url = reverse("portal:staff_complaint_detail", args=[complaint.pk])
    assert staff.post(url, {"action": "investigate"}).status_code == 302
    assert Complaint.objects.get().status == "investigating"
    empty = staff.post(url, {"action": "close", "response": ""})
    assert empty.status_code == 400 and "请填写处理结果" in empty.content.decode()
    assert staff.post(url, {"action": "close", "response": "已改进排期，致歉"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.responded_by == quality and complaint.closed_at
    assert "已改进排期，致歉" in portal.get(reverse("portal:complaint_detail", args=[complaint.pk])).content.decode()
    with pytest.raises(TransitionError):
        services.do_close_complaint(complaint, actor=quality, response="again")


def test_a_complaint_about_another_organisations_order_is_refused(lab):
    order, _code = make_order(lab)
    stranger, _org = other_customer_user()
    with pytest.raises(ValidationError) as exc:
        services.do_submit_complaint(actor=stranger, text="x", order=order)
    assert "order" in exc.value.message_dict


# --- the satisfaction survey -------------------------------------------------------------------------


def test_a_closed_order_is_rated_once(portal, lab, client, quality):
    order = closed_order(lab)
    home = portal.get(reverse("portal:home"))
    assert [o.pk for o in home.context["to_rate"]] == [order.pk]
    url = reverse("portal:survey", args=[order.number])
    bad = portal.post(url, SCORES | {"overall": 9})
    assert bad.status_code == 400
    assert portal.post(url, SCORES | {"comment": "很好"}).status_code == 302
    answer = SurveyResponse.objects.get(order=order)
    assert answer.answered_by == lab.customer_user and answer.overall == 4
    assert not portal.get(reverse("portal:home")).context["to_rate"]
    again = portal.get(url)
    assert again.status_code == 302 and SurveyResponse.objects.count() == 1
    with pytest.raises(ValidationError):
        services.do_answer_survey(order, actor=lab.customer_user, **SCORES)
    staff = client.__class__()
    staff.force_login(quality)
    page = staff.get(reverse("portal:staff_surveys"))
    assert page.status_code == 200 and page.context["summary"]["count"] == 1
    assert "<svg" in page.content.decode() and page.context["summary"]["report_quality"] == 3


def test_an_open_order_cannot_be_rated(portal, lab):
    order = accepted_order(lab)
    assert portal.get(reverse("portal:survey", args=[order.number])).status_code == 404
    with pytest.raises(ValidationError):
        services.do_answer_survey(order, actor=lab.customer_user, **SCORES)


# --- the one-click re-application -------------------------------------------------------------------------


def test_reapplication_with_a_good_token(portal, lab):
    order = accepted_order(lab)
    token = reminders.reapply_token(order.items.all())
    url = reverse("portal:reapply", args=[token])
    page = portal.get(url)
    assert page.status_code == 200 and "MY001" in page.content.decode()
    response = portal.post(url)
    assert response.status_code == 302
    new = Order.objects.exclude(pk=order.pk).get()
    assert new.status == "submitted" and new.reapplication_of == order
    assert "access-code" in portal.get(response.url).content.decode()


def test_reapplication_with_a_bad_token(portal, lab):
    response = portal.get(reverse("portal:reapply", args=["not-a-token"]))
    assert response.status_code == 400 and "链接无效" in response.content.decode()
    assert portal.post(reverse("portal:reapply", args=["not-a-token"])).status_code == 400
    assert Order.objects.count() == 0


def test_reapplication_with_an_expired_token(portal, lab):
    order = accepted_order(lab)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 86400):
        token = reminders.reapply_token(order.items.all())
    response = portal.post(reverse("portal:reapply", args=[token]))
    assert response.status_code == 400 and "已过期" in response.content.decode()
    assert Order.objects.count() == 1


def test_reapplication_for_another_organisation_answers_404(client, lab):
    order = accepted_order(lab)
    token = reminders.reapply_token(order.items.all())
    stranger, _org = other_customer_user()
    client.force_login(stranger)
    assert client.get(reverse("portal:reapply", args=[token])).status_code == 404
    assert client.post(reverse("portal:reapply", args=[token])).status_code == 404
    assert Order.objects.count() == 1


def test_reapplication_needs_login_and_comes_back(client, lab):
    order = accepted_order(lab)
    url = reverse("portal:reapply", args=[reminders.reapply_token(order.items.all())])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
    from urllib.parse import quote
    assert quote(url, safe="/") in response.url or url in response.url


# --- the API ----------------------------------------------------------------------------------------------


def test_the_api_for_requests_complaints_and_survey(lab, token_client, quality):
    order = closed_order(lab)
    customer = token_client(lab.customer_user)
    item = order.items.get()
    r = customer.post("/api/v1/customers/record-requests", {"what": "raw_records", "reason": "审核",
                                                            "order_item_id": item.pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    req_id = r.json()["id"]
    assert customer.get("/api/v1/customers/record-requests").json()["count"] == 1
    # the customer cannot decide its own request
    r = customer.post(f"/api/v1/customers/record-requests/{req_id}/transitions/release", {"comment": "x"},
                      content_type="application/json")
    assert r.status_code == 403
    staff = token_client(quality)
    r = staff.post(f"/api/v1/customers/record-requests/{req_id}/transitions/refuse", {"comment": ""},
                   content_type="application/json")
    assert r.status_code == 409
    r = staff.post(f"/api/v1/customers/record-requests/{req_id}/transitions/refuse", {"comment": "不提供"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "refused"

    r = customer.post("/api/v1/customers/complaints", {"text": "太慢", "order_number": order.number},
                      content_type="application/json")
    assert r.status_code == 201
    cid = r.json()["id"]
    r = staff.post(f"/api/v1/customers/complaints/{cid}/transitions/close", {"comment": "已处理"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["response"] == "已处理"

    bad = customer.post("/api/v1/customers/surveys", {"order_number": order.number, **SCORES, "overall": 0},
                        content_type="application/json")
    assert bad.status_code == 422
    r = customer.post("/api/v1/customers/surveys", {"order_number": order.number, **SCORES},
                      content_type="application/json")
    assert r.status_code == 201
    again = customer.post("/api/v1/customers/surveys", {"order_number": order.number, **SCORES},
                          content_type="application/json")
    assert again.status_code == 422
    summary = staff.get("/api/v1/customers/surveys/summary").json()
    assert summary["count"] == 1 and summary["overall"] == 4
    assert customer.get("/api/v1/customers/surveys/summary").status_code == 404


def test_the_api_scopes_to_the_organisation(lab, token_client):
    order, _code = make_order(lab)
    req = services.do_request_records(actor=lab.customer_user, what="raw_records", reason="x",
                                      order_item=order.items.get())
    complaint = services.do_submit_complaint(actor=lab.customer_user, text="x")
    stranger, _org = other_customer_user()
    other = token_client(stranger)
    assert other.get(f"/api/v1/customers/record-requests/{req.pk}").status_code == 404
    assert other.get(f"/api/v1/customers/complaints/{complaint.pk}").status_code == 404
    assert other.get("/api/v1/customers/record-requests").json()["count"] == 0
    r = other.post("/api/v1/customers/record-requests", {"what": "raw_records", "reason": "x",
                                                         "order_item_id": order.items.get().pk},
                   content_type="application/json")
    assert r.status_code == 422 and not RecordRequest.objects.filter(organisation=_org).exists()
    r = other.post("/api/v1/customers/surveys", {"order_number": order.number, **SCORES},
                   content_type="application/json")
    assert r.status_code == 404


# --- query counts of the lists ---------------------------------------------------------------------------------


def test_lists_run_in_constant_queries(portal, lab, client, quality, django_assert_max_num_queries):
    staff = client.__class__()
    staff.force_login(quality)
    pages = [(portal, reverse("portal:requests")), (portal, reverse("portal:complaints")),
             (staff, reverse("portal:staff_requests")), (staff, reverse("portal:staff_complaints")),
             (staff, reverse("portal:staff_surveys"))]

    def add(n):
        for _i in range(n):
            order, _code = make_order(lab)
            services.do_request_records(actor=lab.customer_user, what="raw_records", reason="x",
                                        order_item=order.items.get())
            services.do_submit_complaint(actor=lab.customer_user, text="x", order=order)

    add(1)
    counts = []
    for c, url in pages:
        with django_assert_max_num_queries(40) as q:
            assert c.get(url).status_code == 200
        counts.append(len(q.captured_queries))
    add(5)
    for (c, url), n in zip(pages, counts):
        with django_assert_max_num_queries(n):
            assert c.get(url).status_code == 200


# --- certificates on the order page ------------------------------------------------------------------------


def test_the_order_page_links_the_certificates_of_its_items(portal, lab, monkeypatch):
    from caltrace.certificates import pdf, signing
    from caltrace.certificates import services as certificates
    from caltrace.certificates.document import ItemDescription
    from caltrace.certificates.samples import sample_document

    monkeypatch.setattr(pdf, "render_pdf", lambda doc: b"%PDF-1.7 test " + doc.number.encode())
    monkeypatch.setattr(signing, "sign_pdf", lambda data, **kw: data)
    order = closed_order(lab)
    ident = order.items.get().identification
    item = ItemDescription("数字多用表", ident, manufacturer="Keysight", model="34465A")
    mine = certificates.do_issue_certificate(sample_document(number="PT-0001", item=item), actor="system:test",
                                             customer=lab.customer)
    _stranger, other_org = other_customer_user()
    certificates.do_issue_certificate(sample_document(number="PT-0002", item=item), actor="system:test",
                                      customer=other_org)
    certificates.do_issue_certificate(sample_document(number="PT-0003"), actor="system:test", customer=lab.customer)
    page = portal.get(reverse("portal:order_detail", args=[order.number]))
    assert [c.number for c in page.context["certificates"]] == [mine.number]
    text = page.content.decode()
    assert reverse("certificates:pdf", args=[mine.number]) in text
    assert reverse("certificates:dcc", args=[mine.number]) in text
    assert portal.get(reverse("certificates:pdf", args=[mine.number])).status_code == 200


def test_survey_invitations_go_once_per_completed_unrated_order(lab, django_capture_on_commit_callbacks):
    from django.core import mail

    from caltrace.customers.models import SurveyInvitation

    order = closed_order(lab)
    rated = closed_order(lab)
    services.do_answer_survey(rated, actor=lab.customer_user, **SCORES)
    accepted_order(lab)  # not completed: no invitation
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_send_survey_invitations() == 1
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert reverse("portal:survey", args=[order.number]) in mail.outbox[0].body
    assert mail.outbox[0].to == ["buyer@customer.example"]
    assert SurveyInvitation.objects.get().order == order
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_send_survey_invitations() == 0
    assert len(mail.outbox) == 1
