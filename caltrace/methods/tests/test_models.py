"""Methods and their editions: code checks, supersession and status on a day (VAL-1)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from caltrace.core.models import AuditEntry
from caltrace.methods.choices import MethodKind, VersionStatus
from caltrace.methods.factories import MethodFactory, MethodVersionFactory
from caltrace.methods.services import do_add_method_version, do_register_method, do_supersede_method_version

pytestmark = pytest.mark.django_db


def test_register_method_normalises_spaces():
    method = do_register_method(code=" JJF   1587 ", kind=MethodKind.JJF, title="数字多用表校准规范")
    assert method.code == "JJF 1587"


@pytest.mark.parametrize("code,kind", [("JJF 1587", MethodKind.JJG), ("ISO 6789-1", MethodKind.GB)])
def test_code_must_match_kind(code, kind):
    with pytest.raises(ValidationError) as info:
        do_register_method(code=code, kind=kind, title="某方法")
    assert "code" in info.value.message_dict


@pytest.mark.parametrize("code", ["JJF 1059.1-2012", "ISO 6789-1:2017", "JJG 1036—2022"])
def test_code_must_not_carry_the_edition(code):
    kind = MethodKind.ISO if code.startswith("ISO") else MethodKind.JJF if code.startswith("JJF") else MethodKind.JJG
    with pytest.raises(ValidationError) as info:
        do_register_method(code=code, kind=kind, title="某方法")
    assert info.value.message_dict["code"] == ["方法编号不含年代号，年代号登记在版本中"]


def test_in_house_and_local_codes():
    assert not do_register_method(code="MH/ZY-01", kind=MethodKind.IN_HOUSE, title="自编方法").is_standard_method
    assert do_register_method(code="JJG(苏) 123", kind=MethodKind.JJG, title="地方规程").is_standard_method


def test_designation():
    assert str(MethodVersionFactory(method__code="JJF 1587", edition="2016")) == "JJF 1587-2016"
    iso = MethodVersionFactory(method__code="ISO 6789-1", method__kind=MethodKind.ISO, edition="2017")
    assert iso.designation == "ISO 6789-1:2017"


def test_withdrawal_cannot_precede_effect():
    with pytest.raises(ValidationError) as info:
        do_add_method_version(MethodFactory(), edition="2016", effective_on=dt.date(2016, 12, 27),
                              withdrawn_on=dt.date(2016, 1, 1))
    assert "withdrawn_on" in info.value.message_dict


def test_edition_is_unique_per_method():
    v = MethodVersionFactory(edition="2016")
    with pytest.raises(ValidationError):
        do_add_method_version(v.method, edition="2016", effective_on=dt.date(2016, 12, 27))


def test_supersession_and_status_on_a_day():
    method = MethodFactory(code="JJG 229", kind=MethodKind.JJG)
    old = do_add_method_version(method, edition="1998", effective_on=dt.date(1998, 10, 1))
    new = do_add_method_version(method, edition="2010", effective_on=dt.date(2011, 3, 6))
    assert do_supersede_method_version(old, new) is True
    old.refresh_from_db()
    assert old.withdrawn_on == dt.date(2011, 3, 6) and old.superseded_by == new
    assert old.status_on(dt.date(1998, 9, 30)) == VersionStatus.NOT_YET_EFFECTIVE
    assert old.status_on(dt.date(2011, 3, 5)) == VersionStatus.CURRENT
    assert old.status_on(dt.date(2011, 3, 6)) == VersionStatus.SUPERSEDED
    assert new.is_current_on(dt.date(2011, 3, 6))
    before = AuditEntry.objects.count()
    assert do_supersede_method_version(old, new) is False
    assert AuditEntry.objects.count() == before


def test_supersession_across_methods():
    old = MethodVersionFactory(method__code="JJF 1059", edition="1999", effective_on=dt.date(1999, 5, 1))
    new = MethodVersionFactory(method__code="JJF 1059.1", edition="2012", effective_on=dt.date(2013, 6, 3))
    do_supersede_method_version(old, new)
    old.refresh_from_db()
    assert old.status_on(dt.date(2020, 1, 1)) == VersionStatus.SUPERSEDED
    assert list(new.supersedes.all()) == [old]


def test_withdrawn_without_successor():
    v = MethodVersionFactory(effective_on=dt.date(2000, 1, 1), withdrawn_on=dt.date(2020, 1, 1))
    assert v.status_on(dt.date(2020, 1, 1)) == VersionStatus.WITHDRAWN


def test_supersession_refuses_self_and_an_older_successor():
    old = MethodVersionFactory(edition="2010", effective_on=dt.date(2011, 3, 6))
    with pytest.raises(ValidationError):
        do_supersede_method_version(old, old)
    older = MethodVersionFactory(method=old.method, edition="1998", effective_on=dt.date(1998, 10, 1))
    with pytest.raises(ValidationError) as info:
        do_supersede_method_version(old, older)
    assert "superseded_by" in info.value.message_dict


def test_successor_without_a_withdrawal_date_ends_the_version():
    from caltrace.methods.models import MethodVersion

    old = MethodVersionFactory(edition="2008", effective_on=dt.date(2008, 5, 20))
    new = MethodVersionFactory(method=old.method, edition="2022", effective_on=dt.date(2023, 3, 27))
    MethodVersion.objects.filter(pk=old.pk).update(superseded_by=new)  # as an old import could leave it
    old.refresh_from_db()
    assert old.ends_on == dt.date(2023, 3, 27)
    assert old.status_on(dt.date(2023, 3, 26)) == VersionStatus.CURRENT
    assert old.status_on(dt.date(2023, 3, 27)) == VersionStatus.SUPERSEDED


def test_status_filter_in_the_database_agrees_with_status_on():
    """selectors.version_status_q gives the same answer as MethodVersion.status_on, day by day."""
    from caltrace.methods.models import MethodVersion
    from caltrace.methods.selectors import WITHDRAWAL_SOON, badge_for, version_status_q

    a = MethodVersionFactory(edition="2000", effective_on=dt.date(2000, 1, 1))
    b = MethodVersionFactory(method=a.method, edition="2010", effective_on=dt.date(2010, 1, 1))
    do_supersede_method_version(a, b, withdrawn_on=dt.date(2010, 6, 1))  # a transition period
    MethodVersionFactory(edition="2005", effective_on=dt.date(2005, 1, 1), withdrawn_on=dt.date(2012, 1, 1))
    d = MethodVersionFactory(edition="2011", effective_on=dt.date(2011, 1, 1))
    e = MethodVersionFactory(edition="2001", effective_on=dt.date(2001, 1, 1))
    MethodVersion.objects.filter(pk=e.pk).update(superseded_by=d)  # successor, no withdrawal date
    versions = list(MethodVersion.objects.select_related("superseded_by", "method"))
    days = [dt.date(1999, 12, 31), dt.date(2000, 1, 1), dt.date(2009, 12, 31), dt.date(2010, 1, 1),
            dt.date(2010, 5, 31), dt.date(2010, 6, 1), dt.date(2010, 12, 31), dt.date(2011, 1, 1),
            dt.date(2011, 11, 1), dt.date(2012, 1, 1)]
    for day in days:
        for status in [*VersionStatus.values, WITHDRAWAL_SOON]:
            in_db = set(MethodVersion.objects.filter(version_status_q(status, day)).values_list("pk", flat=True))
            if status == WITHDRAWAL_SOON:
                expected = {v.pk for v in versions if badge_for(v, day).code == WITHDRAWAL_SOON}
            else:
                expected = {v.pk for v in versions if v.status_on(day) == status}
            assert in_db == expected, (day, status)
