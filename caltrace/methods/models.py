"""The method registry (方法): verification regulations, calibration specifications, standards, and their editions."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel

from .choices import KIND_PREFIXES, MethodKind, VersionStatus

# An edition year written into the code ("JJF 1059.1-2012", "ISO 6789-1:2017") belongs to the version.
_EDITION_SUFFIX = re.compile(r"[-—:：]\s*(19|20)\d{2}$")


class Method(BusinessModel):
    """A method document (校准方法), e.g. JJF 1587 数字多用表校准规范, without its edition."""

    code = models.CharField(_("编号"), max_length=60, unique=True, help_text=_("不含年代号，例如“JJF 1587”"))
    kind = models.CharField(_("类别"), max_length=20, choices=MethodKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("方法")
        verbose_name_plural = _("方法")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind"], name="methods_method_kind_idx")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        self.code = " ".join((self.code or "").split())
        errors = []
        prefix = KIND_PREFIXES.get(self.kind)
        if prefix and not self.code.upper().startswith(prefix):
            errors.append(ValidationError(_("%(kind)s 类方法的编号应以“%(prefix)s”开头"),
                                          params={"kind": self.get_kind_display(), "prefix": prefix}))
        if _EDITION_SUFFIX.search(self.code):
            errors.append(ValidationError(_("方法编号不含年代号，年代号登记在版本中")))
        if errors:
            raise ValidationError({"code": errors})

    @property
    def is_standard_method(self) -> bool:
        """A published method (MTH-1); an in-house one needs consent and validation (MTH-2)."""
        return self.kind != MethodKind.IN_HOUSE


class MethodVersion(BusinessModel):
    """One edition (版本) of a method, e.g. JJF 1587-2016, with its effective and withdrawal dates."""

    method = models.ForeignKey(Method, on_delete=models.PROTECT, related_name="versions", verbose_name=_("方法"))
    edition = models.CharField(_("版本(年代号)"), max_length=20)
    effective_on = models.DateField(_("实施日期"))
    withdrawn_on = models.DateField(_("废止日期"), null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="supersedes", verbose_name=_("被代替为"))

    class Meta:
        verbose_name = _("方法版本")
        verbose_name_plural = _("方法版本")
        ordering = ["method_id", "-effective_on"]
        constraints = [models.UniqueConstraint(fields=["method", "edition"], name="methods_version_unique_edition")]
        indexes = [
            models.Index(fields=["method", "effective_on"], name="methods_version_effective_idx"),
            models.Index(fields=["withdrawn_on"], name="methods_version_withdrawn_idx"),
        ]

    def __str__(self):
        return self.designation

    @property
    def designation(self) -> str:
        """The full designation: "JJF 1587-2016", "ISO 6789-1:2017"."""
        sep = ":" if self.method.kind == MethodKind.ISO else "-"
        return f"{self.method.code}{sep}{self.edition}"

    def clean(self):
        super().clean()
        errors = {}
        if self.effective_on and self.withdrawn_on and self.withdrawn_on < self.effective_on:
            errors["withdrawn_on"] = _("废止日期不能早于实施日期")
        if self.superseded_by_id is not None:
            if self.pk is not None and self.superseded_by_id == self.pk:
                errors["superseded_by"] = _("版本不能被自身代替")
            elif self.effective_on and self.superseded_by.effective_on < self.effective_on:
                errors["superseded_by"] = _("代替版本的实施日期不能早于被代替版本")
        if errors:
            raise ValidationError(errors)

    def status_on(self, on: dt.date) -> str:
        """The version's status on a day (VAL-1): not yet effective, current, superseded or withdrawn."""
        if on < self.effective_on:
            return VersionStatus.NOT_YET_EFFECTIVE
        if self.superseded_by_id is not None and on >= self.superseded_by.effective_on:
            return VersionStatus.SUPERSEDED
        if self.withdrawn_on is not None and on >= self.withdrawn_on:
            return VersionStatus.SUPERSEDED if self.superseded_by_id else VersionStatus.WITHDRAWN
        return VersionStatus.CURRENT

    def is_current_on(self, on: dt.date) -> bool:
        return self.status_on(on) == VersionStatus.CURRENT
