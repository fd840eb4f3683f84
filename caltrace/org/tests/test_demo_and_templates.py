"""The org part of the demo lab, and the org templates' translatability."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from caltrace.core import ledger
from caltrace.core.models import AuditEntry
from caltrace.integrity.work import Point, can_perform
from caltrace.org import demo
from caltrace.org.models import QualificationCertificate, ScopeItem

TEMPLATES = Path(demo.__file__).resolve().parent / "templates"
TRANSLATED = re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}|{#.*?#}", re.S)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")


@pytest.fixture
def seeded(db, settings):
    from caltrace.demo.seed import BASE_DEMOS, seed

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed(apps=BASE_DEMOS)


@pytest.mark.django_db
def test_demo_scope_is_idempotent_and_audited(seeded):
    from caltrace.demo.seed import BASE_DEMOS, seed

    counts = (QualificationCertificate.objects.count(), ScopeItem.objects.count(), AuditEntry.objects.count())
    seed(apps=BASE_DEMOS)
    assert (QualificationCertificate.objects.count(), ScopeItem.objects.count(), AuditEntry.objects.count()) == counts
    assert ledger.verify().ok


@pytest.mark.django_db
def test_demo_constants_name_scope_items(seeded):
    today = timezone.localdate()
    keys = [demo.DMM_DCV_ITEM, demo.CALIBRATOR_DCV_ITEM, demo.BALANCE_ITEM, demo.TEMPERATURE_ITEM,
            demo.BALANCE_VERIFICATION_ITEM]
    for key in keys:
        assert demo.scope_item(key).is_valid_on(today), key
    expired = demo.scope_item(demo.EXPIRED_WEIGHTS_ITEM)
    assert not expired.is_valid_on(today)
    assert QualificationCertificate.objects.get(number=demo.AUTH_CERT).replaces == expired.certificate
    assert [m.code for m in demo.scope_item(demo.DMM_DCV_ITEM).methods.all()] == ["JJF 1587"]
    assert {m.code for m in demo.scope_item(demo.TEMPERATURE_ITEM).methods.all()} == {"JJG 229", "JJF 1171"}


@pytest.mark.django_db
def test_demo_public_page_leaves_the_expired_certificate_out(seeded, client):
    html = client.get("/scope/").content.decode()
    assert demo.CNAS_CERT in html and demo.AUTH_CERT in html and "数字多用表" in html and "电子天平" in html
    assert demo.EXPIRED_AUTH_CERT not in html and "砝码（M1 等级）" not in html


@pytest.mark.django_db
def test_demo_work_passes_the_scope_rules(seeded):
    from caltrace.methods.models import MethodVersion
    from caltrace.org.models import Site

    today = timezone.localdate()
    item = demo.scope_item(demo.TEMPERATURE_ITEM)
    version = MethodVersion.objects.get(method__code="JJG 229", edition="2010")
    site = Site.objects.get(name="吴江温度实验室")
    found = can_perform(None, item, version, at=today, site=site, points=[Point(-40, "degC"), Point(300, "degC")])
    assert [v for v in found if v.rule_id in ("QUAL-1", "PRH-5", "SITE-2")] == []


def test_org_templates_have_no_untranslated_chinese():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        rest = TRANSLATED.sub("", path.read_text(encoding="utf-8"))
        for n, line in enumerate(rest.splitlines(), 1):
            if CJK.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
