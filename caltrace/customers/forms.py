"""Forms of the customer portal: registration, the application with its instrument rows, the
customer's decisions on an order, appointments, record requests, complaints and the survey; and
the staff side's decisions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.functional import lazy
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from caltrace.core.validators import validate_credit_code

from .models import SURVEY_SCORES, CustomerOrganisation, RecordKind, SurveyResponse

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ROWS = 50


class RegistrationForm(forms.Form):
    """Self-service registration: the organisation, its first contact and the portal login."""

    name = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=1,
                                  validators=[validate_credit_code],
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    address = forms.CharField(label=_("地址"), max_length=300)
    phone = forms.CharField(label=_("单位电话"), max_length=40)
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=100)
    contact_phone = forms.CharField(label=_("联系人电话"), max_length=40)
    contact_email = forms.EmailField(label=_("联系人电子邮件"), help_text=_("委托进度和证书通知发到此邮箱"))
    username = forms.CharField(label=_("登录用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=lazy(password_validators_help_text_html, SafeString)())
    password2 = forms.CharField(label=_("再次输入密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        if CustomerOrganisation.objects.filter(credit_code=code).exists():
            raise forms.ValidationError(_("该统一社会信用代码已注册。请联系本单位已有的联系人在客户门户为您开通账号。"))
        return code

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用"))
        return username

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("两次输入的密码不一致"))
        if password:
            user = get_user_model()(username=data.get("username", ""), email=data.get("contact_email", ""),
                                    first_name=data.get("contact_name", ""))
            try:
                validate_password(password, user=user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ContactInviteForm(RegistrationForm):
    """A contact invites a colleague: the same contact and login fields, no organisation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "credit_code", "address", "phone"):
            del self.fields[name]
        self.fields["contact_email"].help_text = ""


# --- the application --------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    """What applies to the whole application: conformity statement, in-lab or on-site, notes."""

    location = forms.ChoiceField(label=_("服务方式"), widget=forms.RadioSelect)
    on_site_address = forms.CharField(label=_("现场地址"), max_length=300, required=False,
                                      help_text=_("选择现场校准时必填"))
    conformity_wanted = forms.BooleanField(label=_("需要符合性判定"), required=False,
                                           help_text=_("在证书中给出是否符合规范的声明"))
    conformity_specification = forms.CharField(label=_("判定依据"), max_length=300, required=False,
                                               help_text=_("规范编号或技术指标，例如“JJG 315-1983 0.5级”"))
    notes = forms.CharField(label=_("备注"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from caltrace.orders.choices import ServiceLocation

        super().__init__(*args, **kwargs)
        self.fields["location"].choices = ServiceLocation.choices
        self.fields["location"].initial = ServiceLocation.IN_LAB

    def clean(self):
        data = super().clean()
        if data.get("location") == "on_site" and not (data.get("on_site_address") or "").strip():
            self.add_error("on_site_address", _("现场校准须填写现场地址"))
        if data.get("conformity_wanted") and not (data.get("conformity_specification") or "").strip():
            self.add_error("conformity_specification", _("需要符合性判定时须写明判定依据"))
        return data


class MethodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class InstrumentForm(forms.Form):
    """One instrument row of an application."""

    instrument_type = forms.CharField(label=_("器具名称"), max_length=200)
    manufacturer = forms.CharField(label=_("制造商"), max_length=200, required=False)
    model = forms.CharField(label=_("型号规格"), max_length=100, required=False)
    serial_no = forms.CharField(label=_("出厂编号"), max_length=100, required=False)
    range_text = forms.CharField(label=_("测量范围"), max_length=200, required=False,
                                 help_text=_("例如“0～1000 V”"))
    range_min = forms.DecimalField(label=_("范围下限"), required=False, max_digits=24, decimal_places=9)
    range_max = forms.DecimalField(label=_("范围上限"), required=False, max_digits=24, decimal_places=9)
    unit = forms.CharField(label=_("单位"), max_length=30, required=False)
    requested_method = MethodChoiceField(label=_("要求的方法"), queryset=None, required=False,
                                         empty_label=_("由实验室选择"))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=999, initial=1)

    def __init__(self, *args, **kwargs):
        from caltrace.methods.models import Method

        super().__init__(*args, **kwargs)
        self.fields["requested_method"].queryset = Method.objects.order_by("code")

    def clean(self):
        data = super().clean()
        low, high = data.get("range_min"), data.get("range_max")
        if low is not None and high is not None and low > high:
            self.add_error("range_max", _("上限不能小于下限"))
        if (low is not None or high is not None) and not (data.get("unit") or "").strip():
            self.add_error("unit", _("填写范围上下限时须填写单位"))
        return data

    def as_item(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k) if k in ("range_min", "range_max", "requested_method") else (d.get(k) or "")
                for k in ("instrument_type", "manufacturer", "model", "serial_no", "range_text", "range_min",
                          "range_max", "unit", "requested_method")} | {"quantity": d.get("quantity") or 1}


