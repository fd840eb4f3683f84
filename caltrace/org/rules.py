"""The org app's requirement checks on a piece of work (DIG-3), bound to the four work events.

QUAL-1   the work falls under a scope item of a qualification certificate valid on the day, inside
         that item's methods and range (an annex entry that does not cover the work is no cover).
PRH-5    the same refusal seen from the prohibition: no calibration outside the accredited scope
         (method not covered, a point outside the range or in a unit that cannot be the range's).
SITE-2   in-lab work happens at a site where the scope item is valid, whose lease or proof of use is
         in date (SITE-1), and with measurement standards kept at that site; on-site work at a
         customer's premises is allowed here (REC-3 asks for its evidence at sign-off).
"""

from __future__ import annotations

import dataclasses

from caltrace.integrity.registry import GATE, rule
from caltrace.integrity.work import WORK_EVENTS, as_work

from caltrace.core import units
from .models import format_decimal


def _d(day) -> str:
    return day.isoformat() if day else "—"


# --- QUAL-1 and PRH-5 ----------------------------------------------------------------------------


def _certificate_violations(r, work):
    item = work.scope_item
    if item is None:
        yield r.violation("未指定能力范围条目，无法确认本次校准在有效资质证书的能力范围内",
                          "No scope item given: the work cannot be shown to lie in a valid certificate's scope")
        return
    cert = item.certificate
    if work.at < cert.valid_from:
        yield r.violation(
            f"资质证书 {cert.number} 自 {_d(cert.valid_from)} 起才生效，{_d(work.at)} 不在有效期内",
            f"Qualification certificate {cert.number} is valid only from {_d(cert.valid_from)}, "
            f"not on {_d(work.at)}", cert, item)
    elif work.at > cert.valid_until:
        yield r.violation(
            f"资质证书 {cert.number} 已于 {_d(cert.valid_until)} 到期，{_d(work.at)} 不能依据其能力范围开展校准",
            f"Qualification certificate {cert.number} expired on {_d(cert.valid_until)}; "
            f"no calibration under its scope on {_d(work.at)}", cert, item)
    elif cert.revoked_on is not None and work.at >= cert.revoked_on:
        yield r.violation(
            f"资质证书 {cert.number} 自 {_d(cert.revoked_on)} 起已暂停或撤销",
            f"Qualification certificate {cert.number} is suspended or revoked since {_d(cert.revoked_on)}",
            cert, item)
    if item.withdrawn_on is not None and work.at >= item.withdrawn_on:
        yield r.violation(
            f"能力范围条目 {item.code} 已于 {_d(item.withdrawn_on)} 撤出证书 {cert.number} 的能力范围",
            f"Scope item {item.code} was withdrawn from certificate {cert.number} on {_d(item.withdrawn_on)}",
            item)


def _coverage_violations(r, work, zh_prefix="", en_prefix=""):
    """The method and the calibration points against the item's methods and range."""
    item = work.scope_item
    if item is None:
        return
    for v in _coverage(r, work, item):
        yield dataclasses.replace(v, zh=zh_prefix + v.zh, en=en_prefix + v.en)


def _coverage(r, work, item):
    mv = work.method_version
    if mv is None:
        yield r.violation(f"未指定方法版本，无法确认在能力范围条目 {item.code} 的适用方法之内",
                          f"No method version given: the work cannot be shown to use a method of scope item "
                          f"{item.code}", item)
    else:
        methods = list(item.methods.all())
        if mv.method_id not in {m.pk for m in methods}:
            codes = "、".join(m.code for m in methods) or "—"
            yield r.violation(
                f"方法 {mv} 不在能力范围条目 {item.code} 的适用方法（{codes}）之内",
                f"Method {mv} is not among the methods of scope item {item.code} ({codes.replace('、', ', ')})",
                item, mv)
    for point in work.points:
        shown = f"{format_decimal(point.value)} {point.unit}"
        try:
            value = units.convert(point.value, point.unit, item.unit)
        except units.UnitError:
            yield r.violation(
                f"校准点 {shown} 的单位与能力范围条目 {item.code} 的单位 {item.unit} 不相容，无法确认在测量范围内",
                f"Calibration point {shown}: its unit cannot be converted to {item.unit}, the unit of scope item "
                f"{item.code}, so it cannot be shown to lie in the range", item)
            continue
        if not item.covers(value):
            yield r.violation(
                f"校准点 {shown} 超出能力范围条目 {item.code} 的测量范围 {item.range_text}",
                f"Calibration point {shown} lies outside the range {item.range_text} of scope item {item.code}",
                item)


@rule("QUAL-1", kind=GATE, events=WORK_EVENTS,
      zh="校准须在有效资质证书的能力范围内：证书在有效期内，方法和校准点在能力范围条目之内",
      en="Calibration needs a qualification certificate in date whose scope item covers the method and points")
def qualification_valid(r, obj, ctx):
    work = as_work(obj)
    yield from _certificate_violations(r, work)
    yield from _coverage_violations(r, work, "资质证书附件的能力范围不覆盖本次校准：",
                                    "The certificate's scope annex does not cover this work: ")


@rule("PRH-5", kind=GATE, events=WORK_EVENTS,
      zh="不得超出认可的校准能力范围：方法须为条目所列方法，校准点须在测量范围内",
      en="No calibration outside the accredited scope: the item's methods only, points inside its range")
def inside_accredited_scope(r, obj, ctx):
    yield from _coverage_violations(r, as_work(obj), "超出认可的校准能力范围：", "Outside the accredited scope: ")


# --- SITE-2 --------------------------------------------------------------------------------------


@rule("SITE-2", kind=GATE, events=WORK_EVENTS,
      zh="在实验室内开展的校准须在资质文件所列的有效场所，且场所使用凭证在有效期内、所用测量标准保存在该场所",
      en="In-lab calibration happens at an accredited site with its proof of use in date, "
         "where the measurement standards used are kept")
def accredited_premises(r, obj, ctx):
    work = as_work(obj)
    if work.on_site:
        return  # at the customer's premises: allowed; REC-3 asks for the evidence at sign-off
    site, item = work.site, work.scope_item
    if site is None:
        yield r.violation("在实验室内开展的校准须登记校准场所", "In-lab calibration must name the site where it happens",
                          item)
        return
    item_sites = list(item.sites.all()) if item is not None else []
    if item is not None and site.pk not in {s.pk for s in item_sites}:
        names = "、".join(s.name for s in item_sites) or "—"
        yield r.violation(
            f"场所“{site.name}”不是能力范围条目 {item.code} 的有效场所（{names}）",
            f"Site {site.name} is not an accredited site of scope item {item.code} ({names.replace('、', ', ')})",
            site, item)
    if not site.tenure_in_date(work.at):
        yield r.violation(
            f"场所“{site.name}”的租赁凭证或独立使用证明在 {_d(work.at)} 不在有效期内"
            f"（{_d(site.tenure_valid_from)} 至 {_d(site.tenure_valid_until)}）",
            f"The lease or proof of use of site {site.name} is not in date on {_d(work.at)} "
            f"({_d(site.tenure_valid_from)} to {_d(site.tenure_valid_until)})", site)
    for eq in work.equipment:
        if not getattr(eq, "is_measurement_standard", False) or getattr(eq, "home_room_id", None) is None:
            continue
        room = eq.home_room
        if room.site_id != site.pk:
            yield r.violation(
                f"测量标准 {eq} 的保存地点（{room.site.name} {room.code}）不在校准场所“{site.name}”",
                f"Measurement standard {eq} is kept at {room.site.name} {room.code}, not at the site of the work, "
                f"{site.name}", eq, site)
