"""Forms of the reception pages: filters, contract review, quote, receipt, hand-over, lookup.

Forms only validate what was typed; the services check the rest and raise ``ValidationError``
naming the field, which the views put back on the form.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caltrace.calibration.conformity import DecisionRule
from caltrace.customers.models import CustomerOrganisation
from caltrace.methods.models import MethodVersion
from caltrace.org import selectors as org_selectors
from caltrace.org.models import Site

from .choices import DeviationKind, ReturnMethod
from .models import Order, OrderItem, PriceListEntry
from .workflows import ORDER_WORKFLOW

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False,
                        help_text=_("委托单号、委托方名称或出厂编号"))
    status = forms.ChoiceField(label=_("状态"), required=False)
    site = forms.ModelChoiceField(label=_("承接场所"), queryset=Site.objects.order_by("name"), required=False,
                                  empty_label=_("全部场所"))
    customer = forms.ModelChoiceField(label=_("委托方"), queryset=CustomerOrganisation.objects.order_by("name"),
                                      required=False, empty_label=_("全部委托方"))
    created_from = forms.DateField(label=_("创建日期起"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("创建日期止"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态"))] + [
            (code, zh) for code, (zh, _en) in ORDER_WORKFLOW.states.items()]

    def filter(self, qs):
        if not self.is_bound or not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"]:
            text = data["q"].strip()
            qs = qs.filter(Q(number__icontains=text) | Q(customer__name__icontains=text)
                           | Q(items__serial_no__icontains=text)).distinct()
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["site"]:
            qs = qs.filter(site=data["site"])
        if data["customer"]:
            qs = qs.filter(customer=data["customer"])
        if data["created_from"]:
            qs = qs.filter(created_at__date__gte=data["created_from"])
        if data["created_to"]:
            qs = qs.filter(created_at__date__lte=data["created_to"])
        return qs


def current_versions(scope_items) -> list[MethodVersion]:
    """The method versions in force today of the given scope items' methods."""
    today = timezone.localdate()
    versions = (MethodVersion.objects.filter(method__scope_items__in=scope_items).distinct()
                .select_related("method", "superseded_by").order_by("method__code", "-effective_on"))
    return [v for v in versions if v.is_current_on(today)]


class ItemReviewForm(forms.Form):
    """Confirm or change the system's proposal for one item (CON-1)."""

    scope_item = forms.ModelChoiceField(label=_("校准能力项目"), queryset=None)
    method_version = forms.ModelChoiceField(label=_("方法版本"), queryset=None)
    note = forms.CharField(label=_("评审意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item: OrderItem, scope_items, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["scope_item"].queryset = scope_items
        self.fields["method_version"].queryset = MethodVersion.objects.filter(pk__in=[v.pk for v in versions])
        self.fields["method_version"].label_from_instance = lambda v: f"{v.method.code}-{v.edition} {v.method.title}"

    def clean(self):
        data = super().clean()
        scope_item, version = data.get("scope_item"), data.get("method_version")
        if scope_item and version and not scope_item.methods.filter(pk=version.method_id).exists():
            self.add_error("method_version", _("该方法不属于所选能力项目的适用方法"))
        return data


class RejectItemForm(forms.Form):
    reason = forms.CharField(label=_("不予承接的原因"), widget=forms.Textarea(attrs={"rows": 2}))


class DeviationForm(forms.Form):
    item = forms.ModelChoiceField(label=_("样品"), queryset=None)
    kind = forms.ChoiceField(label=_("偏离类型"), choices=DeviationKind.choices)
    description = forms.CharField(label=_("偏离说明"), widget=forms.Textarea(attrs={"rows": 2}))
    justification = forms.CharField(label=_("技术理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = order.items.all()
        self.fields["item"].label_from_instance = lambda i: i.description


class QuoteForm(forms.Form):
    """One price field per item, pre-filled from the price list and editable."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            entry = _price_entry(item)
            field = forms.DecimalField(label=item.description, required=True, **MONEY)
            if entry is not None:
                field.initial = entry.price
                field.help_text = _("价目表价格 %(price)s 元，成本 %(cost)s 元") % {"price": entry.price,
                                                                            "cost": entry.cost}
            else:
                field.help_text = _("价目表中没有此项目的价格")
            self.fields[f"price_{item.pk}"] = field

    def prices(self) -> dict:
        return {item.pk: self.cleaned_data[f"price_{item.pk}"] for item in self.items}


def _price_entry(item) -> PriceListEntry | None:
    if item.scope_item_id is None:
        return None
    try:
        return item.scope_item.price
    except PriceListEntry.DoesNotExist:
        return None


class DecisionRuleForm(forms.Form):
    decision_rule = forms.ChoiceField(label=_("判定规则"), choices=[("", "—")] + list(DecisionRule.choices),
                                      required=False)


class ApproveQuoteForm(forms.Form):
    note = forms.CharField(label=_("批准说明"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("说明为何接受低于成本的报价（MKT-2）"))


class ReceiveForm(forms.Form):
    condition = forms.CharField(label=_("接收时状态"), widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("外观、附件、功能检查等"))
    deviation = forms.CharField(label=_("接收时发现的偏离"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("例如附件缺失、外观损伤；会写入证书"))


class HandOverForm(forms.Form):
    method = forms.ChoiceField(label=_("交还方式"), choices=ReturnMethod.choices, widget=forms.RadioSelect)
    returned_to = forms.CharField(label=_("接收人"), max_length=100, required=False)
    courier_slip_no = forms.CharField(label=_("快递单号"), max_length=60, required=False,
                                      help_text=_("快递寄回时必填"))

    def clean(self):
        data = super().clean()
        if data.get("method") == ReturnMethod.COURIER and not (data.get("courier_slip_no") or "").strip():
            self.add_error("courier_slip_no", _("快递寄回须填写快递单号"))
        in_person = data.get("method") in (ReturnMethod.HAND, ReturnMethod.ON_SITE)
        if in_person and not (data.get("returned_to") or "").strip():
            self.add_error("returned_to", _("请填写接收人"))
        return data


class ScanForm(forms.Form):
    code = forms.CharField(label=_("标签码或样品编号"), max_length=300,
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                                         "inputmode": "text", "spellcheck": "false"}))


class StatusLookupForm(forms.Form):
    number = forms.CharField(label=_("委托单号"), max_length=30)
    code = forms.CharField(label=_("查询码"), max_length=100, widget=forms.PasswordInput(render_value=True))


class PriceForm(forms.Form):
    price = forms.DecimalField(label=_("单价（元/台件）"), **MONEY)
    labour_hours = forms.DecimalField(label=_("工时（小时）"), max_digits=6, decimal_places=2,
                                      min_value=Decimal("0"))
    hourly_rate = forms.DecimalField(label=_("人工费率（元/小时）"), **MONEY)
    equipment_cost = forms.DecimalField(label=_("设备使用成本（元/台件）"), **MONEY)
    overhead_rate = forms.DecimalField(label=_("管理费率"), max_digits=5, decimal_places=4,
                                       min_value=Decimal("0"), help_text=_("占人工与设备成本的比例，例如 0.25"))


def current_scope_items():
    return org_selectors.valid_scope_items(timezone.localdate()).select_related("certificate").order_by("code")
