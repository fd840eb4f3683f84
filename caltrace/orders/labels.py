"""Sample labels (样品标签, SMP-2): the QR code a label carries and the codes a scan may bring.

The QR code encodes the absolute scan URL of the item's random ``label_code`` (not its number,
which is guessable); a scanner that types, or a person, may also enter the identification.
"""

from __future__ import annotations

import re

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

_SPACES = re.compile(r"\s+")


def scan_url(item) -> str:
    """The absolute URL a label's QR code opens."""
    return settings.CALTRACE_BASE_URL + reverse("orders:scan_code", args=[item.label_code])


def qr_svg(data: str, *, scale: int = 4) -> str:
    """An inline SVG of the QR code for ``data`` (no XML declaration, ready for a template)."""
    svg = segno.make(data, error="m").svg_inline(scale=scale, border=2, dark="#000000", omitsize=True,
                                                 svgclass="label-qr", title="QR")
    return mark_safe(svg)  # noqa: S308 — segno builds the SVG from the encoded modules only


def normalise(code: str) -> str:
    """A typed or scanned code without spaces; label codes are case-sensitive, identifications
    are looked up case-insensitively by the selector."""
    return _SPACES.sub("", code or "")


def code_from_scan(text: str) -> str:
    """The code in what a scanner typed: the whole scan URL (a QR read by a USB scanner) or the code."""
    text = (text or "").strip()
    marker = "/scan/"
    if marker in text:
        text = text.rsplit(marker, 1)[1].strip("/")
    return normalise(text)
