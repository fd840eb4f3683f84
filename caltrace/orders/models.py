"""Orders (委托业务): a customer's application with its instruments, the contract review of each
(CON-1, CON-2), the quote (MKT-2), appointments, receipt with the item's unique identification
and label (SMP-1…SMP-3), the timeline the customer follows (DIG-1, DIG-7), and hand-over.

State changes go through the workflows in :mod:`caltrace.orders.workflows` (never a PATCH of
``status``); every write through :mod:`caltrace.orders.services`.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel

from .choices import DeviationKind, DeviationStatus, EventKind, QuoteStatus, ReturnMethod, ServiceLocation
from .workflows import ITEM_WORKFLOW, ORDER_WORKFLOW

MONEY = {"max_digits": 12, "decimal_places": 2}
AMOUNT = {"max_digits": 24, "decimal_places": 9}


def new_label_code() -> str:
    """The random code a label's QR code carries (not the item number, which is guessable)."""
    return secrets.token_urlsafe(12)


def hash_access_code(code: str) -> str:
    return hashlib.sha256(f"caltrace-order-access:{code.strip()}".encode()).hexdigest()


class Order(BusinessModel):
    """委托单: one application of a customer, with its instruments (``items``)."""

    workflow = ORDER_WORKFLOW

    number = models.CharField(_("委托单号"), max_length=30, unique=True)
    customer = models.ForeignKey("customers.CustomerOrganisation", on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_("委托方"))
    contact = models.ForeignKey("customers.CustomerContact", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="orders", verbose_name=_("联系人"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("申请人"))
    status = models.CharField(_("状态"), max_length=20, choices=ORDER_WORKFLOW.choices(), default="draft")
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
                             verbose_name=_("承接场所"), help_text=_("承接本委托的实验室场所（多场所时按场所筛选）"))
    location = models.CharField(_("服务方式"), max_length=10, choices=ServiceLocation.choices,
                                default=ServiceLocation.IN_LAB)
    on_site_address = models.CharField(_("现场地址"), max_length=300, blank=True)
    conformity_wanted = models.BooleanField(_("需要符合性判定"), default=False)
    conformity_specification = models.CharField(_("判定依据"), max_length=300, blank=True,
                                                help_text=_("客户要求依据的规范或技术指标"))
    decision_rule = models.CharField(_("判定规则"), max_length=20, blank=True,
                                     help_text=_("合同评审时与客户约定：简单接受、保护带 w = U 或非二元判定"))
    notes = models.TextField(_("客户备注"), blank=True)
    access_code_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("评审完成时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("评审人"))
    accepted_at = models.DateTimeField(_("客户确认时间"), null=True, blank=True)
    drop_off_on = models.DateField(_("预约送样日期"), null=True, blank=True)
    pick_up_on = models.DateField(_("预约取样日期"), null=True, blank=True)
    visit_on = models.DateField(_("预约现场日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reapplication_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="reapplications", verbose_name=_("再次申请自"))

    class Meta:
        verbose_name = _("委托单")
        verbose_name_plural = _("委托单")
        ordering = ["-created_at", "-id"]
        permissions = [("review_order", _("评审合同")), ("approve_quote", _("批准低于成本的报价")),
                       ("receive_item", _("收样")), ("hand_over_item", _("交还样品"))]
        indexes = [
            models.Index(fields=["status", "created_at"], name="orders_order_status_idx"),
            models.Index(fields=["customer", "created_at"], name="orders_order_customer_idx"),
            models.Index(fields=["site", "status"], name="orders_order_site_idx"),
        ]

    def __str__(self):
        return self.number

    def check_access_code(self, code: str) -> bool:
        return bool(code) and secrets.compare_digest(self.access_code_hash, hash_access_code(code))

    @property
    def on_site(self) -> bool:
        return self.location == ServiceLocation.ON_SITE

    # --- what the workflow guards ask --------------------------------------------------------

    def review_problems(self) -> list[tuple[str, str]]:
        """Why the contract review cannot be completed yet, (zh, en) each."""
        problems = []
        items = list(self.items.all())
        if not items:
            problems.append(("委托单没有样品", "the order has no items"))
        pending = [i.description for i in items if i.status == "requested"]
        if pending:
            problems.append(("以下样品未评审：" + "、".join(pending), "items not reviewed: " + ", ".join(pending)))
        uncovered = [i.description for i in items if i.status == "reviewed" and i.scope_item_id is None]
        if uncovered:
            problems.append(("以下样品不在认可范围内，应撤销：" + "、".join(uncovered),
                             "items outside the scope must be withdrawn: " + ", ".join(uncovered)))
        quote = self.quotes.exclude(status=QuoteStatus.REJECTED).order_by("-id").first()
        if quote is None:
            problems.append(("没有报价", "no quote"))
        elif quote.status in (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL):
            problems.append(("报价低于成本，须经管理层批准（MKT-2）", "the quote is below cost and needs management "
                             "approval (MKT-2)") if quote.status == QuoteStatus.PENDING_APPROVAL
                            else ("报价未定稿", "the quote is not final"))
        if self.conformity_wanted and not self.decision_rule:
            problems.append(("客户要求符合性判定，须约定判定规则", "a statement of conformity is wanted: agree the "
                             "decision rule"))
        return problems

    def acceptance_problems(self) -> list[tuple[str, str]]:
        """What the customer must still accept (the quote, every deviation: CON-2)."""
        problems = []
        if Deviation.objects.filter(item__order=self).exclude(status=DeviationStatus.ACCEPTED).exists():
            problems.append(("还有偏离未经客户接受（CON-2）", "a deviation is not accepted by the customer (CON-2)"))
        if not self.quotes.filter(status=QuoteStatus.ACCEPTED).exists():
            problems.append(("报价未经客户接受", "the quote is not accepted"))
        return problems


class OrderItem(BusinessModel):
    """An instrument of an order (样品/被校器具): what the customer described, what the contract
    review proposed (scope item, method version, or why none), and from receipt its unique
    identification, label, condition and deviation on receipt (SMP-2, SMP-3)."""

    workflow = ITEM_WORKFLOW

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="items", verbose_name=_("委托单"))
    status = models.CharField(_("状态"), max_length=20, choices=ITEM_WORKFLOW.choices(), default="requested")
    instrument_type = models.CharField(_("器具名称"), max_length=200, help_text=_("例如“数字多用表”"))
    manufacturer = models.CharField(_("制造商"), max_length=200, blank=True)
    model = models.CharField(_("型号规格"), max_length=100, blank=True)
    serial_no = models.CharField(_("出厂编号"), max_length=100, blank=True)
    range_text = models.CharField(_("测量范围"), max_length=200, blank=True, help_text=_("例如“0～1000 V”"))
    range_min = models.DecimalField(_("范围下限"), null=True, blank=True, **AMOUNT)
    range_max = models.DecimalField(_("范围上限"), null=True, blank=True, **AMOUNT)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    requested_method = models.ForeignKey("methods.Method", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("要求的方法"),
                                         help_text=_("留空：由实验室选择"))
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    # contract review (CON-1)
    scope_item = models.ForeignKey("org.ScopeItem", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="order_items", verbose_name=_("校准能力项目"))
    method_version = models.ForeignKey("methods.MethodVersion", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="order_items", verbose_name=_("方法版本"))
    review_note = models.TextField(_("评审意见"), blank=True, help_text=_("不能承接时说明原因"))
    # receipt (SMP-1…SMP-3)
    identification = models.CharField(_("样品唯一标识"), max_length=30, unique=True, null=True, blank=True)
    label_code = models.CharField(_("标签码"), max_length=40, unique=True, default=new_label_code, editable=False)
    received_at = models.DateTimeField(_("收样时间"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("收样人"))
    condition_on_receipt = models.TextField(_("接收时状态"), blank=True)
    receipt_deviation = models.TextField(_("接收时发现的偏离"), blank=True,
                                         help_text=_("例如附件缺失、外观损伤；会写入证书"))
    # hand-over
    returned_at = models.DateTimeField(_("交还时间"), null=True, blank=True)
    return_method = models.CharField(_("交还方式"), max_length=10, choices=ReturnMethod.choices, blank=True)
    courier_slip_no = models.CharField(_("快递单号"), max_length=60, blank=True)
    returned_to = models.CharField(_("接收人"), max_length=100, blank=True)
    # recall (DIG-7)
    recalibration_months = models.PositiveSmallIntegerField(_("复校间隔（月）"), default=12)
    next_due_on = models.DateField(_("下次校准日期"), null=True, blank=True)
    recall_sent_on = models.DateField(_("复校提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("样品")
        verbose_name_plural = _("样品")
        ordering = ["order_id", "id"]
        indexes = [
            models.Index(fields=["status"], name="orders_item_status_idx"),
            models.Index(fields=["next_due_on", "recall_sent_on"], name="orders_item_recall_idx"),
        ]

    def __str__(self):
        return self.identification or f"{self.order.number}/{self.pk}"

    @property
    def description(self) -> str:
        return " ".join(p for p in (self.instrument_type, self.model, self.serial_no) if p)


class Deviation(BusinessModel):
    """A deviation between the request and the contract (CON-2, VAL-2): recorded at review, sent to
    the customer, and resolved (accepted in the portal) before any work on the item starts."""

    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("样品"))
    kind = models.CharField(_("偏离类型"), max_length=30, choices=DeviationKind.choices)
    description = models.TextField(_("偏离说明"))
    justification = models.TextField(_("技术理由"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeviationStatus.choices,
                              default=DeviationStatus.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("记录人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("客户确认人"))
    decided_at = models.DateTimeField(_("客户确认时间"), null=True, blank=True)
    customer_comment = models.TextField(_("客户意见"), blank=True)

    class Meta:
        verbose_name = _("偏离")
        verbose_name_plural = _("偏离")
        ordering = ["item_id", "id"]

    def __str__(self):
        return f"{self.item}: {self.get_kind_display()}"


class PriceListEntry(BusinessModel):
    """The price of one scope item (价目表) and its cost model (成本模型, MKT-2): labour hours at an
    hourly rate, plus the use of the standards, plus overhead as a share of both."""

    scope_item = models.OneToOneField("org.ScopeItem", on_delete=models.PROTECT, related_name="price",
                                      verbose_name=_("校准能力项目"))
    price = models.DecimalField(_("单价（元/台件）"), **MONEY)
    labour_hours = models.DecimalField(_("工时（小时）"), max_digits=6, decimal_places=2)
    hourly_rate = models.DecimalField(_("人工费率（元/小时）"), **MONEY)
    equipment_cost = models.DecimalField(_("设备使用成本（元/台件）"), **MONEY)
    overhead_rate = models.DecimalField(_("管理费率"), max_digits=5, decimal_places=4, default=0,
                                        help_text=_("占人工与设备成本的比例，例如 0.25"))

    class Meta:
        verbose_name = _("价目")
        verbose_name_plural = _("价目表")
        ordering = ["scope_item_id"]

    def __str__(self):
        return f"{self.scope_item}: {self.price}"

    @property
    def cost(self):
        """The cost of one item by the cost model."""
        from decimal import Decimal

        direct = self.labour_hours * self.hourly_rate + self.equipment_cost
        return (direct * (1 + self.overhead_rate)).quantize(Decimal("0.01"))


class Quote(BusinessModel):
    """报价单 of an order: one line per item. A total below the cost model's needs a manager's
    approval before it goes out (MKT-2, a FLAG)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("委托单"))
    number = models.CharField(_("报价单号"), max_length=30, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    total = models.DecimalField(_("报价合计（元）"), **MONEY)
    cost = models.DecimalField(_("成本合计（元）"), **MONEY)
    below_cost = models.BooleanField(_("低于成本"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("批准人"))
    approval_note = models.TextField(_("批准说明"), blank=True)
    decided_at = models.DateTimeField(_("客户决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["order_id", "-id"]

    def __str__(self):
        return self.number


class QuoteLine(BusinessModel):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("报价单"))
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="quote_lines", verbose_name=_("样品"))
    price = models.DecimalField(_("报价（元）"), **MONEY)
    list_price = models.DecimalField(_("价目表价格（元）"), **MONEY)
    cost = models.DecimalField(_("成本（元）"), **MONEY)

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = _("报价明细")
        ordering = ["quote_id", "id"]


class OrderEvent(BusinessModel):
    """An entry of an order's timeline (进度): every status change and notice, shown to the
    customer when ``public``; ``notified_at`` says when the mail went out."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events", verbose_name=_("委托单"))
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
                             verbose_name=_("样品"))
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=EventKind.choices)
    text_zh = models.TextField(_("内容"))
    text_en = models.TextField(_("英文内容"), blank=True)
    public = models.BooleanField(_("客户可见"), default=True)
    actor = models.CharField(_("操作者"), max_length=200, blank=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("委托进度")
        verbose_name_plural = _("委托进度")
        ordering = ["order_id", "at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="orders_event_order_idx")]

    def __str__(self):
        return f"{self.order} {self.at:%Y-%m-%d %H:%M} {self.text_zh}"
