"""Issue 5: one order walked from the customer's application to the returned instrument through
the REST API alone (bearer tokens of the demo lab's people), with the certificate the customer
downloads verified as the one the lab signed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from caltrace.certificates.services import find_by_sha256
from caltrace.certificates.signing import verify_pdf

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def lab(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path
    from caltrace.calibration import demo, services
    from caltrace.demo.seed import BASE_DEMOS, seed
    from caltrace.methods.models import MethodVersion
    from caltrace.org import demo as org_demo
    from caltrace.orders.services import do_set_price

    seed(apps=BASE_DEMOS)
    spec = demo.PROCEDURES["ZY-DCV-01"]
    version = MethodVersion.objects.get(method__code="JJF 1587", edition="2016")
    procedure = services.do_create_procedure(
        method_version=version, code="ZY-DCV-01", name_zh=spec["name_zh"], kind=spec["kind"], quantity="直流电压",
        unit="V", model_key=spec["model_key"], readings_per_point=3,
        points=[{"nominal": n, "setting": s, "unit": u} for n, s, u in spec["points"]], actor="system:test")
    users = {u.username: u for u in get_user_model().objects.all()}
    do_set_price(org_demo.scope_item(org_demo.DMM_DCV_ITEM), price=Decimal("380"), labour_hours=Decimal("1.5"),
                 hourly_rate=Decimal("120"), equipment_cost=Decimal("60"), overhead_rate=Decimal("0.25"),
                 actor=users["zhoujianhua"])
    return users, procedure, spec


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:800])
    if response["Content-Type"].startswith("application/json"):
        return response.json()
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_order_from_application_to_returned_instrument_through_the_api(lab, token_client, client,
                                                                        django_capture_on_commit_callbacks):
    # the mails go out after commit: run the callbacks as each request's transaction would
    with django_capture_on_commit_callbacks(execute=True):
        cert_number, users = walk_the_order(lab, token_client, client)
    to_customer = [m for m in mail.outbox if "chenjing@ruichuan.example" in m.to]
    subjects = " ".join(m.subject + m.body for m in to_customer)
    assert len(to_customer) >= 5 and cert_number in subjects


def walk_the_order(lab, token_client, client):
    users, procedure, spec = lab
    customer, reception = token_client(users["chenjing"]), token_client(users["linfang"])
    calibrator, reviewer = token_client(users["sunhao"]), token_client(users["zhaomin"])
    signatory = token_client(users["chenzhigang"])

    # the customer applies and submits
    created = ok(customer.post(f"{API}/orders/", {
        "items": [{"instrument_type": "数字多用表", "manufacturer": "Keysight", "model": "34465A",
                   "serial_no": "MY60012345", "range_text": "0～1000 V", "range_min": "0", "range_max": "1000",
                   "unit": "V"}]}, content_type="application/json"), 201)
    number, code = created["order"]["number"], created["access_code"]
    ok(customer.post(f"{API}/orders/{number}/submit"))

    # reception: contract review with the system's proposal, quote, review complete
    proposal = ok(reception.get(f"{API}/orders/{number}/proposals"))[0]
    assert proposal["scope_item_id"] and proposal["method_version_id"] and proposal["problems"] == []
    item_id = proposal["item_id"]
    ok(reception.post(f"{API}/orders/items/{item_id}/review", {
        "scope_item_id": proposal["scope_item_id"], "method_version_id": proposal["method_version_id"]},
        content_type="application/json"))
    # no work before the review is complete and accepted (CON-1)
    early = reception.post(f"{API}/calibration/jobs", {
        "order_item_id": item_id, "procedure_id": procedure.pk, "calibrator_id": users["sunhao"].person.pk,
        "equipment": []}, content_type="application/json")
    assert early.status_code == 409 and "CON-1" in early.content.decode()
    ok(reception.post(f"{API}/orders/{number}/quote", {}, content_type="application/json"), 201)
    ok(reception.post(f"{API}/orders/{number}/complete-review", {}, content_type="application/json"))

    # the customer accepts the quote; reception receives the instrument
    ok(customer.post(f"{API}/orders/{number}/accept"))
    item = ok(reception.post(f"{API}/orders/items/{item_id}/receive", {"condition": "外观完好，通电正常"},
                             content_type="application/json"))
    assert item["identification"]
    assert ok(reception.get(f"{API}/orders/items/by-code/{item['identification'].lower()}"))["id"] == item_id

    # assignment offers only those the rules allow
    candidates = ok(reception.get(f"{API}/calibration/items/{item_id}/candidates?procedure={procedure.pk}"))
    offered = {c["label"]: c for c in candidates["equipment"]}
    assert any("MH-E-001" in label and c["offered"] for label, c in offered.items())
    assert any("MH-M-001" in label and not c["offered"] and c["refusals"] for label, c in offered.items())
    from caltrace.equipment.models import Equipment

    equipment = dict(Equipment.objects.filter(asset_no__in=["MH-E-001", "MH-E-003"]).values_list("asset_no", "pk"))
    job = ok(reception.post(f"{API}/calibration/jobs", {
        "order_item_id": item_id, "procedure_id": procedure.pk, "calibrator_id": users["sunhao"].person.pk,
        "equipment": [{"equipment_id": equipment["MH-E-001"], "role": "source"},
                      {"equipment_id": equipment["MH-E-003"], "role": "environment"}]},
        content_type="application/json"), 201)
    job_id = job["id"]

    # the calibrator runs the automated procedure on the (simulated) bench and signs off
    ok(calibrator.post(f"{API}/calibration/jobs/{job_id}/start"))
    now = dt.datetime.now(dt.timezone.utc)
    ok(calibrator.post(f"{API}/calibration/jobs/{job_id}/conditions", {"conditions": [
        {"condition": c, "value": v, "unit": u, "at": (now + dt.timedelta(minutes=i)).isoformat()}
        for i, (c, v, u) in enumerate(spec["conditions"])]}, content_type="application/json"))
    ok(calibrator.post(f"{API}/calibration/jobs/{job_id}/fields", {"values": spec["fields"]},
                       content_type="application/json"))
    ok(calibrator.post(f"{API}/calibration/jobs/{job_id}/run"))
    # the reviewer may not sign off someone else's record, nor review before sign-off
    assert reviewer.post(f"{API}/calibration/jobs/{job_id}/review", {"approve": True},
                         content_type="application/json").status_code in (403, 409)
    signed = ok(calibrator.post(f"{API}/calibration/jobs/{job_id}/sign-off"))
    assert signed["status"] == "signed_off" and signed["record_id"]
    record = ok(calibrator.get(f"{API}/calibration/records/{signed['record_id']}"))
    assert all(r["provenance"] == "instrument" for r in record["readings"])

    # the calibrator cannot review their own work (RPT-1); the reviewer can
    own = calibrator.post(f"{API}/calibration/jobs/{job_id}/review", {"approve": True}, content_type="application/json")
    assert own.status_code in (403, 409)
    ok(reviewer.post(f"{API}/calibration/jobs/{job_id}/review", {"approve": True}, content_type="application/json"))
    issued = ok(signatory.post(f"{API}/calibration/jobs/{job_id}/approve-issue"))
    cert_number = issued["certificate_number"]
    assert issued["status"] == "issued" and cert_number

    # the customer downloads the certificate and its DCC; the PDF verifies as the one issued
    pdf = ok(customer.get(f"{API}/certificates/{cert_number}/pdf"))
    result = verify_pdf(pdf)
    assert result.intact, result.problems
    assert find_by_sha256(result.sha256).number == cert_number
    assert b"digitalCalibrationCertificate" in ok(customer.get(f"{API}/certificates/{cert_number}/dcc"))
    facts = ok(customer.get(f"{API}/certificates/{cert_number}"))
    assert item["identification"] in str(facts)

    # hand-over closes the order; the status lookup needs no account but the right code
    ok(reception.post(f"{API}/orders/items/{item_id}/hand-over", {"method": "hand", "returned_to": "陈静"},
                      content_type="application/json"))
    assert ok(customer.get(f"{API}/orders/{number}"))["status"] == "closed"
    public = ok(client.post(f"{API}/orders/status", {"number": number, "code": code}, content_type="application/json"))
    assert public["status"] == "closed" and public["timeline"]
    wrong = client.post(f"{API}/orders/status", {"number": number, "code": "WRONG00000"},
                        content_type="application/json")
    unknown = client.post(f"{API}/orders/status", {"number": "WT1999-000001", "code": code},
                          content_type="application/json")
    assert wrong.status_code == unknown.status_code == 404 and wrong.content == unknown.content

    return cert_number, users
