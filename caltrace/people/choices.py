"""Choices of the people app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentType(models.TextChoices):
    """How a person is employed; PER-5 asks reviewers and calibrators to be long-term employees
    (长期聘用), and :data:`LONG_TERM_EMPLOYMENT` says which of these count: only ``LONG_TERM``.

    - a fixed-term contract of under a year and temporary hiring are short-term by definition;
    - a part-timer's main employer is elsewhere, so the agency can neither direct their work nor
      answer for their impartiality;
    - a dispatched worker (劳务派遣) is employed by the dispatch agency, not by the calibration agency;
    - a re-hired retiree works on a labour-service agreement (劳务协议), not an employment contract
      (and is usually past the age PER-5 caps anyway).
    """

    LONG_TERM = "long_term", _("长期聘用")
    FIXED_TERM = "fixed_term", _("合同聘用（一年以下）")
    TEMPORARY = "temporary", _("临时聘用")
    RETIRED_REHIRED = "retired_rehired", _("退休返聘")
    PART_TIME = "part_time", _("兼职")
    DISPATCHED = "dispatched", _("劳务派遣")


# PER-5: the employment types that count as long-term (why: see EmploymentType).
LONG_TERM_EMPLOYMENT = frozenset({EmploymentType.LONG_TERM})


class StaffCategory(models.TextChoices):
    """The kind of post a person holds, for PER-1 (管理、技术、监督、校准人员) and the annual report's
    staff figures. Supervision is an appointment (监督员授权) on top of a post, see AuthorizationKind."""

    MANAGEMENT = "management", _("管理人员")
    TECHNICAL = "technical", _("技术人员")
    CALIBRATION = "calibration", _("校准人员")
    SUPPORT = "support", _("辅助人员")


class QualificationKind(models.TextChoices):
    """Personal qualifications that the rules on people read (PER-2 to PER-5, PER-7)."""

    REGISTERED_METROLOGIST_1 = "rm1", _("一级注册计量师")
    REGISTERED_METROLOGIST_2 = "rm2", _("二级注册计量师")
    SENIOR_TITLE = "senior_title", _("高级技术职称")
    VERIFIER_CERTIFICATE = "verifier", _("计量检定员证")
    OTHER = "other", _("其他")


QK = QualificationKind
# What each rule accepts. PER-7: a verifier certificate counts as a level-2 certificate.
# PER-7: in a PLA or defence-industry agency a verifier certificate counts as level-2 too; the rules
# add it through selectors.level_2_equivalents(person), never for a civil agency.
LEVEL_2_OR_BETTER = frozenset({QK.REGISTERED_METROLOGIST_1, QK.REGISTERED_METROLOGIST_2,
                               QK.SENIOR_TITLE})  # PER-2, up to 3 fields
LEVEL_1_OR_SENIOR = frozenset({QK.REGISTERED_METROLOGIST_1, QK.SENIOR_TITLE})  # PER-2 > 3 fields, PER-3, PER-4
CALIBRATION_QUALIFICATIONS = frozenset({QK.REGISTERED_METROLOGIST_1, QK.REGISTERED_METROLOGIST_2})  # PER-5
# Qualifications that show a trainer of basic, technical or practical skills is competent (PER-6).
TRAINER_QUALIFICATIONS = frozenset({QK.REGISTERED_METROLOGIST_1, QK.REGISTERED_METROLOGIST_2, QK.SENIOR_TITLE,
                                    QK.VERIFIER_CERTIFICATE})


class TrainingKind(models.TextChoices):
    """What a training (培训) was about: skills (PER-6), health and safety (HR-2), integrity (HR-3)."""

    BASIC = "basic", _("基础知识培训")
    TECHNICAL = "technical", _("技术培训")
    PRACTICAL = "practical", _("实际操作技能培训")
    SAFETY = "safety", _("健康与安全培训")
    INTEGRITY = "integrity", _("诚信教育培训")


# PER-6 names the trainers of these kinds; CND-6 wants calibrators trained in one of the skill kinds.
SKILL_TRAININGS = frozenset({TrainingKind.BASIC, TrainingKind.TECHNICAL, TrainingKind.PRACTICAL})
CALIBRATOR_TRAININGS = frozenset({TrainingKind.TECHNICAL, TrainingKind.PRACTICAL})


class AuthorizationKind(models.TextChoices):
    """What an authorization (授权) lets a person do."""

    CALIBRATOR = "calibrator", _("校准人员")
    REVIEWER = "reviewer", _("核验人员")
    SIGNATORY = "signatory", _("授权签字人")
    METHOD_DEVELOPER = "method_developer", _("非标准方法制定人员")
    METHOD_VALIDATOR = "method_validator", _("非标准方法确认人员")
    TECHNICAL_DIRECTOR = "technical_director", _("技术负责人")
    SUPERVISOR = "supervisor", _("监督员")


AK = AuthorizationKind
# What an authorization of each kind must name: scope items and methods, or fields of measurement.
NEEDS_SCOPE = frozenset({AK.CALIBRATOR})
NEEDS_FIELDS = frozenset({AK.SIGNATORY, AK.REVIEWER})
MAY_NAME_METHODS = frozenset({AK.CALIBRATOR, AK.METHOD_DEVELOPER, AK.METHOD_VALIDATOR})


class Validity(models.TextChoices):
    """Where a dated record (qualification, authorization) stands on a day; the badges of the UI."""

    NOT_YET = "not_yet", _("尚未生效")
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    LAPSED = "lapsed", _("已过期")
    REVOKED = "revoked", _("已撤销")
