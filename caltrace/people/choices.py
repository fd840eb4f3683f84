"""Choices of the people app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentType(models.TextChoices):
    """How a person is employed; PER-5 asks reviewers and calibrators to be long-term employees."""

    LONG_TERM = "long_term", _("长期聘用")
    FIXED_TERM = "fixed_term", _("合同聘用（一年以下）")
    TEMPORARY = "temporary", _("临时聘用")
    RETIRED_REHIRED = "retired_rehired", _("退休返聘")
    PART_TIME = "part_time", _("兼职")
    DISPATCHED = "dispatched", _("劳务派遣")


class QualificationKind(models.TextChoices):
    """Personal qualifications that the rules on people read (PER-2 to PER-5, PER-7)."""

    REGISTERED_METROLOGIST_1 = "rm1", _("一级注册计量师")
    REGISTERED_METROLOGIST_2 = "rm2", _("二级注册计量师")
    SENIOR_TITLE = "senior_title", _("高级技术职称")
    VERIFIER_CERTIFICATE = "verifier", _("计量检定员证")
    OTHER = "other", _("其他")
