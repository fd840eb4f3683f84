"""Choices of the org app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteTenure(models.TextChoices):
    """How the agency holds a site's premises (SITE-1: a lease or proof of use where not owned)."""

    OWNED = "owned", _("自有产权")
    LEASED = "leased", _("租赁")
    PROOF_OF_USE = "proof_of_use", _("独立使用证明")


class QualificationCertificateKind(models.TextChoices):
    """Kinds of qualification certificate (资质证书) whose annex states the calibration capability."""

    ACCREDITATION = "accreditation", _("实验室认可证书")
    AUTHORIZATION = "authorization", _("计量授权证书")
    OTHER = "other", _("其他资质证书")


class MetrologyField(models.TextChoices):
    """Fields of measurement (专业领域), as accreditation annexes and signatory authorizations name them."""

    LENGTH = "length", _("几何量")
    THERMAL = "thermal", _("热学")
    MECHANICAL = "mechanical", _("力学")
    ELECTRICAL = "electrical", _("电磁学")
    RADIO = "radio", _("无线电")
    TIME_FREQUENCY = "time_frequency", _("时间频率")
    OPTICAL = "optical", _("光学")
    ACOUSTIC = "acoustic", _("声学")
    CHEMICAL = "chemical", _("物理化学")
    IONIZING = "ionizing", _("电离辐射")


class CmcForm(models.TextChoices):
    """How a CMC (校准和测量能力) is stated: absolute, relative to the value, or a + b·x."""

    ABSOLUTE = "absolute", _("绝对值")
    RELATIVE = "relative", _("相对值")
    LINEAR = "linear", _("a + b·x")


class ValidityStatus(models.TextChoices):
    """The state of a document with a validity period on a given day (certificates, leases)."""

    OWNED = "owned", _("自有，无需凭证")
    NOT_YET_VALID = "not_yet_valid", _("尚未生效")
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已暂停或撤销")


# Badge class of each status (classes of the UI shell's stylesheet).
STATUS_BADGES = {
    ValidityStatus.OWNED: "badge-ok",
    ValidityStatus.NOT_YET_VALID: "state-acknowledged",
    ValidityStatus.VALID: "badge-ok",
    ValidityStatus.EXPIRING: "state-open",
    ValidityStatus.EXPIRED: "badge-danger",
    ValidityStatus.REVOKED: "badge-danger",
}
