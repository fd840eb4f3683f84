"""The people pages: access by role, what the person page shows, the forms (field errors, a refused
grant with its ids), exports, and query counts of the lists."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caltrace.core import roles
from caltrace.customers.factories import CustomerContactFactory, CustomerOrganisationFactory
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.factories import AuthorizationFactory, PersonFactory, QualificationFactory, TrainingFactory
from caltrace.people.models import Authorization, Person, Training

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LISTS = ["people:person_list", "people:authorization_list", "people:qualification_list", "people:training_list"]


@pytest.fixture
def as_manager(client, lab_manager):
    client.force_login(lab_manager)
    return client


def test_anonymous_is_sent_to_login_customers_get_404_other_staff_403(client, user_in, make_person):
    person = make_person()
    url = reverse("people:person_detail", args=[person.pk])
    assert client.get(url).status_code == 302
    customer = user_in(roles.CUSTOMER)
    CustomerContactFactory(organisation=CustomerOrganisationFactory(), user=customer)
    client.force_login(customer)
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(user_in(roles.CALIBRATOR))
    assert client.get(url).status_code == 403


def test_the_quality_manager_reads_but_may_not_write(client, user_in, make_person):
    person = make_person()
    client.force_login(user_in(roles.QUALITY_MANAGER))
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 200
    page = client.get(reverse("people:person_detail", args=[person.pk]))
    assert page.status_code == 200 and "授予授权" not in page.content.decode()
    assert client.get(reverse("people:authorization_create", args=[person.pk])).status_code == 403
    assert client.post(reverse("people:person_create"), {}).status_code == 403


def test_the_technical_director_may_grant(client, user_in, make_person):
    client.force_login(user_in(roles.TECHNICAL_DIRECTOR))
    assert client.get(reverse("people:authorization_create", args=[make_person().pk])).status_code == 200


def test_person_page_shows_validity_badges_today_and_overdue_integrity(as_manager, make_person, grant):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), TODAY + dt.timedelta(days=10)),
                                (QK.VERIFIER_CERTIFICATE, dt.date(2010, 1, 1), dt.date(2015, 1, 1))],
                         integrity=TODAY - dt.timedelta(days=400))
    grant(person, AK.REVIEWER, metrology_fields=["electrical"], valid_from=TODAY - dt.timedelta(days=30),
          valid_until=TODAY + dt.timedelta(days=200), today=TODAY)
    AuthorizationFactory(person=person, kind=AK.SIGNATORY, metrology_fields=["thermal"],
                         valid_from=dt.date(2020, 1, 1), valid_until=TODAY - dt.timedelta(days=1))
    html = as_manager.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    for text in ("即将到期", "已过期", "有效", "今日", "电磁学", "HR-3", "诚信教育培训已超期"):
        assert text in html, text
    assert '<span class="badge badge-ok">可以</span>' in html


def test_person_page_shows_why_a_person_may_not_work_today(as_manager, make_person):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), TODAY - dt.timedelta(days=1))])
    AuthorizationFactory(person=person, kind=AK.REVIEWER, metrology_fields=["electrical"],
                         valid_from=dt.date(2020, 1, 1), valid_until=None)
    html = as_manager.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "不可以" in html and "PER-5" in html


def test_granting_through_the_form(as_manager, make_person):
    person = make_person()
    url = reverse("people:authorization_create", args=[person.pk])
    response = as_manager.post(url, {"kind": AK.REVIEWER, "valid_from": TODAY.isoformat(),
                                     "metrology_fields": ["electrical"], "document_no": "UI-1"})
    assert response.status_code == 302
    assert Authorization.objects.get(document_no="UI-1").person == person


def test_a_refused_grant_shows_the_form_again_with_the_ids(as_manager, make_person):
    person = make_person()
    response = as_manager.post(reverse("people:authorization_create", args=[person.pk]), {
        "kind": AK.SIGNATORY, "valid_from": TODAY.isoformat(),
        "metrology_fields": ["electrical", "thermal", "mechanical", "length"]})
    assert response.status_code == 409
    html = response.content.decode()
    assert "PER-2" in html and "授权未被授予" in html
    assert re.search(r'value="length"[^>]*checked', html)  # the input is kept
    assert not person.authorizations.exists()


def test_grant_form_field_errors(as_manager, make_person, scope):
    person = make_person()
    response = as_manager.post(reverse("people:authorization_create", args=[person.pk]), {
        "kind": AK.CALIBRATOR, "valid_from": TODAY.isoformat(), "scope_items": [scope.temp.pk],
        "methods": [scope.dmm.pk]})
    assert response.status_code == 400
    form = response.context["form"]
    assert "methods" in form.errors and "JJF 1587" in form.errors["methods"][0]
    response = as_manager.post(reverse("people:authorization_create", args=[person.pk]),
                               {"kind": AK.SIGNATORY, "valid_from": "yesterday"})
    assert response.status_code == 400 and "valid_from" in response.context["form"].errors


def test_revoke_through_the_form(as_manager, make_person, grant):
    auth = grant(make_person(), AK.SUPERVISOR, valid_from=TODAY - dt.timedelta(days=5), today=TODAY)
    url = reverse("people:authorization_revoke", args=[auth.pk])
    assert as_manager.post(url, {"revoked_on": TODAY.isoformat(), "reason": ""}).status_code == 400
    assert as_manager.post(url, {"revoked_on": TODAY.isoformat(), "reason": "离岗"}).status_code == 302
    auth.refresh_from_db()
    assert auth.revoked_on == TODAY and auth.revoke_reason == "离岗"


def test_register_and_edit_a_person(as_manager):
    data = {"staff_no": "UI-7", "name": "周八", "birth_date": "1991-02-03", "employment_type": "long_term",
            "hire_date": "2005-01-01", "category": "calibration"}
    response = as_manager.post(reverse("people:person_create"), data)
    assert response.status_code == 400 and "hire_date" in response.context["form"].errors  # hired at 13
    data["hire_date"] = "2014-07-01"
    response = as_manager.post(reverse("people:person_create"), data)
    person = Person.objects.get(staff_no="UI-7")
    assert response.status_code == 302 and response.url == reverse("people:person_detail", args=[person.pk])
    edit = reverse("people:person_edit", args=[person.pk])
    response = as_manager.post(edit, {**data, "employment_type": "part_time", "position": "兼职校准员"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.employment_type, person.position, person.staff_no) == ("part_time", "兼职校准员", "UI-7")


def test_record_a_qualification_and_protective_equipment(as_manager, make_person):
    person = make_person(quals=())
    url = reverse("people:qualification_create", args=[person.pk])
    response = as_manager.post(url, {"kind": "rm1", "issuer": "国家市场监督管理总局", "valid_from": "2024-01-01"})
    assert response.status_code == 400 and "number" in response.context["form"].errors
    response = as_manager.post(url, {"kind": "rm1", "number": "RM1-UI-1", "issuer": "国家市场监督管理总局",
                                     "valid_from": "2024-01-01"})
    assert response.status_code == 302 and person.qualifications.get().number == "RM1-UI-1"
    response = as_manager.post(reverse("people:protective_equipment_create", args=[person.pk]),
                               {"item": "绝缘手套", "quantity": "2", "issued_on": TODAY.isoformat()})
    assert response.status_code == 302 and person.protective_equipment.get().quantity == 2


def test_record_a_training(as_manager, make_person):
    a, b = make_person(integrity=None), make_person(integrity=None)
    url = reverse("people:training_create")
    assert f'value="{a.pk}"' in as_manager.get(f"{url}?attendee={a.pk}").content.decode()
    response = as_manager.post(url, {"kind": "technical", "topic": "JJF 1587 宣贯", "held_on": TODAY.isoformat(),
                                     "hours": "4", "trainer_name": "外部讲师", "attendees": [a.pk]})
    assert response.status_code == 400 and "trainer_qualification" in response.context["form"].errors
    response = as_manager.post(url, {"kind": "integrity", "topic": "诚信教育", "held_on": TODAY.isoformat(),
                                     "hours": "2", "trainer": b.pk, "attendees": [a.pk, b.pk], "failed": [b.pk]})
    training = Training.objects.get(topic="诚信教育")
    assert response.status_code == 302
    assert {(x.person_id, x.passed) for x in training.attendances.all()} == {(a.pk, True), (b.pk, False)}
    page = as_manager.get(reverse("people:training_detail", args=[training.pk])).content.decode()
    assert "不合格" in page


def test_list_filters(as_manager, make_person):
    make_person(name="甲乙丙")
    make_person(name="丁戊己", employment_type="temporary")
    page = as_manager.get(reverse("people:person_list"), {"q": "甲乙"}).content.decode()
    assert "甲乙丙" in page and "丁戊己" not in page
    page = as_manager.get(reverse("people:person_list"), {"employment_type": "temporary"}).content.decode()
    assert "丁戊己" in page and "甲乙丙" not in page
    AuthorizationFactory(kind=AK.SIGNATORY, metrology_fields=["thermal"], valid_until=TODAY - dt.timedelta(days=1))
    def count(**query):
        return as_manager.get(reverse("people:authorization_list"), query).context["page"].paginator.count

    assert (count(status="lapsed"), count(status="valid")) == (1, 0)


def test_export_imports_again(as_manager, make_person):
    make_person(name="导出测试")
    response = as_manager.get(reverse("people:export", args=["staff", "csv"]))
    assert response.status_code == 200 and "导出测试" in response.content.decode("utf-8-sig")
    assert as_manager.get(reverse("people:export", args=["nothing", "csv"])).status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# session, user, roles, then the page's own: count and page, plus the prefetches (and, on the staff
# list, the PER-1 coverage: staff and their authorization kinds)
@pytest.mark.parametrize("name,most", [("people:person_list", 9), ("people:authorization_list", 8),
                                       ("people:qualification_list", 5), ("people:training_list", 7)])
def test_list_pages_query_counts_do_not_grow_with_rows(as_manager, scope, name, most,
                                                       django_assert_max_num_queries):
    def rows():
        p = PersonFactory(site=scope.site)
        QualificationFactory(person=p)
        AuthorizationFactory(person=p, kind=AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm],
                             valid_until=None)
        TrainingFactory(attendees=[p], trainer=PersonFactory(), trainer_name="")

    rows()
    url = reverse(name)
    few = _count(as_manager, url)
    for _ in range(10):
        rows()
    with django_assert_max_num_queries(most):
        as_manager.get(url)
    assert _count(as_manager, url) == few
