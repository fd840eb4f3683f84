"""The demo lab: complete, valid and idempotent."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model

from caltrace import cli
from caltrace.core import audit, ledger, roles
from caltrace.core.models import AuditEntry
from caltrace.core.validators import validate_credit_code
from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.customers.selectors import visible_organisations
from caltrace.demo import data
from caltrace.demo.seed import BASE_DEMOS, DEMO_PASSWORD, seed
from caltrace.equipment.choices import EquipmentKind
from caltrace.equipment.models import Equipment
from caltrace.methods.choices import VersionStatus
from caltrace.methods.models import MethodVersion
from caltrace.org.models import Agency, Site
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.models import Person

pytestmark = pytest.mark.django_db

# A day inside every validity period in the demo data, so these tests do not age.
DAY = dt.date(2026, 11, 21)


def _counts() -> dict[str, int]:
    return {audit.model_label(m): m._base_manager.count() for m in apps.get_models()}


@pytest.fixture
def accounts():
    return seed(apps=BASE_DEMOS)


def test_second_run_creates_nothing_and_writes_no_ledger_entry():
    accounts = seed()  # the whole demo, issued certificates included
    counts, entries = _counts(), AuditEntry.objects.count()
    again = seed()
    assert again == accounts
    assert _counts() == counts
    assert AuditEntry.objects.count() == entries
    result = ledger.verify()
    assert result.ok, result.problems
    assert result.count == entries


def test_every_role_has_a_user(accounts):
    User = get_user_model()
    for code in roles.ROLES:
        assert User.objects.filter(groups__name=code, is_active=True).exists(), code
    assert {a.role for a in accounts} == set(roles.ROLES) | {"admin"}
    assert User.objects.get(username="admin").is_superuser


def test_every_demo_login_authenticates(accounts):
    assert len({a.username for a in accounts}) == len(accounts)
    for account in accounts:
        assert account.password == DEMO_PASSWORD
        user = authenticate(username=account.username, password=DEMO_PASSWORD)
        assert user is not None, account.username
        assert user.password.startswith("argon2")
        if account.role != "admin":
            assert account.role in roles.roles_of(user)


def test_staff_accounts_belong_to_people_and_customer_accounts_to_contacts(accounts):
    for account in accounts:
        user = get_user_model().objects.get(username=account.username)
        if account.role == roles.CUSTOMER:
            assert CustomerContact.objects.filter(user=user).exists()
            assert not roles.is_staff_member(user)
        elif account.role != "admin":
            assert Person.objects.filter(user=user).exists()


def test_each_customer_sees_only_its_own_organisation(accounts):
    customers = [a for a in accounts if a.role == roles.CUSTOMER]
    assert len(customers) >= 2
    assert CustomerOrganisation.objects.count() >= 3
    seen = set()
    for account in customers:
        user = get_user_model().objects.get(username=account.username)
        visible = list(visible_organisations(user))
        assert visible == [user.customer_contact.organisation]
        seen.add(visible[0].pk)
    assert len(seen) == len(customers)


def _org_code_check(body: str) -> str:
    """GB 11714 check digit of the 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    return {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


def test_credit_codes_are_valid(accounts):
    codes = [data.AGENCY["credit_code"]] + [c["credit_code"] for c in data.CUSTOMERS]
    assert len(set(codes)) == len(codes)
    for code in codes:
        validate_credit_code(code)
        assert code[16] == _org_code_check(code[8:16]), code
    assert Agency.objects.get().credit_code == data.AGENCY["credit_code"]


def test_agency_has_a_main_site_and_a_second_one_with_rooms(accounts):
    agency = Agency.objects.get()
    sites = list(agency.sites.all())
    assert len(sites) == 2 and sum(s.is_main for s in sites) == 1
    for site in sites:
        assert site.tenure_in_date(DAY)
        assert site.rooms.filter(keeps_standards=True).exists()
    assert Site.objects.get(is_main=False).tenure_document_no


def test_technical_director_meets_per_3(accounts):
    director = Person.objects.get(user__groups__name=roles.TECHNICAL_DIRECTOR)
    assert director.calibration_years_on(DAY) >= 5
    kinds = set(director.qualifications.valid_on(DAY).values_list("kind", flat=True))
    assert {QK.REGISTERED_METROLOGIST_1, QK.SENIOR_TITLE} <= kinds


def test_calibrators_reviewers_and_signatories_hold_a_valid_certificate(accounts):
    for role in (roles.CALIBRATOR, roles.REVIEWER, roles.SIGNATORY):
        people = Person.objects.filter(user__groups__name=role)
        assert people.exists()
        for person in people:
            assert person.qualifications.valid_on(DAY).filter(
                kind__in=[QK.REGISTERED_METROLOGIST_1, QK.REGISTERED_METROLOGIST_2]).exists(), person
            assert person.age_on(DAY) < 65


def test_equipment_covers_every_kind_and_the_named_standards(accounts):
    assert set(Equipment.objects.values_list("kind", flat=True)) == set(EquipmentKind.values)
    standards = Equipment.objects.filter(kind=EquipmentKind.MEASUREMENT_STANDARD)
    assert {"5522A", "3458A", "5681"} <= set(standards.values_list("model", flat=True))
    assert all(s.home_room.keeps_standards for s in standards)


def test_methods_and_their_editions(accounts):
    def status(code, edition):
        return MethodVersion.objects.get(method__code=code, edition=edition).status_on(DAY)

    assert status("JJF 1587", "2016") == VersionStatus.CURRENT
    assert status("JJG 1036", "2022") == VersionStatus.CURRENT
    assert status("JJG 1036", "2008") == VersionStatus.SUPERSEDED
    assert status("JJF 1059", "1999") == VersionStatus.SUPERSEDED
    assert MethodVersion.objects.get(method__code="JJF 1059", edition="1999").superseded_by.designation == \
        "JJF 1059.1-2012"
    assert status("JJG 229", "2010") == VersionStatus.CURRENT
    assert MethodVersion.objects.filter(method__code="JJF 1171").exists()


def test_cli_prints_every_account(capsys):
    assert cli.main(["init-demo"]) == 0
    out = capsys.readouterr().out
    for username in ["admin", "limingyuan", "chenjing", "xuliang"]:
        assert username in out
    assert DEMO_PASSWORD in out
    assert AuditEntry.objects.filter(actor="system:init-demo").exists()
