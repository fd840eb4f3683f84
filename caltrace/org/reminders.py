"""What falls due in the org app: qualification certificates and site leases expiring (到期提醒).

A certificate that has been renewed (another certificate ``replaces`` it) or that is suspended or
revoked needs no reminder; a site lease needs one until the site records the renewed document.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from caltrace.core.reminders import DueItem

from .choices import SiteTenure
from .models import QualificationCertificate, Site
from .selectors import reminder_recipients


def due(until: dt.date) -> list[DueItem]:
    certs = list(QualificationCertificate.objects
                 .filter(valid_until__lte=until, revoked_on__isnull=True, replaced_by__isnull=True)
                 .order_by("valid_until", "number"))
    sites = list(Site.objects.exclude(tenure=SiteTenure.OWNED).filter(tenure_valid_until__lte=until)
                 .order_by("tenure_valid_until", "name"))
    if not certs and not sites:
        return []
    responsible = reminder_recipients()
    items = []
    for cert in certs:
        kind_zh = {"accreditation": "认可证书", "authorization": "计量授权证书"}.get(cert.kind, "资质证书")
        kind_en = {"accreditation": "Accreditation certificate",
                   "authorization": "Metrology authorization certificate"}.get(cert.kind, "Qualification certificate")
        items.append(DueItem(
            kind="qualification",
            label_zh=f"{kind_zh} {cert.number} 有效期至 {cert.valid_until.isoformat()}，请办理复评或换证",
            label_en=f"{kind_en} {cert.number} is valid until {cert.valid_until.isoformat()}: renew it",
            due_on=cert.valid_until,
            url=reverse("org:certificate_detail", args=[cert.pk]),
            responsible=responsible,
        ))
    for site in sites:
        items.append(DueItem(
            kind="site_tenure",
            label_zh=f"场所“{site.name}”的租赁凭证或使用证明 {site.tenure_document_no} 有效期至 "
                     f"{site.tenure_valid_until.isoformat()}，请续签并登记",
            label_en=f"The lease or proof of use {site.tenure_document_no} of site {site.name_en or site.name} is valid until "
                     f"{site.tenure_valid_until.isoformat()}: renew it and record the new document",
            due_on=site.tenure_valid_until,
            url=reverse("org:site_detail", args=[site.pk]),
            responsible=responsible,
        ))
    return items
