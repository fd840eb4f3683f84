"""The certificate PDF (校准证书 PDF), rendered from a :class:`CertificateDocument` and nothing else.

The PDF is HTML + CSS (``certificates/certificate.html``) laid out by WeasyPrint: A4, the
certificate number and "第 x 页 共 y 页 / Page x of y" in the page margins of every page (GB/T
27025 7.8.2.1 c), the CJK font (Noto Serif/Sans CJK SC, Debian ``fonts-noto-cjk``) embedded as a
subset, and a QR code to the public verification page. :func:`render_pdf` refuses an incomplete
document before anything is rendered (RPT-2): :class:`IncompleteCertificate` names each element.
The bytes it returns are unsigned; :func:`caltrace.certificates.signing.sign_pdf` signs them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import segno
from django.template.loader import render_to_string

from .document import CertificateDocument, require_complete

# How a pint-readable unit is printed on the certificate.
UNIT_DISPLAY = {
    "degC": "℃", "degree_Celsius": "℃", "degF": "℉", "kelvin": "K",
    "percent": "%", "ohm": "Ω", "kohm": "kΩ", "Mohm": "MΩ", "megaohm": "MΩ",
    "uV": "μV", "uA": "μA", "uF": "μF", "us": "μs", "um": "μm", "ug": "μg",
    "microvolt": "μV", "microampere": "μA", "micrometer": "μm",
}

CONFORMITY_TEXT = {
    "pass": ("符合", "Pass"),
    "conditional_pass": ("有条件符合", "Conditional pass"),
    "conditional_fail": ("有条件不符合", "Conditional fail"),
    "fail": ("不符合", "Fail"),
}


def unit_text(unit: str) -> str:
    return UNIT_DISPLAY.get(unit, unit)


def number_text(value: Decimal | None, *, signed: bool = False) -> str:
    """The value with exactly the decimals it was given (it is already rounded): no exponent, no
    re-rounding; ``signed`` prints a + before a positive value (errors)."""
    if value is None:
        return ""
    text = format(value, "f")
    if signed and value > 0:
        text = "+" + text
    return text.replace("-", "−")


def date_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day else ""


def date_text_en(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def css_string(text: str) -> str:
    """``text`` safe inside a double-quoted CSS string (the page-margin boxes print the number)."""
    return "".join(ch if ch.isalnum() or ch in " -_./:()（）" else f"\\{ord(ch):x} " for ch in text)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#111111")


def _context(doc: CertificateDocument) -> dict:
    conform = doc.conformity
    rows = [
        dict(quantity=r.quantity, quantity_en=r.quantity_en, unit=unit_text(r.unit),
             reference=number_text(r.reference_value), indication=number_text(r.indication),
             error=number_text(r.error, signed=True), u=number_text(r.expanded_uncertainty),
             k=number_text(r.coverage_factor), p=r.coverage_probability,
             conformity=CONFORMITY_TEXT.get(r.conformity))
        for r in doc.results
    ]
    probabilities = sorted({r.coverage_probability for r in doc.results})
    period = date_text(doc.calibrated_on)
    period_en = date_text_en(doc.calibrated_on)
    if doc.calibrated_until and doc.calibrated_until != doc.calibrated_on:
        period += " 至 " + date_text(doc.calibrated_until)
        period_en += " to " + date_text_en(doc.calibrated_until)
    return dict(
        doc=doc,
        number_css=css_string(doc.number),
        rows=rows,
        show_error=any(r.error is not None for r in doc.results),
        show_point_conformity=any(r.conformity for r in doc.results),
        probability_percent=[format(p * 100, "f").rstrip("0").rstrip(".") for p in probabilities],
        conditions=[dict(c=c, value=number_text(c.value), variation=number_text(c.variation), unit=unit_text(c.unit))
                    for c in doc.conditions],
        equipment=[dict(e=e, due=date_text_en(e.due_on)) for e in doc.equipment],
        received=date_text(doc.received_on), received_en=date_text_en(doc.received_on),
        calibrated=period, calibrated_en=period_en,
        issued=date_text(doc.issued_on), issued_en=date_text_en(doc.issued_on),
        conformity_outcome=CONFORMITY_TEXT.get(conform.outcome) if conform else None,
        qr=qr_data_uri(doc.verification_url) if doc.verification_url else "",
    )


def render_html(doc: CertificateDocument) -> str:
    require_complete(doc)
    return render_to_string("certificates/certificate.html", _context(doc))


def render_pdf(doc: CertificateDocument) -> bytes:
    """The unsigned certificate PDF. Raises :class:`IncompleteCertificate` (naming the missing GB/T
    27025 7.8 elements) before rendering anything if the document is incomplete."""
    require_complete(doc)
    from weasyprint import HTML  # imported late: it loads Pango, which only this needs

    html = render_html(doc)
    return HTML(string=html).write_pdf()