InstrumentFormSet = forms.formset_factory(InstrumentForm, extra=0, min_num=1,
                                          validate_min=True, max_num=MAX_ROWS, validate_max=True)


# --- decisions on an order --------------------------------------------------------------------


class DeviationDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), widget=forms.RadioSelect,
                                 choices=[("accept", _("接受")), ("reject", _("不接受"))])
    comment = forms.CharField(label=_("意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("不接受偏离时请说明理由"))
        return data


class DeclineForm(forms.Form):
    comment = forms.CharField(label=_("拒绝理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("请填写拒绝理由")})


class AppointmentForm(forms.Form):
    drop_off_on = forms.DateField(label=_("送样日期"), required=False, widget=DATE)
    pick_up_on = forms.DateField(label=_("取样日期"), required=False, widget=DATE)
    visit_on = forms.DateField(label=_("现场校准日期"), required=False, widget=DATE)

    def __init__(self, *args, on_site: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_site = on_site
        for name in (("drop_off_on", "pick_up_on") if on_site else ("visit_on",)):
            del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.on_site:
            if not data.get("visit_on"):
                self.add_error("visit_on", _("请选择现场校准日期"))
        else:
            drop, pick = data.get("drop_off_on"), data.get("pick_up_on")
            if not drop and not pick:
                self.add_error("drop_off_on", _("请选择送样或取样日期"))
            if drop and pick and pick < drop:
                self.add_error("pick_up_on", _("取样日期不能早于送样日期"))
        return data


# --- requests, complaints, survey --------------------------------------------------------------


class RecordRequestForm(forms.Form):
    what = forms.ChoiceField(label=_("申请的记录"), choices=RecordKind.choices)
    order_item = forms.ModelChoiceField(label=_("样品"), queryset=None, required=False,
                                        empty_label=_("（不指定样品）"))
    certificate = forms.ModelChoiceField(label=_("证书"), queryset=None, required=False,
                                         empty_label=_("（不指定证书）"))
    reason = forms.CharField(label=_("申请理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisation, **kwargs):
        from caltrace.certificates.models import Certificate
        from caltrace.orders.models import OrderItem

        super().__init__(*args, **kwargs)
        self.fields["order_item"].queryset = (OrderItem.objects.filter(order__customer=organisation)
                                              .select_related("order").order_by("-id"))
        self.fields["order_item"].label_from_instance = lambda i: f"{i.order.number} · {i.description}"
        self.fields["certificate"].queryset = Certificate.objects.filter(customer=organisation).order_by("-issued_at")
        self.fields["certificate"].label_from_instance = lambda c: c.number

    def clean(self):
        data = super().clean()
        if not data.get("order_item") and not data.get("certificate"):
            self.add_error("order_item", _("请选择相关的样品或证书"))
        return data


class RecordDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), widget=forms.RadioSelect,
                                 choices=[("release", _("提供记录")), ("refuse", _("不予提供"))])
    note = forms.CharField(label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("不予提供时必须说明理由；提供时可说明提供方式"))
    released_file = forms.FileField(label=_("提供的文件"), required=False)

    def clean_released_file(self):
        f = self.cleaned_data.get("released_file")
        if f and f.size > 30 * 1024 * 1024:
            raise forms.ValidationError(_("文件过大"))
        return f

    def clean(self):
        data = super().clean()
        note = (data.get("note") or "").strip()
        if data.get("decision") == "refuse" and not note:
            self.add_error("note", _("不予提供时必须说明理由"))
        if data.get("decision") == "release" and not note and not data.get("released_file"):
            self.add_error("released_file", _("请上传提供的文件或说明提供方式"))
        return data


class ComplaintForm(forms.Form):
    order = forms.ModelChoiceField(label=_("相关委托单"), queryset=None, required=False,
                                   empty_label=_("（不涉及具体委托单）"))
    text = forms.CharField(label=_("投诉内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, organisation, **kwargs):
        from caltrace.orders.models import Order

        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = Order.objects.filter(customer=organisation).order_by("-created_at")
        self.fields["order"].label_from_instance = lambda o: o.number


class ComplaintResponseForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), widget=forms.RadioSelect,
                               choices=[("investigate", _("开始调查")), ("close", _("答复并关闭"))])
    response = forms.CharField(label=_("处理结果"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 4}), help_text=_("客户将看到此答复"))

    def clean(self):
        data = super().clean()
        if data.get("action") == "close" and not (data.get("response") or "").strip():
            self.add_error("response", _("请填写处理结果"))
        return data


SCORE_CHOICES = [(5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")), (1, _("1 非常不满意"))]


class SurveyForm(forms.ModelForm):
    class Meta:
        model = SurveyResponse
        fields = [*SURVEY_SCORES, "comment"]
        widgets = {k: forms.RadioSelect(choices=SCORE_CHOICES) for k in SURVEY_SCORES} | {
            "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for k in SURVEY_SCORES:
            self.fields[k] = forms.TypedChoiceField(label=self.fields[k].label, choices=SCORE_CHOICES, coerce=int,
                                                    widget=forms.RadioSelect)
