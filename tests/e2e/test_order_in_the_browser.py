"""Issue 5, end to end in a browser: one order from the customer's application in the portal,
through contract review, the customer's acceptance, receipt with its label, the job (automated
run on the simulated bench, sign-off), review, approval and issue, to the customer's certificate
download — and the downloaded PDF verifies as the certificate the lab signed.

Playwright drives Debian's Chromium headless against the live server the test starts."""

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from caltrace.certificates.signing import verify_pdf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PASSWORD = "caltrace-demo"


@pytest.fixture
def lab(committed, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from caltrace.calibration import demo, services
    from caltrace.demo.seed import BASE_DEMOS, seed
    from caltrace.methods.models import MethodVersion
    from caltrace.org import demo as org_demo
    from caltrace.orders.services import do_set_price

    seed(apps=BASE_DEMOS)
    spec = demo.PROCEDURES["ZY-DCV-01"]
    version = MethodVersion.objects.get(method__code="JJF 1587", edition="2016")
    services.do_create_procedure(
        method_version=version, code="ZY-DCV-01", name_zh=spec["name_zh"], kind=spec["kind"], quantity="直流电压",
        unit="V", model_key=spec["model_key"], readings_per_point=3,
        points=[{"nominal": n, "setting": s, "unit": u} for n, s, u in spec["points"]], actor="system:test")
    do_set_price(org_demo.scope_item(org_demo.DMM_DCV_ITEM), price=Decimal("380"), labour_hours=Decimal("1.5"),
                 hourly_rate=Decimal("120"), equipment_cost=Decimal("60"), overhead_rate=Decimal("0.25"),
                 actor=get_user_model().objects.get(username="zhoujianhua"))
    return spec


def login(page, username):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))
    return page


def submit(page, label):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state("networkidle")


def test_one_order_from_application_to_certificate_download(lab, new_page):
    # --- the customer applies in the portal -----------------------------------------------------
    customer = login(new_page(), "chenjing")
    customer.goto("/portal/apply/")
    customer.fill("input[name=items-0-instrument_type]", "数字多用表")
    customer.fill("input[name=items-0-manufacturer]", "Keysight")
    customer.fill("input[name=items-0-model]", "34465A")
    customer.fill("input[name=items-0-serial_no]", "MY60077777")
    customer.fill("input[name=items-0-range_text]", "0～1000 V")
    customer.fill("input[name=items-0-range_min]", "0")
    customer.fill("input[name=items-0-range_max]", "1000")
    customer.fill("input[name=items-0-unit]", "V")
    submit(customer, "提交申请")
    code = customer.locator("#access-code").inner_text().strip()
    number = re.search(r"WT\d{4}-\d{6}", customer.content()).group(0)
    assert code

    # --- reception reviews the contract, quotes and completes the review ------------------------
    reception = login(new_page(), "linfang")
    reception.goto(f"/orders/{number}/review/")
    submit(reception, "确认评审")
    submit(reception, "生成报价")
    submit(reception, "完成评审并通知客户")
    reception.goto(f"/orders/{number}/")
    assert "待客户确认" in reception.content()

    # --- the customer accepts -------------------------------------------------------------------
    customer.goto(f"/portal/orders/{number}/")
    submit(customer, "接受报价和偏离，确认委托")
    assert "已受理" in customer.content()

    # --- reception receives the instrument and prints its label ---------------------------------
    reception.goto(f"/orders/{number}/")
    reception.get_by_role("link", name=re.compile("收样")).first.click()
    reception.fill("textarea[name=condition], input[name=condition]", "外观完好，通电正常")
    submit(reception, "确认收样并生成样品编号")
    label = reception.content()
    assert "<svg" in label
    identification = re.search(r"YP\d{4}-\d{6}", label).group(0)

    # the label's code opens the item (a scanner types it into the scan page)
    reception.goto("/scan/")
    reception.fill("input[name=code]", identification.lower())
    reception.keyboard.press("Enter")
    reception.wait_for_load_state("networkidle")
    assert identification in reception.content()

    # --- the job: assignment, start, the automated run, sign-off --------------------------------
    job_url = assign_and_run(reception, identification, login, new_page)

    # --- review, approval, issue -----------------------------------------------------------------
    reviewer = login(new_page(), "zhaomin")
    reviewer.goto(job_url)
    submit(reviewer, "核验通过")
    signatory = login(new_page(), "chenzhigang")
    signatory.goto(job_url)
    submit(signatory, "批准并出具证书")
    certificate = re.search(r"MH\d{4}-E-\d{5}", signatory.content()).group(0)

    # --- the customer downloads the certificate; it verifies --------------------------------------
    customer.goto(f"/portal/orders/{number}/")
    assert certificate in customer.content()
    with customer.expect_download() as download:
        customer.locator(f"a[href$='/certificates/{certificate}/pdf']").first.click()
    pdf = open(download.value.path(), "rb").read()
    # pyHanko validates with asyncio.run(): outside Playwright's event loop, in a thread of its own
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(verify_pdf, pdf).result()
    assert result.intact, result.problems
    from caltrace.certificates.models import Certificate

    assert Certificate.objects.get(number=certificate).sha256 == result.sha256

    # anyone with the number and code sees the status without an account
    anonymous = new_page()
    anonymous.goto("/status/")
    anonymous.fill("input[name=number]", number)
    anonymous.fill("input[name=code]", code)
    submit(anonymous, "查询")
    assert certificate in anonymous.content()


def assign_and_run(reception, identification, login, new_page):
    """Assign the job to 孙浩 with the calibrator, run it on the bench and sign it off; the job's URL."""
    reception.goto(f"/scan/{identification}/")
    reception.get_by_role("link", name=re.compile("分派")).first.click()
    reception.locator("label", has_text="孙浩").locator("input[name=calibrator]").check()
    for asset, role in (("MH-E-001", "source"), ("MH-E-003", "environment")):
        row = reception.locator(".field-row", has_text=asset)
        row.locator("input[name=equipment]").check()
        row.locator("select").select_option(role)
    submit(reception, "分派")
    job_url = reception.url
    assert "/calibration/jobs/" in job_url, reception.content()[:2000]
    calibrator = login(new_page(), "sunhao")
    calibrator.goto(job_url)
    submit(calibrator, "开始校准")
    for condition, value, unit in (("temperature", "20.3", "°C"), ("humidity", "46", "%"),
                                   ("supply_voltage", "221", "V"), ("supply_frequency", "50.0", "Hz")):
        calibrator.select_option("select[name=condition]", condition)
        calibrator.fill("input[name=value]", value)
        calibrator.fill("input[name=unit]", unit)
        submit(calibrator, "记录环境条件")
    for name, value in (("appearance", "合格"), ("warm_up_minutes", "120"), ("digits", "6½"), ("self_test", "是")):
        calibrator.fill(f"input[name=field-{name}]", value)
    submit(calibrator, "保存记录字段")
    submit(calibrator, "在测量台上自动运行校准程序")
    submit(calibrator, "签署原始记录")
    assert "已签署" in calibrator.content() or "待核验" in calibrator.content(), calibrator.content()[:3000]
    return job_url
