"""Forms of the people pages: list filters, and the inputs of each service. The forms check the
shape of the input; the services check the records (``full_clean``) and the rules, and their
field errors come back onto the form with :func:`apply_errors`."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caltrace.org.choices import MetrologyField

from .choices import AuthorizationKind, EmploymentType, QualificationKind, StaffCategory, TrainingKind, Validity
from .models import Person, ProtectiveEquipmentIssue, Qualification


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _search(placeholder):
    return forms.CharField(label=_("搜索"), required=False, max_length=100,
                           widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}))


def _all(label, choices):
    return [("", label)] + list(choices)


class FilterForm(forms.Form):
    """A list filter: unbound shows everything, an invalid one nothing."""

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        return self.apply(qs, self.cleaned_data)

    def apply(self, qs, data):
        raise NotImplementedError


# --- lists --------------------------------------------------------------------------------------


class PersonFilterForm(FilterForm):
    STATUS_CHOICES = [("", _("全部")), ("employed", _("在职")), ("left", _("已离职"))]

    q = _search(_("姓名或工号"))
    category = forms.ChoiceField(label=_("人员类别"), required=False, choices=_all(_("全部类别"), StaffCategory.choices))
    employment_type = forms.ChoiceField(label=_("用工形式"), required=False,
                                        choices=_all(_("全部用工形式"), EmploymentType.choices))
    authorization = forms.ChoiceField(label=_("现有授权"), required=False,
                                      choices=_all(_("不限"), AuthorizationKind.choices))
    status = forms.ChoiceField(label=_("在职状态"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def apply(self, qs, data):
        from .models import Authorization
        from .selectors import employed_on_q

        if data["q"].strip():
            q = data["q"].strip()
            qs = qs.filter(Q(name__icontains=q) | Q(staff_no__icontains=q))
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["employment_type"]:
            qs = qs.filter(employment_type=data["employment_type"])
        if data["authorization"]:
            qs = qs.filter(pk__in=Authorization.objects.in_force_on(self.today).filter(kind=data["authorization"])
                           .values("person_id"))
        if data["status"] == "employed":
            qs = qs.filter(employed_on_q(self.today))
        elif data["status"] == "left":
            qs = qs.exclude(employed_on_q(self.today))
        return qs


class QualificationFilterForm(FilterForm):
    q = _search(_("姓名、证书编号或发证机关"))
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=_all(_("全部类别"), QualificationKind.choices))
    status = forms.ChoiceField(label=_("有效状态"), required=False,
                               choices=_all(_("全部状态"), [c for c in Validity.choices if c[0] != Validity.REVOKED]))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def apply(self, qs, data):
        from .selectors import filter_validity

        if data["q"].strip():
            q = data["q"].strip()
            qs = qs.filter(Q(person__name__icontains=q) | Q(number__icontains=q) | Q(issuer__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["status"]:
            qs = filter_validity(qs, data["status"], self.today)
        return qs


class AuthorizationFilterForm(FilterForm):
    q = _search(_("姓名、工号或授权书编号"))
    kind = forms.ChoiceField(label=_("授权类别"), required=False, choices=_all(_("全部类别"), AuthorizationKind.choices))
    status = forms.ChoiceField(label=_("有效状态"), required=False, choices=_all(_("全部状态"), Validity.choices))
    field = forms.ChoiceField(label=_("专业领域"), required=False, choices=_all(_("全部领域"), MetrologyField.choices))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def apply(self, qs, data):
        from .selectors import filter_validity

        if data["q"].strip():
            q = data["q"].strip()
            qs = qs.filter(Q(person__name__icontains=q) | Q(person__staff_no__icontains=q)
                           | Q(document_no__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["status"]:
            qs = filter_validity(qs, data["status"], self.today, revocable=True)
        if data["field"]:
            qs = qs.filter(metrology_fields__icontains=f'"{data["field"]}"')
        return qs


class TrainingFilterForm(FilterForm):
    q = _search(_("培训内容或教师"))
    kind = forms.ChoiceField(label=_("培训类别"), required=False, choices=_all(_("全部类别"), TrainingKind.choices))
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1950, max_value=2100)

    def apply(self, qs, data):
        if data["q"].strip():
            q = data["q"].strip()
            qs = qs.filter(Q(topic__icontains=q) | Q(trainer_name__icontains=q) | Q(trainer__name__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["year"]:
            qs = qs.filter(held_on__year=data["year"])
        return qs


# --- inputs -------------------------------------------------------------------------------------


class PersonForm(forms.ModelForm):
    """Register a person (with the staff number) or change their facts (without)."""

    class Meta:
        model = Person
        fields = ["staff_no", "name", "birth_date", "employment_type", "hire_date", "left_on", "calibration_since",
                  "site", "category", "position"]
        widgets = {f: DateInput() for f in ("birth_date", "hire_date", "left_on", "calibration_since")}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["staff_no"]


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["kind", "title", "number", "issuer", "discipline", "valid_from", "valid_until"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class ProtectiveEquipmentForm(forms.ModelForm):
    class Meta:
        model = ProtectiveEquipmentIssue
        fields = ["item", "quantity", "issued_on", "note"]
        widgets = {"issued_on": DateInput()}


def _staff():
    return Person.objects.order_by("staff_no")


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("培训类别"), choices=TrainingKind.choices)
    topic = forms.CharField(label=_("培训内容"), max_length=200)
    held_on = forms.DateField(label=_("培训日期"), widget=DateInput())
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1, min_value=0)
    trainer = forms.ModelChoiceField(label=_("培训教师（本机构人员）"), queryset=Person.objects.none(), required=False)
    trainer_name = forms.CharField(label=_("培训教师（外部）"), max_length=100, required=False,
                                   help_text=_("外部教师的姓名；本机构人员请选择上一项"))
    trainer_qualification = forms.CharField(
        label=_("培训教师资格"), max_length=300, required=False,
        help_text=_("基础知识、技术和实际操作技能培训必填（PER-6）；本机构教师留空时按其有效资格填写"))
    provider = forms.CharField(label=_("组织或提供单位"), max_length=200, required=False)
    assessment = forms.CharField(label=_("考核方式"), max_length=100, required=False)
    attendees = forms.ModelMultipleChoiceField(label=_("参训人员"), queryset=Person.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    failed = forms.ModelMultipleChoiceField(label=_("考核不合格人员"), queryset=Person.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text=_("只勾选参训但考核不合格的人员"))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("trainer", "attendees", "failed"):
            self.fields[name].queryset = _staff()

    def clean(self):
        data = super().clean()
        failed, attendees = data.get("failed") or [], data.get("attendees") or []
        if any(p not in attendees for p in failed):
            self.add_error("failed", _("考核不合格的人员须同时勾选为参训人员"))
        return data


class AuthorizationForm(forms.Form):
    kind = forms.ChoiceField(label=_("授权类别"), choices=AuthorizationKind.choices)
    valid_from = forms.DateField(label=_("有效期起"), widget=DateInput())
    valid_until = forms.DateField(label=_("有效期止"), required=False, widget=DateInput(),
                                  help_text=_("至撤销为止的留空"))
    scope_items = forms.ModelMultipleChoiceField(
        label=_("能力范围条目"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("校准人员的授权必填"))
    methods = forms.ModelMultipleChoiceField(
        label=_("方法"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("校准人员必填，须为所选条目的适用方法；非标准方法制定或确认人员可选填"))
    metrology_fields = forms.MultipleChoiceField(
        label=_("专业领域"), required=False, choices=MetrologyField.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("核验人员和授权签字人必填；授权签字人超过 3 个领域须具备一级注册计量师或高级职称（PER-2）"))
    document_no = forms.CharField(label=_("授权书编号"), max_length=60, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from caltrace.methods.models import Method
        from caltrace.org.models import ScopeItem

        super().__init__(*args, **kwargs)
        self.fields["scope_items"].queryset = ScopeItem.objects.select_related("certificate").order_by(
            "certificate__number", "code")
        self.fields["scope_items"].label_from_instance = lambda s: f"{s.certificate.number} / {s}"
        self.fields["methods"].queryset = Method.objects.order_by("code")


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("撤销日期"), widget=DateInput(), help_text=_("自该日起授权不再有效"))
    reason = forms.CharField(label=_("撤销原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
