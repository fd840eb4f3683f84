"""Forms of the methods pages: list filters, the registry's inputs, and how service errors land
on the right field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caltrace.people.models import Person

from . import selectors
from .choices import (
    KIND_USES,
    STANDARD_USES,
    Condition,
    FieldType,
    MethodKind,
    MethodUse,
    ValidationConclusion,
    ValidationTechnique,
)
from .models import MethodVersion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the form as a whole)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class MethodFilterForm(forms.Form):
    """Search and filters of the method list: kind, and the status of an edition on a day."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、名称或版本")}))
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别"))] + MethodKind.choices)
    status = forms.ChoiceField(label=_("版本状态"), required=False,
                               choices=[("", _("全部状态"))] + selectors.STATUS_FILTERS)
    on = forms.DateField(label=_("状态日期"), required=False, widget=DATE, help_text=_("留空为今天"))

    def day(self):
        if self.is_bound and self.is_valid() and self.cleaned_data["on"]:
            return self.cleaned_data["on"]
        return timezone.localdate()

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        return selectors.filter_methods(qs, q=d["q"], kind=d["kind"], status=d["status"], on=self.day())


class MethodForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=60, help_text=_("不含年代号，例如“JJF 1587”"))
    kind = forms.ChoiceField(label=_("类别"), choices=MethodKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    title_en = forms.CharField(label=_("英文名称"), max_length=300, required=False)


class MethodTitleForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    title_en = forms.CharField(label=_("英文名称"), max_length=300, required=False)


class VersionForm(forms.Form):
    """A new edition of a method, optionally replacing an older one."""

    edition = forms.CharField(label=_("版本(年代号)"), max_length=20, help_text=_("例如“2016”"))
    effective_on = forms.DateField(label=_("实施日期"), widget=DATE)
    withdrawn_on = forms.DateField(label=_("废止日期"), widget=DATE, required=False,
                                   help_text=_("已公布废止日期时填写"))
    min_duration_minutes = forms.IntegerField(label=_("最短校准时长(分钟)"), min_value=1, required=False)
    developed_by = forms.ModelChoiceField(label=_("方法制定人"), queryset=Person.objects.order_by("staff_no"),
                                          required=False, help_text=_("实验室自编方法须登记"))
    supersedes = forms.ModelChoiceField(label=_("代替的版本"), queryset=MethodVersion.objects.none(), required=False,
                                        help_text=_("被代替的版本在本版本实施之日废止"))

    def __init__(self, *args, method, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supersedes"].queryset = (MethodVersion.objects.filter(superseded_by__isnull=True)
                                              .select_related("method").order_by("method__code", "-effective_on"))
        self.fields["supersedes"].initial = method.versions.filter(superseded_by__isnull=True).order_by(
            "-effective_on").first()


class VersionEditForm(forms.Form):
    """An announced withdrawal date, the minimum duration, and the edition that replaces this one."""

    withdrawn_on = forms.DateField(label=_("废止日期"), widget=DATE, required=False)
    min_duration_minutes = forms.IntegerField(label=_("最短校准时长(分钟)"), min_value=1, required=False)
    superseded_by = forms.ModelChoiceField(label=_("被代替为"), queryset=MethodVersion.objects.none(), required=False,
                                           help_text=_("代替后，本版本在代替版本实施之日废止，除非填写了其他废止日期"))

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["superseded_by"].queryset = (
            MethodVersion.objects.filter(effective_on__gte=version.effective_on).exclude(pk=version.pk)
            .select_related("method").order_by("method__code", "-effective_on"))
        if version.superseded_by_id:
            self.fields["superseded_by"].disabled = True


class LimitForm(forms.Form):
    condition = forms.ChoiceField(label=_("环境条件"), choices=Condition.choices)
    name = forms.CharField(label=_("条件名称"), max_length=60, required=False)
    minimum = forms.DecimalField(label=_("下限"), max_digits=14, decimal_places=4, required=False)
    maximum = forms.DecimalField(label=_("上限"), max_digits=14, decimal_places=4, required=False)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    max_variation = forms.DecimalField(label=_("允许最大变化"), max_digits=14, decimal_places=4, required=False)
    variation_minutes = forms.IntegerField(label=_("考核时段(分钟)"), min_value=1, required=False)
    text = forms.CharField(label=_("方法原文"), max_length=100, required=False)


class RecordFieldForm(forms.Form):
    name = forms.CharField(label=_("字段标识"), max_length=50)
    label_zh = forms.CharField(label=_("中文名称"), max_length=100)
    label_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    field_type = forms.ChoiceField(label=_("类型"), choices=FieldType.choices)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    options = forms.CharField(label=_("可选项"), required=False, help_text=_("用“|”分隔"))
    required = forms.BooleanField(label=_("必填"), required=False, initial=True)

    def clean_options(self):
        return [o.strip() for o in self.cleaned_data["options"].split("|") if o.strip()]


LimitFormSet = forms.formset_factory(LimitForm, extra=2, can_delete=True)
RecordFieldFormSet = forms.formset_factory(RecordFieldForm, extra=2, can_delete=True)


def rows_of(formset) -> list[tuple[int, dict]]:
    """(form index, cleaned data) of every filled, not deleted form of a valid formset."""
    out = []
    for i, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        out.append((i, {k: v for k, v in data.items() if k != "DELETE"}))
    return out


def apply_row_errors(formset, rows, exc: ValidationError, prefix: str) -> None:
    """Errors keyed "<prefix>.<n>.<field>" by a service, put on the n-th submitted row's form."""
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and int(parts[1]) < len(rows):
            form = formset.forms[rows[int(parts[1])][0]]
            form.add_error(parts[2] if parts[2] in form.fields else None, messages)
        else:
            formset._non_form_errors = formset.error_class(list(formset.non_form_errors()) + list(messages))


class ValidationForm(forms.Form):
    use = forms.ChoiceField(label=_("确认类型"), choices=MethodUse.choices)
    subject = forms.CharField(label=_("确认内容"), max_length=300,
                              help_text=_("确认了什么，例如“测量范围扩展至 1000 V”或“方法整体”"))
    techniques = forms.MultipleChoiceField(label=_("确认方式"), choices=ValidationTechnique.choices,
                                           widget=forms.CheckboxSelectMultiple)
    result = forms.CharField(label=_("确认结果"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("例如比对的 En 值、评定的测量不确定度"))
    conclusion = forms.ChoiceField(label=_("结论"), choices=ValidationConclusion.choices)
    validated_by = forms.ModelChoiceField(label=_("确认人"), queryset=Person.objects.order_by("staff_no"),
                                          help_text=_("须具有一级注册计量师资格或高级技术职称（PER-4）"))
    validated_on = forms.DateField(label=_("确认日期"), widget=DATE)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        inherent = KIND_USES.get(version.method.kind)
        uses = [inherent] if inherent else list(STANDARD_USES)
        self.fields["use"].choices = [(u, MethodUse(u).label) for u in uses]
        self.fields["validated_on"].initial = timezone.localdate()


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label=_("批准日期"), widget=DATE, required=False, help_text=_("留空为今天"))


class ValidationFilterForm(forms.Form):
    STATES = [("", _("全部")), ("pending", _("待批准")), ("approved", _("已批准"))]

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("方法编号或确认内容")}))
    use = forms.ChoiceField(label=_("确认类型"), required=False, choices=[("", _("全部类型"))] + MethodUse.choices)
    state = forms.ChoiceField(label=_("批准状态"), required=False, choices=STATES)

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d["q"]:
            from django.db.models import Q

            qs = qs.filter(Q(version__method__code__icontains=d["q"]) | Q(subject__icontains=d["q"]))
        if d["use"]:
            qs = qs.filter(use=d["use"])
        if d["state"]:
            qs = qs.filter(approved_on__isnull=d["state"] == "pending")
        return qs


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8 或 GB18030）或 Excel (.xlsx)，每行一个版本"))
