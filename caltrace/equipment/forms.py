"""Forms of the equipment pages: list filters and one form per kind of record.

The forms check the fields (and the model's own checks); the services check across records. A
service's ValidationError is put back on the form by :func:`apply_errors`, each message under its
field when the form has one.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caltrace.org.models import Site

from .choices import MANUAL_SERVICE_EVENTS, EquipmentKind, EquipmentStatus, ServiceEventKind, TraceabilityKind
from .models import (
    Equipment,
    EquipmentRange,
    IntermediateCheck,
    MetrologicalConfirmation,
    ServiceEvent,
    StandardCertificate,
    TraceabilityRecord,
    TraceabilityResult,
    Verification,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on the form: under their field, or above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        messages = [m for e in errors for m in e.messages]
        form.add_error(name if name in form.fields else None, messages)


def _person_field(form, name="performed_by"):
    field = form.fields.get(name)
    if field is not None:
        field.queryset = field.queryset.order_by("staff_no")
    passed = form.fields.get("passed")
    if passed is not None:  # a conclusion is a choice between two, with no blank one preselected
        passed.choices = [c for c in passed.choices if c[0] != ""]


class EquipmentFilterForm(forms.Form):
    """Search and filters of the equipment list."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("设备编号、名称、制造商、型号或出厂编号")}))
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别"))] + EquipmentKind.choices)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态"))] + EquipmentStatus.choices)
    site = forms.ModelChoiceField(label=_("场所"), required=False, queryset=Site.objects.order_by("-is_main", "name"),
                                  empty_label=_("全部场所"))

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        q = data["q"].strip()
        if q:
            qs = qs.filter(Q(asset_no__icontains=q) | Q(name__icontains=q) | Q(manufacturer__icontains=q)
                           | Q(model__icontains=q) | Q(serial_no__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["site"]:
            qs = qs.filter(home_room__site=data["site"])
        return qs


class TraceabilityFilterForm(forms.Form):
    """Search and filters of the traceability record list."""

    VALIDITY = [("", _("全部")), ("valid", _("有效")), ("expired", _("已过期"))]

    q = forms.CharField(label=_("搜索"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("证书编号、溯源机构或设备编号")}))
    kind = forms.ChoiceField(label=_("溯源方式"), required=False,
                             choices=[("", _("全部方式"))] + TraceabilityKind.choices)
    validity = forms.ChoiceField(label=_("有效性"), required=False, choices=VALIDITY)
    due_before = forms.DateField(label=_("有效期至不晚于"), required=False, widget=DATE)

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        q = data["q"].strip()
        if q:
            qs = qs.filter(Q(certificate_no__icontains=q) | Q(provider__icontains=q)
                           | Q(equipment__asset_no__icontains=q) | Q(equipment__name__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["validity"]:
            qs = qs.filter(is_expired=data["validity"] == "expired")
        if data["due_before"]:
            qs = qs.filter(due_on__lte=data["due_before"])
        return qs


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["asset_no", "kind", "name", "manufacturer", "model", "serial_no", "measuring_range", "accuracy",
                  "home_room", "commissioned_on", "check_interval_days"]
        widgets = {"commissioned_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_room"].queryset = self.fields["home_room"].queryset.select_related("site").order_by(
            "site__name", "code")
        self.fields["home_room"].label_from_instance = lambda room: f"{room.site.name} · {room}"
        if self.instance.pk:
            del self.fields["asset_no"]


class RangeForm(forms.ModelForm):
    class Meta:
        model = EquipmentRange
        fields = ["quantity", "range_min", "range_max", "bipolar", "unit", "resolution", "spec_kind", "spec_a",
                  "spec_b", "spec_k"]


class TraceabilityForm(forms.ModelForm):
    class Meta:
        model = TraceabilityRecord
        fields = ["kind", "certificate_no", "provider", "provider_accreditation_no", "performed_on", "due_on",
                  "conclusion", "correction_reason"]
        widgets = {"performed_on": DATE, "due_on": DATE, "correction_reason": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        eq = self.instance.equipment
        rm = eq.kind == EquipmentKind.REFERENCE_MATERIAL
        self.fields["kind"].choices = [c for c in TraceabilityKind.choices
                                       if (c[0] == TraceabilityKind.RM_CERTIFICATE) == rm]
        if self.instance.corrects_id is None:
            del self.fields["correction_reason"]
        else:
            self.fields["correction_reason"].required = True


class ResultForm(forms.ModelForm):
    class Meta:
        model = TraceabilityResult
        fields = ["quantity", "nominal", "unit", "error", "uncertainty", "k"]
        widgets = {f: forms.TextInput(attrs={"inputmode": "decimal"}) for f in ("nominal", "error", "uncertainty", "k")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank row stays blank (and is skipped): k is optional here and defaults to 2.
        self.fields["k"].required = False
        self.fields["k"].initial = None
        self.fields["k"].widget.attrs["placeholder"] = "2"

    def clean_k(self):
        return self.cleaned_data.get("k") or Decimal(2)


ResultFormSet = forms.modelformset_factory(TraceabilityResult, form=ResultForm, extra=3, can_delete=False)


class ConfirmationForm(forms.ModelForm):
    class Meta:
        model = MetrologicalConfirmation
        fields = ["confirmed_on", "passed", "requirement", "notes", "performed_by"]
        widgets = {"confirmed_on": DATE, "passed": forms.RadioSelect, "requirement": TEXTAREA, "notes": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _person_field(self)


class StandardCertificateForm(forms.ModelForm):
    class Meta:
        model = StandardCertificate
        fields = ["number", "standard_name", "issuer", "issued_on", "valid_until"]
        widgets = {"issued_on": DATE, "valid_until": DATE}


class CheckForm(forms.ModelForm):
    class Meta:
        model = IntermediateCheck
        fields = ["performed_on", "method", "result", "passed", "performed_by"]
        widgets = {"performed_on": DATE, "passed": forms.RadioSelect, "result": TEXTAREA}
        help_texts = {"passed": _("核查不合格的设备将立即停用")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _person_field(self)


class VerificationForm(forms.ModelForm):
    class Meta:
        model = Verification
        fields = ["purpose", "performed_on", "criteria", "result", "passed", "performed_by"]
        widgets = {"performed_on": DATE, "passed": forms.RadioSelect, "result": TEXTAREA}
        help_texts = {"purpose": _("重新投入使用前验证合格后，设备自验证日起恢复使用")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _person_field(self)


class ServiceEventForm(forms.ModelForm):
    class Meta:
        model = ServiceEvent
        fields = ["kind", "on", "reason", "provider", "performed_by"]
        widgets = {"on": DATE, "reason": TEXTAREA}
        help_texts = {"provider": _("仅送修时填写")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in ServiceEventKind if k in MANUAL_SERVICE_EVENTS]
        _person_field(self)
