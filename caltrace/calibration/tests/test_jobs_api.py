"""The job flow through the API alone (/api/v1/calibration/jobs…): assignment with its
candidates, start, conditions, fields, a bench run, sign-off, review and issue; refusals answer
409 naming the rule ids, acting for someone else 403, bad input 422."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from caltrace.calibration.models import Job

from .test_jobs import lab  # noqa: F401 — the demo lab fixture

pytestmark = pytest.mark.django_db
API = "/api/v1/calibration"


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_job_flow_through_the_api(lab, token_client, django_assert_max_num_queries):  # noqa: F811
    _order, item = lab.order()
    reception, sunhao = token_client(lab.user("linfang")), token_client(lab.user("sunhao"))
    zhaomin, chen = token_client(lab.user("zhaomin")), token_client(lab.user("chenzhigang"))
    procedure = lab.procedures["ZY-DCV-01"]

    r = reception.get(f"{API}/items/{item.pk}/candidates", {"procedure": procedure.pk})
    assert r.status_code == 200
    offered = {c["label"]: c for c in r.json()["calibrators"]}
    assert any(c["offered"] and "孙浩" in label for label, c in offered.items())
    refused = [c for c in r.json()["equipment"] if not c["offered"]]
    assert any(v["id"] == "EQP-3" for c in refused for v in c["refusals"])

    assert _post(reception, f"{API}/jobs", {"order_item_id": item.pk, "procedure_id": procedure.pk,
                                            "calibrator_id": lab.person("liuyang").pk,
                                            "equipment": [{"equipment_id": lab.eq["MH-E-001"].pk,
                                                           "role": "source"}]}).status_code == 409
    r = _post(reception, f"{API}/jobs", {"order_item_id": item.pk, "procedure_id": procedure.pk,
                                         "calibrator_id": lab.person("sunhao").pk,
                                         "equipment": [{"equipment_id": lab.eq["MH-E-001"].pk, "role": "source"},
                                                       {"equipment_id": lab.eq["MH-E-003"].pk,
                                                        "role": "environment"}]})
    assert r.status_code == 201, r.content
    job_id = r.json()["id"]
    assert r.json()["transitions"] == ["start", "stop"]

    assert _post(zhaomin, f"{API}/jobs/{job_id}/start").status_code == 403  # not the calibrator
    assert _post(sunhao, f"{API}/jobs/{job_id}/start").json()["status"] == "in_progress"
    now = timezone.now().isoformat()
    r = _post(sunhao, f"{API}/jobs/{job_id}/conditions", {"conditions": [
        {"condition": "temperature", "value": "20.3", "unit": "°C", "at": now},
        {"condition": "humidity", "value": "46", "unit": "%", "at": now},
        {"condition": "supply_voltage", "value": "221", "unit": "V", "at": now},
        {"condition": "supply_frequency", "value": "50.0", "unit": "Hz", "at": now}]})
    assert r.status_code == 200, r.content
    assert _post(sunhao, f"{API}/jobs/{job_id}/run").status_code == 200
    r = _post(sunhao, f"{API}/jobs/{job_id}/sign-off")
    assert r.status_code == 409 and {v["id"] for v in r.json()["violations"]} == {"CND-3"}
    assert _post(sunhao, f"{API}/jobs/{job_id}/fields", {"values": {"nonsense": 1}}).status_code == 422
    assert _post(sunhao, f"{API}/jobs/{job_id}/fields", {"values": {
        "appearance": "合格", "warm_up_minutes": "120", "digits": "6½", "self_test": True}}).status_code == 200
    assert _post(sunhao, f"{API}/jobs/{job_id}/sign-off").json()["status"] == "signed_off"

    r = _post(sunhao, f"{API}/jobs/{job_id}/review", {"approve": True})
    assert r.status_code == 409 and "RPT-1" in {v["id"] for v in r.json()["violations"]}
    assert zhaomin.get(f"{API}/jobs/queue").json()["review"][0]["id"] == job_id
    assert _post(zhaomin, f"{API}/jobs/{job_id}/review", {"approve": True}).json()["status"] == "reviewed"
    assert chen.get(f"{API}/jobs/queue").json()["approve"][0]["id"] == job_id
    r = _post(chen, f"{API}/jobs/{job_id}/approve-issue")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "issued" and r.json()["certificate_number"]
    assert _post(chen, f"{API}/jobs/{job_id}/approve-issue").status_code == 409  # already issued

    with django_assert_max_num_queries(8):
        r = reception.get(f"{API}/jobs")
    assert r.json()["count"] == 1


def test_on_site_evidence_upload_and_refusals(lab, token_client):  # noqa: F811
    _order, item = lab.order(location="on_site")
    job = lab.assign(item)
    sunhao = token_client(lab.user("sunhao"))
    r = _post(sunhao, f"{API}/jobs/{job.pk}/safety-check", {"checks": [{"item": "现场接地良好", "passed": True}]})
    assert r.status_code == 200 and r.json()["safety_checks"][0]["passed"]
    r = sunhao.post(f"{API}/jobs/{job.pk}/evidence", {"kind": "photo_people", "note": "两名校准人员",
                                                      "file": SimpleUploadedFile("p.jpg", b"\xff\xd8people")})
    assert r.status_code == 201 and len(r.json()["sha256"]) == 64
    r = sunhao.post(f"{API}/jobs/{job.pk}/evidence", {"kind": "selfie", "file": SimpleUploadedFile("x.jpg", b"x")})
    assert r.status_code == 422


def test_jobs_are_staff_only(lab, token_client, client):  # noqa: F811
    _order, item = lab.order()
    job = lab.assign(item)
    customer = token_client(lab.user("chenjing"))
    assert customer.get(f"{API}/jobs").status_code == 403
    assert customer.get(f"{API}/jobs/{job.pk}").status_code == 403
    assert client.get(f"{API}/jobs").status_code == 401
    assert token_client(lab.user("linfang")).get(f"{API}/jobs/999999").status_code == 404
    assert Job.objects.count() == 1
