"""A method version's environmental limits as plain values, and the check of logged conditions
against them (SITE-3 uses :func:`check_conditions` at record sign-off).

Nothing here touches the database: :class:`Limit` and :class:`Reading` are plain values, and
:func:`check_conditions` is a pure function of them. ``MethodVersion.environment_limits()`` builds
the limits from the stored rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from caltrace.core import units

from .choices import Condition

# Units written differently by labs, mapped to what pint reads. Relative humidity is a plain percentage.

CONDITION_EN = {
    Condition.TEMPERATURE: "temperature", Condition.HUMIDITY: "relative humidity",
    Condition.PRESSURE: "atmospheric pressure", Condition.VIBRATION: "vibration",
    Condition.EMI: "electromagnetic interference", Condition.SUPPLY_VOLTAGE: "supply voltage",
    Condition.SUPPLY_FREQUENCY: "supply frequency", Condition.LIGHTING: "lighting",
    Condition.AIR_SPEED: "air speed", Condition.NOISE: "noise",
}


@dataclass(frozen=True)
class Limit:
    """One environmental limit of a method version: a range and, optionally, a largest change."""

    condition: str  # a Condition value
    unit: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_variation: Decimal | None = None  # largest max-min spread of the readings …
    variation_minutes: int | None = None  # … within any window of this many minutes (None: the whole calibration)
    name: str = ""  # for Condition.OTHER: what the condition is
    text: str = ""  # the method's own wording, e.g. "(20±2)℃"

    @property
    def key(self) -> str:
        """What a reading names to be checked against this limit: the condition, or "other:<name>"."""
        return f"{Condition.OTHER}:{self.name}" if self.condition == Condition.OTHER else self.condition

    @property
    def label(self) -> str:
        """The condition's name in the current language."""
        return self.name if self.condition == Condition.OTHER else str(Condition(self.condition).label)

    def labels(self) -> tuple[str, str]:
        """The condition's name in Chinese and English (for rule messages, which carry both)."""
        if self.condition == Condition.OTHER:
            return self.name, self.name
        with translation.override("zh-hans"):
            zh = str(Condition(self.condition).label)
        return zh, CONDITION_EN.get(self.condition, self.condition)

    def describe(self) -> str:
        """The limit in words: "18–22 °C, change ≤ 1 °C / 60 min"."""
        parts = []
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{_fmt(self.minimum)}–{_fmt(self.maximum)} {self.unit}")
        elif self.minimum is not None:
            parts.append(f"≥ {_fmt(self.minimum)} {self.unit}")
        elif self.maximum is not None:
            parts.append(f"≤ {_fmt(self.maximum)} {self.unit}")
        if self.max_variation is not None:
            window = (_("每 %(n)s 分钟") % {"n": self.variation_minutes} if self.variation_minutes
                      else _("校准过程中"))
            parts.append(_("%(window)s变化 ≤ %(value)s %(unit)s") % {
                "window": window, "value": _fmt(self.max_variation), "unit": self.unit})
        return "，".join(parts)


@dataclass(frozen=True)
class Reading:
    """One logged value of a condition. ``condition`` is a Condition value, or "other:<name>"."""

    condition: str
    value: Decimal
    unit: str
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Breach:
    """A way the readings break a limit. ``kind``: "below_min", "above_max", "variation" or "unit"."""

    limit: Limit
    kind: str
    value: Decimal | None  # the offending value in the limit's unit (the spread, for "variation")
    readings: tuple[Reading, ...]

    @property
    def condition(self) -> str:
        return self.limit.key

    def messages(self) -> tuple[str, str]:
        """The breach in Chinese and English."""
        lim, v = self.limit, (_fmt(self.value) if self.value is not None else "")
        zh, en = lim.labels()
        when = self.readings[0].at.isoformat(timespec="minutes") if self.readings and self.readings[0].at else ""
        if self.kind == "below_min":
            return (f"{zh} {v} {lim.unit} 低于方法下限 {_fmt(lim.minimum)} {lim.unit}（{when}）",
                    f"{en} {v} {lim.unit} below the method's minimum {_fmt(lim.minimum)} {lim.unit} ({when})")
        if self.kind == "above_max":
            return (f"{zh} {v} {lim.unit} 高于方法上限 {_fmt(lim.maximum)} {lim.unit}（{when}）",
                    f"{en} {v} {lim.unit} above the method's maximum {_fmt(lim.maximum)} {lim.unit} ({when})")
        if self.kind == "variation":
            return (f"{zh}变化 {v} {lim.unit} 超过方法允许的 {_fmt(lim.max_variation)} {lim.unit}（{when} 起）",
                    f"{en} changed by {v} {lim.unit}, more than the method's {_fmt(lim.max_variation)} "
                    f"{lim.unit} (from {when})")
        unit = self.readings[0].unit if self.readings else ""
        return (f"{zh}读数的单位“{unit}”不能换算为方法的单位“{lim.unit}”",
                f"{en} reading unit '{unit}' cannot be converted to the method's unit '{lim.unit}'")


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text


