"""Integrity pages: findings with their workflow actions, refused actions, the rule list."""

import re

import pytest
from django.urls import reverse

from caltrace.core import roles
from caltrace.integrity import registry
from caltrace.integrity.models import Finding
from caltrace.integrity.registry import GATE, Rule

pytestmark = pytest.mark.django_db


def transition_url(finding):
    return reverse("web:finding_transition", args=[finding.pk])


def test_quality_manager_acknowledges_then_resolves(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    finding = make_finding()
    page = client.get(reverse("web:finding_detail", args=[finding.pk])).content.decode()
    buttons = set(re.findall(r'name="transition" value="(\w+)"', page))
    assert buttons == {"acknowledge", "resolve", "dismiss"}

    resp = client.post(transition_url(finding), {"transition": "acknowledge"}, follow=True)
    assert resp.redirect_chain[-1] == (reverse("web:finding_detail", args=[finding.pk]), 302)
    html = resp.content.decode()
    assert "已执行“确认”" in html
    finding.refresh_from_db()
    assert finding.status == "acknowledged"

    resp = client.post(transition_url(finding), {"transition": "resolve", "comment": "已复核原始记录，读数真实。"},
                       follow=True)
    finding.refresh_from_db()
    assert finding.status == "resolved"
    html = resp.content.decode()
    # The history shows who moved it, the states and the comment.
    assert "已复核原始记录，读数真实。" in html and "qm" in html
    assert "已确认 → 已解决" in html
    assert set(re.findall(r'name="transition" value="(\w+)"', html)) == {"reopen"}


def test_missing_comment_is_a_form_error(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    finding = make_finding()
    resp = client.post(transition_url(finding), {"transition": "dismiss", "comment": "  "})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'id="id_comment_error"' in html and "“驳回”需要填写说明" in html
    finding.refresh_from_db()
    assert finding.status == "open"


def test_unknown_transition_is_a_form_error(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    resp = client.post(transition_url(make_finding()), {"transition": "delete"})
    assert resp.status_code == 400


def test_state_that_forbids_the_move_gives_a_readable_409(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    finding = make_finding(status="resolved")
    resp = client.post(transition_url(finding), {"transition": "acknowledge"},
                       HTTP_REFERER="http://testserver" + reverse("web:finding_detail", args=[finding.pk]))
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "操作被拒绝" in html
    assert "当前状态为“已解决”，不能执行“确认”" in html
    assert f'href="http://testserver{reverse("web:finding_detail", args=[finding.pk])}"' in html
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_refusal_is_readable_in_english(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    resp = client.post(transition_url(make_finding(status="dismissed")), {"transition": "acknowledge"})
    assert resp.status_code == 409
    assert "cannot acknowledge from state &#x27;dismissed&#x27;" in resp.content.decode()


@pytest.fixture
def gate_on_acknowledge(monkeypatch):
    """A GATE bound to ``finding.acknowledge`` for the length of one test."""

    def refuse(rule, obj, ctx):
        yield rule.violation("测试拦截：此发现项须先补充证据", "Test gate: add evidence first", obj)

    fake = Rule("PRH-4", GATE, ("finding.acknowledge",), "测试规则", "Test rule", refuse)
    registry.rules()  # load the real rule modules first, so that none registers into the patched dict
    monkeypatch.setitem(registry._by_event, "finding.acknowledge", [fake])
    monkeypatch.setitem(registry._rules, "test.gate", fake)
    return fake


def test_rule_violation_shows_requirement_message_and_objects(client_as, quality_manager, make_finding,
                                                              gate_on_acknowledge):
    client = client_as(quality_manager)
    finding = make_finding(rule_id="PRH-1")
    resp = client.post(transition_url(finding), {"transition": "acknowledge"})
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "PRH-4" in html and "不得使用未按规定溯源的设备" in html
    assert "测试拦截：此发现项须先补充证据" in html
    assert f"诚信发现项 · PRH-1 #{finding.pk}" in html
    finding.refresh_from_db()
    assert finding.status == "open"

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.post(transition_url(finding), {"transition": "acknowledge"}).content.decode()
    assert "Test gate: add evidence first" in html and "No untraced equipment" in html


def test_htmx_transition_swaps_main(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    finding = make_finding(status="resolved")
    resp = client.post(transition_url(finding), {"transition": "acknowledge"}, HTTP_HX_REQUEST="true")
    # The refusal page carries the #main region htmx selects (htmx-config lets 409 swap).
    assert resp.status_code == 409
    assert '<main id="main"' in resp.content.decode()
    page = client.get(reverse("web:finding_detail", args=[finding.pk])).content.decode()
    assert 'hx-post="%s"' % transition_url(finding) in page and 'hx-select="#main"' in page


def test_technical_director_reads_but_cannot_act(client_as, make_user, make_finding):
    client = client_as(make_user("td", roles.TECHNICAL_DIRECTOR))
    finding = make_finding()
    html = client.get(reverse("web:finding_detail", args=[finding.pk])).content.decode()
    assert 'name="transition"' not in html
    assert client.post(transition_url(finding), {"transition": "acknowledge"}).status_code == 403
    finding.refresh_from_db()
    assert finding.status == "open"


def test_finding_list_filters_and_paginates(client_as, quality_manager, make_finding):
    for i in range(30):
        make_finding(rule_id="PRH-6" if i % 3 else "PRH-1", status="open" if i % 2 else "resolved")
    client = client_as(quality_manager)
    url = reverse("web:finding_list")
    html = client.get(url).content.decode()
    assert "共 30 项" in html and 'href="?page=2"' in html
    assert '<option value="PRH-1">PRH-1 不得伪造数据和过程记录</option>' in html
    assert "共 15 项" in client.get(url, {"status": "open"}).content.decode()
    assert "共 10 项" in client.get(url, {"rule_id": "PRH-1"}).content.decode()
    assert "共 5 项" in client.get(url, {"rule_id": "PRH-1", "status": "resolved"}).content.decode()
    bad = client.get(url, {"status": "nonsense"})
    assert bad.status_code == 200 and "共 0 项" in bad.content.decode()


def test_finding_list_query_count(client_as, quality_manager, make_finding, django_assert_max_num_queries):
    Finding.objects.bulk_create([
        Finding(rule_id=f"PRH-{1 + i % 6}", event="reading.record", message_zh="说明", message_en="text")
        for i in range(120)])
    client = client_as(quality_manager)
    client.get(reverse("web:home"))
    with django_assert_max_num_queries(7):
        resp = client.get(reverse("web:finding_list"), {"page": 3, "status": "open"})
    assert resp.status_code == 200


def test_finding_detail_query_count(client_as, quality_manager, make_finding, django_assert_max_num_queries):
    client = client_as(quality_manager)
    finding = make_finding()
    for _ in range(5):
        client.post(transition_url(finding), {"transition": "dismiss", "comment": "x"})
        client.post(transition_url(finding), {"transition": "reopen", "comment": "y"})
    with django_assert_max_num_queries(8):
        resp = client.get(reverse("web:finding_detail", args=[finding.pk]))
    assert resp.content.decode().count("已驳回 → 待处理") == 5


def test_home_lists_open_findings_for_quality_roles(client_as, quality_manager, make_user, make_finding,
                                                     django_assert_max_num_queries):
    for _ in range(12):
        make_finding(blocks_issue=True)
    make_finding(status="resolved", message_zh="已经关闭的发现项")
    client = client_as(quality_manager)
    # findings panel and shell (8) + the due-items panel: a fixed few queries per app's reminders
    with django_assert_max_num_queries(20):
        html = client.get(reverse("web:home")).content.decode()
    assert "待处理的诚信发现项" in html and "已经关闭的发现项" not in html
    assert html.count('class="badge state-open"') == 5
    calibrator = client_as(make_user("cal", roles.CALIBRATOR))
    assert "待处理的诚信发现项" not in calibrator.get(reverse("web:home")).content.decode()


def test_rule_list_renders_every_registered_rule(client_as, make_user, gate_on_acknowledge):
    client = client_as(make_user("cal2", roles.CALIBRATOR))
    resp = client.get(reverse("web:rule_list"))
    assert resp.status_code == 200
    html = resp.content.decode()
    for rule in registry.rules():
        assert f'id="rule-{rule.id}"' in html
        assert rule.zh in html
    assert "finding.acknowledge" in html and "测试规则" in html
    assert "测试规则" not in client.get(reverse("web:rule_list"), {"kind": "FLAG"}).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("web:rule_list")).content.decode()
    assert "Test rule" in html and "测试规则" not in html


def test_rule_list_empty_registry_renders(client_as, make_user, monkeypatch):
    monkeypatch.setattr(registry, "rules", lambda event=None: [])
    html = client_as(make_user("cal3", roles.CALIBRATOR)).get(reverse("web:rule_list")).content.decode()
    assert "尚无已登记的规则" in html
