"""A small server-side SVG of a record's results: the error of indication at each calibration point
with its expanded uncertainty as an error bar around the zero line. People look at this rather
than read the numbers: a bar that does not cross zero is an error larger than its uncertainty.

When the points span more than a decade (1 V … 100 V) one absolute axis would flatten the small
points, so the errors are drawn relative to the nominal value (×10⁻⁶); otherwise in the unit.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 560, 220
STYLE = ("<style>.grid{stroke:#e3e7ee;stroke-width:1}.zero{stroke:#5a6472;stroke-width:1.2}"
         ".tick,.label,.axis{font:11px sans-serif;fill:#4a5361}.axis{font-size:10px}"
         ".pt line{stroke:#1f5fa8;stroke-width:1.6}.pt circle{fill:#1f5fa8}"
         ".pt-out line{stroke:#b3261e}.pt-out circle{fill:#b3261e}</style>")
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 18, 40


def _num(text) -> float | None:
    try:
        return float(Decimal(str(text)))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _points(results: list[dict]) -> tuple[list[dict], str]:
    """(points with x label, error e and uncertainty U in the plotted scale, axis label)."""
    raw = []
    for entry in results:
        reported = entry.get("reported") or {}
        nominal, error, U = _num(entry.get("nominal")), _num(entry.get("error")), _num(reported.get("U"))
        if error is None or U is None:
            continue
        raw.append((entry, nominal, error, U))
    if not raw:
        return [], ""
    unit = raw[0][0].get("unit", "")
    sizes = [abs(n) for _e, n, _x, _u in raw if n]
    relative = (len(sizes) == len(raw) and max(sizes) / min(sizes) > 10
                and len({e.get("unit", "") for e, *_ in raw}) == 1)
    points = []
    for entry, nominal, error, U in raw:
        scale = 1e6 / abs(nominal) if relative else 1.0
        points.append({"label": f"{entry.get('nominal')} {entry.get('unit', '')}".strip(),
                       "e": error * scale, "U": U * scale,
                       "title": f"{entry.get('nominal')} {entry.get('unit', '')}: δ = {entry.get('error')}, "
                                f"U = {reported_U(entry)} {entry.get('unit', '')}"})
    axis = _("示值误差（×10⁻⁶，相对标称值）") if relative else _("示值误差（%(unit)s）") % {"unit": unit}
    return points, axis


def reported_U(entry) -> str:
    return (entry.get("reported") or {}).get("U", "")


def _nice_step(span: float) -> float:
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _tick(v: float) -> str:
    text = format(v, ".3g")
    return "0" if v == 0 else text.replace("-", "−")


def error_chart(results: list[dict]) -> str:
    """The SVG (safe HTML) for ``CalibrationRecord.results``; "" when there is nothing to draw."""
    points, axis = _points(results)
    if not points:
        return ""
    extent = max(abs(p["e"]) + p["U"] for p in points) or 1.0
    step = _nice_step(extent)
    top = step * math.ceil(extent / step)
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def y(v):
        return TOP + plot_h / 2 - (v / top) * (plot_h / 2)

    label = escape(_("各校准点的示值误差及其扩展不确定度"))
    parts = [f'<svg class="cal-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
             'xmlns="http://www.w3.org/2000/svg">', STYLE]
    ticks = int(round(top / step))
    for i in range(-ticks, ticks + 1):
        v = i * step
        yy = y(v)
        cls = "zero" if i == 0 else "grid"
        parts.append(f'<line class="{cls}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{yy + 3.5:.1f}" text-anchor="end">{escape(_tick(v))}</text>')
    parts.append(f'<text class="axis" x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(axis)}</text>')
    band = plot_w / len(points)
    for i, p in enumerate(points):
        x = LEFT + band * (i + 0.5)
        lo, hi, mid = y(p["e"] - p["U"]), y(p["e"] + p["U"]), y(p["e"])
        crosses = p["e"] - p["U"] <= 0 <= p["e"] + p["U"]
        cls = "pt" if crosses else "pt pt-out"
        parts.append(f'<g class="{cls}"><title>{escape(p["title"])}</title>'
                     f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{hi:.1f}" y2="{lo:.1f}"/>'
                     f'<line x1="{x - 7:.1f}" x2="{x + 7:.1f}" y1="{hi:.1f}" y2="{hi:.1f}"/>'
                     f'<line x1="{x - 7:.1f}" x2="{x + 7:.1f}" y1="{lo:.1f}" y2="{lo:.1f}"/>'
                     f'<circle cx="{x:.1f}" cy="{mid:.1f}" r="3.5"/></g>')
        parts.append(f'<text class="label" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f'{escape(p["label"])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
