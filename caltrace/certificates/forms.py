"""Forms of the certificate pages: the list's filters and the withdrawal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caltrace.core import roles
from caltrace.customers.selectors import visible_organisations

from . import selectors


class CertificateFilterForm(forms.Form):
    """Filters of the certificate list; a customer account gets no customer filter (it sees only its own)."""

    STATUS_CHOICES = [("", _("全部状态")), ("issued", _("有效")), ("amended", _("已被替代")),
                      ("withdrawn", _("已撤回"))]

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("证书编号或被校仪器")}))
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    customer = forms.ModelChoiceField(label=_("委托方"), queryset=None, required=False, empty_label=_("全部委托方"))
    issued_from = forms.DateField(label=_("签发日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    issued_to = forms.DateField(label=_("签发日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = visible_organisations(user).order_by("name", "pk")
        self.show_customer = not roles.is_customer(user)
        if not self.show_customer:
            del self.fields["customer"]

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            self.add_error("issued_to", _("结束日期不能早于开始日期"))
        return data

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        customer = data.get("customer")
        return selectors.filter_certificates(qs, status=data["status"], customer=customer.pk if customer else None,
                                             issued_from=data["issued_from"], issued_to=data["issued_to"],
                                             q=data["q"])


class WithdrawForm(forms.Form):
    """Withdraw an issued certificate (撤回): the reason goes into the audit ledger."""

    # The field strips whitespace, so a reason of only spaces is missing too.
    reason = forms.CharField(label=_("撤回原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("撤回后证书不再有效，验证页面将显示撤回原因。"),
                             error_messages={"required": _("请填写撤回原因")})