def _as_reading(r) -> Reading:
    if isinstance(r, Reading):
        return r
    if isinstance(r, dict):
        return Reading(condition=r["condition"], value=Decimal(str(r["value"])), unit=r.get("unit", ""),
                       at=r.get("at"))
    condition, value, unit, *rest = r
    return Reading(condition, Decimal(str(value)), unit, rest[0] if rest else None)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``; ValueError (UnitError) when they do not convert."""
    return units.convert(value, from_unit, to_unit)


def check_conditions(limits, readings) -> list[Breach]:
    """Every breach of ``limits`` by ``readings``.

    ``limits``: an iterable of :class:`Limit`, or a method version (its ``environment_limits()``).
    ``readings``: :class:`Reading` values, dicts with condition/value/unit/at, or tuples
    ``(condition, value, unit[, at])``. Readings of a condition without a limit are ignored, and a
    limit without readings yields no breach (:func:`uncovered` names those). A variation limit
    needs time stamps when it has a window; without one it spans all readings of the condition.
    """
    if hasattr(limits, "environment_limits"):
        limits = limits.environment_limits()
    by_key: dict[str, list[Reading]] = {}
    for r in map(_as_reading, readings):
        by_key.setdefault(r.condition, []).append(r)
    breaches: list[Breach] = []
    for limit in limits:
        found = by_key.get(limit.key, [])
        converted: list[tuple[Reading, Decimal]] = []
        for r in found:
            try:
                converted.append((r, convert(r.value, r.unit, limit.unit)))
            except ValueError:
                breaches.append(Breach(limit, "unit", None, (r,)))
        for r, v in converted:
            if limit.minimum is not None and v < limit.minimum:
                breaches.append(Breach(limit, "below_min", v, (r,)))
            elif limit.maximum is not None and v > limit.maximum:
                breaches.append(Breach(limit, "above_max", v, (r,)))
        if limit.max_variation is not None and len(converted) > 1:
            breach = _variation_breach(limit, converted)
            if breach:
                breaches.append(breach)
    return breaches


def _variation_breach(limit: Limit, converted: list[tuple[Reading, Decimal]]) -> Breach | None:
    """The first window whose spread exceeds the limit's largest change, as one breach."""
    if limit.variation_minutes is None or any(r.at is None for r, _v in converted):
        values = [v for _r, v in converted]
        spread = max(values) - min(values)
        if spread > limit.max_variation:
            return Breach(limit, "variation", spread, tuple(r for r, _v in converted))
        return None
    window = dt.timedelta(minutes=limit.variation_minutes)
    ordered = sorted(converted, key=lambda rv: rv[0].at)
    for i, (first, v0) in enumerate(ordered):
        low = high = v0
        for j in range(i + 1, len(ordered)):
            r, v = ordered[j]
            if r.at - first.at > window:
                break
            low, high = min(low, v), max(high, v)
            if high - low > limit.max_variation:
                return Breach(limit, "variation", high - low, tuple(rv[0] for rv in ordered[i:j + 1]))
    return None


def uncovered(limits, readings) -> list[Limit]:
    """The limits for which ``readings`` hold no value at all (SITE-3 flags those)."""
    if hasattr(limits, "environment_limits"):
        limits = limits.environment_limits()
    keys = {_as_reading(r).condition for r in readings}
    return [limit for limit in limits if limit.key not in keys]
