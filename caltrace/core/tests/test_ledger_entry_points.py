"""REC-4, CND-2: every way of writing a business row lands in the ledger, with who and why."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection

from caltrace.core import audit, ledger
from caltrace.core.models import ApiToken, AuditEntry
from caltrace.core.services import do_issue_api_token
from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.integrity.models import Finding

from .conftest import head_seq, run_cli

pytestmark = pytest.mark.django_db

ORG = "customers.CustomerOrganisation"
PG = 1 if connection.vendor == "postgresql" else 0  # the advisory lock is one more query


def new_entries(since: int):
    return list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))


def assert_verifies():
    result = ledger.verify()
    assert result.ok, result.problems


def summary(entries):
    return [(e.action, e.model, e.object_pk) for e in entries]


def test_save_create_update_delete(make_org):
    mark = head_seq()
    with audit.audit_context(actor="user:alice", reason="new customer"):
        org = CustomerOrganisation(name="甲", credit_code="91110000000000001X")
        org.save()
    with audit.audit_context(actor="user:bob", reason="phone corrected"):
        org.phone = "010-1"
        org.save()
    pk = org.pk
    with audit.audit_context(actor="user:carol"):
        org.delete()
    created, updated, deleted = new_entries(mark)
    assert summary([created, updated, deleted]) == [("create", ORG, str(pk)), ("update", ORG, str(pk)),
                                                   ("delete", ORG, str(pk))]
    assert (created.actor, created.reason, created.before) == ("user:alice", "new customer", "")
    assert json.loads(created.after)["name"] == "甲"
    assert (updated.actor, updated.reason) == ("user:bob", "phone corrected")
    assert json.loads(updated.before)["phone"] == "" and json.loads(updated.after)["phone"] == "010-1"
    assert (deleted.actor, deleted.reason, deleted.after) == ("user:carol", "", "")
    assert json.loads(deleted.before) == json.loads(updated.after)
    assert_verifies()


def test_default_actor_is_system(make_org):
    mark = head_seq()
    make_org()
    (entry,) = new_entries(mark)
    assert entry.actor == "system"


def test_objects_create_and_chain_links(make_org):
    mark = head_seq()
    make_org()
    make_org()
    first, second = new_entries(mark)
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert_verifies()


def test_noop_save_writes_no_entry(make_org):
    org = make_org()
    mark = head_seq()
    org.save()
    CustomerOrganisation.objects.get(pk=org.pk).save()
    assert new_entries(mark) == []


def test_save_update_fields_on_a_stale_instance_records_the_true_row(make_org):
    org = make_org(phone="1", address="old")
    stale = CustomerOrganisation.objects.get(pk=org.pk)
    org.address = "new address"
    org.save()
    mark = head_seq()
    stale.phone = "2"
    stale.save(update_fields=["phone"])
    (entry,) = new_entries(mark)
    after = json.loads(entry.after)
    assert after["phone"] == "2" and after["address"] == "new address"
    assert json.loads(entry.before)["address"] == "new address"
    assert_verifies()


def test_queryset_update_one_entry_per_changed_row(make_org):
    a, b, c = make_org(phone="1"), make_org(phone="1"), make_org(phone="2")
    mark = head_seq()
    with audit.audit_context(actor="user:bulk", reason="renumbering"):
        n = CustomerOrganisation.objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(phone="2")
    assert n == 3
    entries = new_entries(mark)
    assert summary(entries) == [("update", ORG, str(a.pk)), ("update", ORG, str(b.pk))]
    assert {(e.actor, e.reason) for e in entries} == {("user:bulk", "renumbering")}
    assert_verifies()


def test_queryset_update_with_expressions_and_related_manager(make_org):
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    org = make_org(phone="1")
    CustomerContact.objects.create(organisation=org, name="甲")
    CustomerContact.objects.create(organisation=org, name="乙")
    mark = head_seq()
    org.contacts.update(phone=Concat(F("name"), Value("-tel")))
    entries = new_entries(mark)
    assert [e.action for e in entries] == ["update", "update"]
    assert {json.loads(e.after)["phone"] for e in entries} == {"甲-tel", "乙-tel"}
    assert_verifies()


def test_queryset_delete(make_org):
    pks = [make_org().pk, make_org().pk]
    mark = head_seq()
    CustomerOrganisation.objects.filter(pk__in=pks).delete()
    assert sorted(summary(new_entries(mark))) == sorted(("delete", ORG, str(pk)) for pk in pks)
    assert_verifies()


def test_cascaded_delete(django_user_model):
    user = django_user_model.objects.create_user("tok")
    token, _key = do_issue_api_token(user, name="sensor")
    mark, user_pk, token_pk = head_seq(), user.pk, token.pk
    user.delete()
    assert sorted(summary(new_entries(mark))) == sorted([("delete", "auth.User", str(user_pk)),
                                                        ("delete", "core.ApiToken", str(token_pk))])
    assert_verifies()


def test_bulk_create_and_bulk_update(db):
    mark = head_seq()
    with audit.audit_context(actor="system:import"):
        orgs = CustomerOrganisation.objects.bulk_create(
            [CustomerOrganisation(name=f"批量{i}", credit_code=f"9111000012345678{i:02d}") for i in range(3)])
    created = new_entries(mark)
    assert summary(created) == [("create", ORG, str(o.pk)) for o in orgs]
    assert all(e.actor == "system:import" for e in created)
    for o in orgs:
        o.phone = "bulk"
    mark = head_seq()
    CustomerOrganisation.objects.bulk_update(orgs, ["phone"])
    assert summary(new_entries(mark)) == [("update", ORG, str(o.pk)) for o in orgs]
    assert_verifies()


def test_bulk_create_upsert_records_updates(make_org):
    if not connection.features.supports_update_conflicts_with_target:
        pytest.skip("no upsert")
    existing = make_org(name="旧名", credit_code="91110000000000777X")
    mark = head_seq()
    CustomerOrganisation.objects.bulk_create(
        [CustomerOrganisation(name="新名", credit_code="91110000000000777X"),
         CustomerOrganisation(name="另一家", credit_code="91110000000000778X")],
        update_conflicts=True, unique_fields=["credit_code"], update_fields=["name"])
    entries = new_entries(mark)
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].object_pk == str(existing.pk)
    assert json.loads(entries[0].before)["name"] == "旧名" and json.loads(entries[0].after)["name"] == "新名"
    assert_verifies()


def test_bulk_create_ignore_conflicts_is_refused(db):
    with pytest.raises(NotImplementedError):
        CustomerOrganisation.objects.bulk_create([CustomerOrganisation(name="x", credit_code="1")],
                                                 ignore_conflicts=True)


def test_get_or_create_and_update_or_create(db):
    mark = head_seq()
    org, created = CustomerOrganisation.objects.get_or_create(credit_code="91110000000000123X",
                                                              defaults={"name": "甲"})
    assert created
    CustomerOrganisation.objects.get_or_create(credit_code="91110000000000123X", defaults={"name": "乙"})
    with audit.audit_context(reason="sync from CRM"):
        CustomerOrganisation.objects.update_or_create(credit_code="91110000000000123X",
                                                      defaults={"phone": "010-9"})
    entries = new_entries(mark)
    assert summary(entries) == [("create", ORG, str(org.pk)), ("update", ORG, str(org.pk))]
    assert entries[1].reason == "sync from CRM"
    assert json.loads(entries[1].after)["phone"] == "010-9"
    assert_verifies()


# ---------------------------------------------------------------------------------------------
# Many-to-many, from both sides


def groups_of(entry, when="after"):
    return json.loads(getattr(entry, when))["groups"]


def test_m2m_add_remove_clear_forward(django_user_model):
    user = django_user_model.objects.create_user("m2m")
    g1, g2 = Group.objects.create(name="g1"), Group.objects.create(name="g2")
    mark = head_seq()
    user.groups.add(g1, g2)
    user.groups.remove(g1)
    user.groups.clear()
    added, removed, cleared = new_entries(mark)
    assert {e.model for e in (added, removed, cleared)} == {"auth.User"}
    assert groups_of(added, "before") == [] and groups_of(added) == sorted([str(g1.pk), str(g2.pk)])
    assert groups_of(removed) == [str(g2.pk)]
    assert groups_of(cleared) == []
    assert_verifies()


def test_m2m_add_remove_clear_reverse(django_user_model):
    u1 = django_user_model.objects.create_user("u1")
    u2 = django_user_model.objects.create_user("u2")
    group = Group.objects.create(name="members")
    mark = head_seq()
    group.user_set.add(u1, u2)
    added = new_entries(mark)
    assert sorted(summary(added)) == [("update", "auth.User", str(u1.pk)), ("update", "auth.User", str(u2.pk))]
    assert all(groups_of(e, "before") == [] and groups_of(e) == [str(group.pk)] for e in added)
    mark = head_seq()
    group.user_set.remove(u1)
    (removed,) = new_entries(mark)
    assert removed.object_pk == str(u1.pk) and groups_of(removed) == []
    mark = head_seq()
    group.user_set.clear()
    (cleared,) = new_entries(mark)
    assert cleared.object_pk == str(u2.pk) and groups_of(cleared, "before") == [str(group.pk)]
    assert_verifies()


def test_m2m_set_and_noop_add(django_user_model):
    user = django_user_model.objects.create_user("setter")
    g1, g2 = Group.objects.create(name="s1"), Group.objects.create(name="s2")
    user.groups.add(g1)
    mark = head_seq()
    user.groups.add(g1)  # already there
    assert new_entries(mark) == []
    user.groups.set([g2])
    assert groups_of(new_entries(mark)[-1]) == [str(g2.pk)]
    assert_verifies()


def test_deleting_a_group_updates_its_members(django_user_model):
    u1 = django_user_model.objects.create_user("d1")
    u2 = django_user_model.objects.create_user("d2")
    group = Group.objects.create(name="doomed")
    group.user_set.add(u1, u2)
    mark, group_pk = head_seq(), group.pk
    group.delete()
    entries = new_entries(mark)
    assert ("delete", "auth.Group", str(group_pk)) in summary(entries)
    assert sorted(e.object_pk for e in entries if e.model == "auth.User") == sorted([str(u1.pk), str(u2.pk)])
    assert_verifies()


def test_deleting_a_permission_updates_groups_and_users(django_user_model):
    perm = Permission.objects.get(codename="resolve_finding")
    group = Group.objects.create(name="perm-holder")
    group.permissions.add(perm)
    user = django_user_model.objects.create_user("p1")
    user.user_permissions.add(perm)
    mark = head_seq()
    perm.delete()
    assert sorted(summary(new_entries(mark))) == [("update", "auth.Group", str(group.pk)),
                                                 ("update", "auth.User", str(user.pk))]
    assert_verifies()


def test_user_and_group_bulk_paths_are_audited(django_user_model):
    u1 = django_user_model.objects.create_user("b1")
    u2 = django_user_model.objects.create_user("b2")
    group = Group.objects.create(name="bulk")
    group.user_set.add(u1, u2)
    mark = head_seq()
    django_user_model.objects.filter(pk=u1.pk).update(is_active=False)
    group.user_set.update(first_name="批量")
    Group.objects.bulk_create([Group(name="bulk2")])
    assert [e.model for e in new_entries(mark)] == ["auth.User", "auth.User", "auth.User", "auth.Group"]
    assert_verifies()


def test_password_change_is_recorded_without_the_hash(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("pw", password="first-secret-1")
    mark = head_seq()
    user.set_password("second-secret-2")
    user.save()
    (entry,) = new_entries(mark)
    assert json.loads(entry.before)["password"] != json.loads(entry.after)["password"]
    assert json.loads(entry.after)["password"].startswith("sha256:")
    assert user.password not in entry.after
    mark = head_seq()
    django_user_model.objects.filter(pk=user.pk).update(last_login="2025-01-01T00:00:00Z")
    assert new_entries(mark) == []  # logging in is not a change of the record


def test_long_username_fits_the_actor_column(django_user_model):
    name = "u" * 150
    user = django_user_model.objects.create_user(name)
    mark = head_seq()
    with audit.audit_context(actor=audit.actor_for_user(user)):
        Group.objects.create(name="long")
    assert new_entries(mark)[0].actor == f"user:{name}"


# ---------------------------------------------------------------------------------------------
# The entry points: admin, API, CLI, workflow transitions


@pytest.fixture
def admin_client_user(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", email="a@example.com")
    client.force_login(admin)
    return client


def test_admin_change_and_delete(admin_client_user):
    group = Group.objects.create(name="before-admin")
    mark = head_seq()
    response = admin_client_user.post(f"/admin/auth/group/{group.pk}/change/", {"name": "after-admin"})
    assert response.status_code == 302, response.content[:500]
    (entry,) = new_entries(mark)
    assert (entry.action, entry.model, entry.actor) == ("update", "auth.Group", "user:admin")
    assert json.loads(entry.after)["name"] == "after-admin"
    assert entry.request_id
    mark = head_seq()
    response = admin_client_user.post("/admin/auth/group/", {"action": "delete_selected", "post": "yes",
                                                            "_selected_action": [group.pk]})
    assert response.status_code == 302
    (entry,) = new_entries(mark)
    assert (entry.action, entry.actor) == ("delete", "user:admin")
    assert_verifies()


def test_api_transition_records_token_user_and_comment(client, django_user_model):
    from caltrace.core import roles
    from caltrace.core.services import do_issue_api_token, do_sync_role_groups

    do_sync_role_groups()
    qm = django_user_model.objects.create_user("qm")
    qm.groups.add(Group.objects.get(name=roles.QUALITY_MANAGER))
    _token, key = do_issue_api_token(qm, name="test")
    finding = Finding.objects.create(rule_id="PRH-6", event="t", message_zh="z", message_en="e")
    mark = head_seq()
    response = client.post(f"/api/v1/integrity/findings/{finding.pk}/transitions/acknowledge",
                           {"comment": "seen by QA"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 200, response.content
    (entry,) = new_entries(mark)
    assert (entry.model, entry.actor, entry.reason, entry.request_id) == (
        "integrity.Finding", "user:qm", "seen by QA", "req-123")
    assert json.loads(entry.after)["status"] == "acknowledged"
    assert_verifies()


def test_workflow_transition_reason_defaults_to_its_label(django_user_model):
    from caltrace.core.workflows import transition

    boss = django_user_model.objects.create_superuser("boss", email="b@example.com")
    finding = Finding.objects.create(rule_id="PRH-6", event="t", message_zh="z", message_en="e")
    mark = head_seq()
    transition(finding, "acknowledge", actor=boss)
    transition(finding, "resolve", actor=boss, comment="fixed the instrument driver")
    ack, resolve = new_entries(mark)
    assert (ack.actor, ack.reason) == ("user:boss", "Acknowledge")
    assert (resolve.actor, resolve.reason) == ("user:boss", "fixed the instrument driver")


def test_cli_token_create(django_user_model):
    user = django_user_model.objects.create_user("machine")
    mark = head_seq()
    result = run_cli("token", "create", "machine", "--name", "balance-01")
    assert result.code == 0 and result.out.startswith("ct_")
    result = run_cli("--actor", "ops", "token", "create", "machine")
    assert result.code == 0
    first, second = new_entries(mark)
    assert (first.model, first.action, first.actor) == ("core.ApiToken", "create", "system:cli")
    assert json.loads(first.after)["user_id"] == user.pk
    assert second.actor == "user:ops"
    assert result.out.strip() not in second.after  # only the key's hash is kept
    assert run_cli("audit", "verify").code == 0


# ---------------------------------------------------------------------------------------------
# Cost


def test_query_count_of_one_audited_save_and_update(make_org, django_assert_num_queries):
    """[lock] is PostgreSQL's advisory ledger lock: taken before the row is touched (so that no
    transaction waits for the ledger while holding a row another one needs), and again to append."""
    org = make_org()
    org.phone = "1"
    # [lock], read the row before, UPDATE, read it back, [lock], read the head, INSERT the entry
    with django_assert_num_queries(5 + 2 * PG):
        org.save()
    # [lock], pks, [lock the rows], read before, UPDATE, read after, [lock], read the head, INSERT
    with django_assert_num_queries(6 + 3 * PG):
        CustomerOrganisation.objects.filter(pk=org.pk).update(phone="2")
    # [lock], INSERT, read back, [lock], read the head, INSERT the entry
    with django_assert_num_queries(4 + 2 * PG):
        make_org()
    # a save that changes nothing: [lock], read before, UPDATE, read back, and no entry
    org.refresh_from_db()
    with django_assert_num_queries(3 + PG):
        org.save()


def test_query_count_of_a_bulk_create_does_not_grow_per_entry(db, django_assert_max_num_queries):
    # [lock], batched INSERTs (SQLite: at most 999 parameters each), one read back, [lock], head, entries
    with django_assert_max_num_queries(7 + 2 * PG):
        CustomerOrganisation.objects.bulk_create(
            [CustomerOrganisation(name=f"n{i}", credit_code=f"91110000000{i:06d}X") for i in range(150)])
    assert AuditEntry.objects.count() == 150


def test_cascade_that_touches_one_owner_many_times_records_it_once(django_user_model):
    """Deleting a content type removes all its permissions from a group: one entry for the group,
    whose before is the group's previous image."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Finding)
    perms = list(Permission.objects.filter(content_type=ct))
    assert len(perms) > 1
    group = Group.objects.create(name="holder")
    group.permissions.add(*perms, Permission.objects.exclude(content_type=ct).first())
    previous = AuditEntry.objects.filter(model="auth.Group").last()
    mark = head_seq()
    ct.delete()
    (entry,) = [e for e in new_entries(mark) if e.model == "auth.Group"]
    assert entry.before == previous.after
    assert len(json.loads(entry.after)["permissions"]) == 1
    assert_verifies()
