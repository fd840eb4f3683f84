"""The job pages: the work queue (我的工作), the assignment page with refusals and rule ids, a
job's page with its steps as forms, and the readable 409 page of a refused step."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caltrace.calibration import jobs

from .test_jobs import _through_sign_off, lab  # noqa: F401 — the demo lab fixture

pytestmark = pytest.mark.django_db


def _login(client, lab, name):  # noqa: F811
    client.force_login(lab.user(name))
    return client


def test_the_work_queue_shows_each_role_its_work(lab, client, django_assert_max_num_queries):  # noqa: F811
    _order, item = lab.order()
    job = lab.assign(item)
    _order2, waiting = lab.order()
    _login(client, lab, "sunhao")
    r = client.get(reverse("calibration:job_queue"))
    assert r.status_code == 200 and reverse("calibration:job_detail", args=[job.pk]) in r.content.decode()
    _login(client, lab, "linfang")
    for _i in range(3):  # more waiting items, the same number of queries
        lab.order()
    with django_assert_max_num_queries(20):
        r = client.get(reverse("calibration:job_queue"))
    assert reverse("calibration:job_assign", args=[waiting.pk]) in r.content.decode()
    assert reverse("calibration:job_assign", args=[item.pk]) not in r.content.decode()


def test_assignment_page_offers_only_the_allowed_and_says_why(lab, client):  # noqa: F811
    _order, item = lab.order()
    _login(client, lab, "linfang")
    r = client.get(reverse("calibration:job_assign", args=[item.pk]))
    page = r.content.decode()
    assert r.status_code == 200
    assert f'name="calibrator" value="{lab.person("sunhao").pk}"' in page
    assert f'name="calibrator" value="{lab.person("liuyang").pk}"' not in page
    assert "CND-6" in page and "EQP-3" in page
    r = client.post(reverse("calibration:job_assign", args=[item.pk]), {
        "procedure": lab.procedures["ZY-DCV-01"].pk, "calibrator": lab.person("sunhao").pk,
        "equipment": [lab.eq["MH-E-001"].pk, lab.eq["MH-E-003"].pk],
        f"role-{lab.eq['MH-E-001'].pk}": "source", f"role-{lab.eq['MH-E-003'].pk}": "environment"})
    assert r.status_code == 302
    assert item.jobs.get().calibrator == lab.person("sunhao")
    _login(client, lab, "sunhao")
    assert client.get(reverse("calibration:job_assign", args=[item.pk])).status_code == 403


def test_job_page_steps_and_a_readable_refusal(lab, client):  # noqa: F811
    _order, item = lab.order(location="on_site")
    job = lab.assign(item)
    _login(client, lab, "sunhao")
    url = reverse("calibration:job_detail", args=[job.pk])
    assert "登记安全检查" in client.get(url).content.decode()
    r = client.post(reverse("calibration:job_action", args=[job.pk, "safety-check"]),
                    {"item": ["现场接地良好", ""], "passed": ["0"], "note": ["", ""]})
    assert r.status_code == 302
    assert client.post(reverse("calibration:job_action", args=[job.pk, "start"])).status_code == 302
    r = client.post(reverse("calibration:job_action", args=[job.pk, "evidence"]),
                    {"kind": "photo_people", "file": SimpleUploadedFile("p.jpg", b"people")})
    assert r.status_code == 302
    lab.run(job)
    r = client.post(reverse("calibration:job_action", args=[job.pk, "sign-off"]))
    assert r.status_code == 409 and "REC-3" in r.content.decode()
    r = client.post(reverse("calibration:job_action", args=[job.pk, "fields"]), {"field-nonsense": "x"})
    assert r.status_code == 302  # unknown names are not fields of the form: nothing to change
    page = client.get(url).content.decode()
    assert "人员现场照片" in page and "SHA-256" in page
    assert reverse("calibration:job_action", args=[job.pk, "start"]) not in page  # started: no start button
    assert reverse("calibration:job_action", args=[job.pk, "sign-off"]) in page


def test_review_of_ones_own_job_is_a_409_page_and_customers_get_404(lab, client):  # noqa: F811
    _order, item = lab.order()
    job = _through_sign_off(lab, lab.assign(item))
    _login(client, lab, "sunhao")
    r = client.post(reverse("calibration:job_action", args=[job.pk, "review"]), {"approve": "1"})
    assert r.status_code == 409 and "RPT-1" in r.content.decode()
    _login(client, lab, "zhaomin")
    r = client.post(reverse("calibration:job_action", args=[job.pk, "review"]), {"approve": "1"})
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == "reviewed"
    page = client.get(reverse("calibration:job_detail", args=[job.pk])).content.decode()
    assert "待核验 → 待批准" in page
    _login(client, lab, "chenjing")
    assert client.get(reverse("calibration:job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("calibration:job_queue")).status_code == 404
    assert jobs.work_queue(lab.user("chenzhigang"))["approve"] == [job]
