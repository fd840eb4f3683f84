"""The `caltrace` command's contract: help, one-line errors with exit code 2, rules list, tokens."""

import json
import os
import subprocess
import sys

import pytest

from caltrace.cli import main

COMMANDS = [
    [], ["init-demo"], ["serve"], ["demo"], ["migrate"], ["worker"], ["audit"], ["audit", "verify"],
    ["audit", "checkpoint"], ["rules"], ["rules", "list"], ["token"], ["token", "create"], ["import"], ["export"],
]


def run_cli(*args):
    env = {**os.environ}
    return subprocess.run([sys.executable, "-m", "caltrace.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "caltrace")
def test_every_command_has_help(command):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0


@pytest.mark.parametrize("argv", [
    ["bogus"],
    ["audit"],
    ["audit", "verify", "--nope"],
    ["rules", "list", "--format", "xml"],
    ["serve", "--port", "eighty"],
    ["token", "create"],
])
def test_bad_arguments_give_one_line_and_exit_2(argv):
    result = run_cli(*argv)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error:" in lines[0], result.stderr
    assert result.stdout == ""


@pytest.mark.django_db
def test_token_for_an_unknown_user_is_a_usage_error(capsys):
    assert main(["token", "create", "nobody"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["caltrace: error: username: no user named 'nobody'"]


@pytest.mark.django_db
def test_token_create_prints_a_working_token_and_is_audited(make_user, capsys):
    from django.test import Client

    from caltrace.core.models import AuditEntry

    make_user("robot", roles=["equipment_manager"])
    assert main(["token", "create", "robot", "--name", "bath sensor"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("ct_")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/integrity/rules").status_code == 200
    entry = AuditEntry.objects.filter(model="core.ApiToken").latest("seq")
    assert entry.actor == "system:cli" and entry.action == "create"


@pytest.mark.django_db
def test_rules_list_json_is_valid_and_complete(capsys):
    from caltrace.integrity import registry

    assert main(["rules", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == [r.id for r in registry.rules()]
    for r in listed:
        assert set(r) >= {"id", "kind", "events", "zh", "en"} and r["kind"] in ("GATE", "FLAG")


@pytest.mark.django_db
def test_rules_list_text_counts_the_rules(capsys):
    from caltrace.integrity import registry

    assert main(["rules", "list"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"{len(registry.rules())} rules")


@pytest.mark.django_db
def test_audit_verify_and_checkpoint_on_an_intact_ledger(make_user, capsys):
    make_user("someone")
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ledger intact: ") and " entries, head " in out
    assert main(["audit", "checkpoint", "--format", "json"]) == 0
    cp = json.loads(capsys.readouterr().out)
    assert cp["seq"] >= 1 and len(cp["head_hash"]) == 64 and cp["signature"]
    from caltrace.core import keys

    assert keys.verify_signature(cp["statement"].encode(), cp["signature"])


@pytest.mark.django_db
def test_every_role_permission_exists():
    """A typo in a role's permission list would silently grant nothing."""
    from django.contrib.auth.models import Group

    from caltrace.core import roles
    from caltrace.core.services import do_sync_role_groups

    do_sync_role_groups()
    for role in roles.ROLES.values():
        granted = {f"{p.content_type.app_label}.{p.codename}"
                   for p in Group.objects.get(name=role.code).permissions.select_related("content_type")}
        assert granted == set(role.permissions), role.code
