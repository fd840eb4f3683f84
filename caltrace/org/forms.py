"""Forms of the org app: record forms (validated by the models and written through services) and
the list filters."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import MetrologyField, QualificationCertificateKind, SiteTenure
from .models import Agency, QualificationCertificate, Room, ScopeItem, Site
from .selectors import certificate_valid_q, filter_scope_items

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def attach_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message on its field, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class _DatesMixin:
    """Date fields as HTML date inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "name_en", "credit_code", "legal_representative", "address", "phone"]


class SiteForm(_DatesMixin, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["agency", "name", "name_en", "address", "address_en", "is_main", "is_enclosed", "tenure",
                  "tenure_document_no", "tenure_valid_from", "tenure_valid_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["agency"]  # a site does not move to another legal entity
        else:
            self.fields["agency"].initial = Agency.objects.order_by("pk").values_list("pk", flat=True).first()


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["site", "code", "name", "building", "floor", "keeps_standards", "area_m2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["site"]
        else:
            self.fields["site"].queryset = Site.objects.select_related("agency").order_by("-is_main", "name")


class CertificateForm(_DatesMixin, forms.ModelForm):
    class Meta:
        model = QualificationCertificate
        fields = ["agency", "kind", "number", "issuer", "issuer_en", "valid_from", "valid_until", "revoked_on",
                  "replaces"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        replaceable = QualificationCertificate.objects.order_by("-valid_until")
        if self.instance.pk:
            del self.fields["agency"]
            replaceable = replaceable.filter(agency_id=self.instance.agency_id).exclude(pk=self.instance.pk)
        else:
            self.fields["agency"].initial = Agency.objects.order_by("pk").values_list("pk", flat=True).first()
        # A certificate already renewed by another one cannot be renewed twice.
        taken = QualificationCertificate.objects.filter(replaces__isnull=False)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        self.fields["replaces"].queryset = replaceable.exclude(pk__in=taken.values("replaces_id"))


class ScopeItemForm(_DatesMixin, forms.ModelForm):
    class Meta:
        model = ScopeItem
        fields = ["certificate", "code", "field", "quantity", "quantity_en", "item_type", "item_type_en",
                  "range_min", "range_max", "bipolar", "unit", "cmc_form", "cmc_a", "cmc_b", "cmc_k", "cmc_text",
                  "methods", "sites", "withdrawn_on"]
        widgets = {"methods": forms.CheckboxSelectMultiple, "sites": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        from caltrace.methods.models import Method

        super().__init__(*args, **kwargs)
        sites = Site.objects.order_by("-is_main", "name")
        if self.instance.pk:
            del self.fields["certificate"]
            sites = sites.filter(agency_id=self.instance.certificate.agency_id)
        else:
            self.fields["certificate"].queryset = QualificationCertificate.objects.order_by("-valid_until", "number")
        self.fields["sites"].queryset = sites
        self.fields["methods"].queryset = Method.objects.order_by("code")
        for name in ("range_min", "range_max", "cmc_a", "cmc_b", "cmc_k"):
            self.fields[name].widget.attrs.setdefault("step", "any")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8 或 GB18030）或 Excel（.xlsx），首行为列名"))
    commit = forms.BooleanField(label=_("检查通过后导入"), required=False,
                                help_text=_("不勾选时只检查，不写入任何数据"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise ValidationError(_("只支持 .csv 和 .xlsx 文件"))
        if f.size > 10 * 1024 * 1024:
            raise ValidationError(_("文件不能超过 10 MB"))
        return f


# --- list filters --------------------------------------------------------------------------------


class _Filter(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        return self.apply(qs, self.cleaned_data)

    def apply(self, qs, data):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class SiteFilterForm(_Filter):
    TENURE_STATES = [("", _("全部")), ("in_date", _("凭证有效或自有")), ("not_in_date", _("凭证过期或缺失"))]

    tenure = forms.ChoiceField(label=_("使用方式"), required=False,
                               choices=[("", _("全部"))] + list(SiteTenure.choices))
    state = forms.ChoiceField(label=_("凭证状态"), required=False, choices=TENURE_STATES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("场所名称或地址")

    def apply(self, qs, data):
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(address__icontains=q))
        if data["tenure"]:
            qs = qs.filter(tenure=data["tenure"])
        today = timezone.localdate()
        in_date = Q(tenure=SiteTenure.OWNED) | (
            (Q(tenure_valid_from__isnull=True) | Q(tenure_valid_from__lte=today)) & Q(tenure_valid_until__gte=today))
        if data["state"] == "in_date":
            qs = qs.filter(in_date)
        elif data["state"] == "not_in_date":
            qs = qs.exclude(in_date)
        return qs


class RoomFilterForm(_Filter):
    site = forms.ModelChoiceField(label=_("场所"), required=False, queryset=Site.objects.none(),
                                  empty_label=_("全部场所"))
    standards = forms.ChoiceField(label=_("计量标准保存地点"), required=False,
                                  choices=[("", _("全部")), ("yes", _("是")), ("no", _("否"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("-is_main", "name")
        self.fields["q"].widget.attrs["placeholder"] = _("房间编号、名称或楼栋")

    def apply(self, qs, data):
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(building__icontains=q))
        if data["site"]:
            qs = qs.filter(site=data["site"])
        if data["standards"]:
            qs = qs.filter(keeps_standards=data["standards"] == "yes")
        return qs


class CertificateFilterForm(_Filter):
    STATES = [("", _("全部")), ("valid", _("今日有效")), ("invalid", _("今日无效（过期、未生效或暂停撤销）"))]

    kind = forms.ChoiceField(label=_("类别"), required=False,
                             choices=[("", _("全部类别"))] + list(QualificationCertificateKind.choices))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("证书编号或发证机构")

    def apply(self, qs, data):
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(number__icontains=q) | Q(issuer__icontains=q) | Q(issuer_en__icontains=q))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        valid = certificate_valid_q(timezone.localdate())
        if data["state"] == "valid":
            qs = qs.filter(valid)
        elif data["state"] == "invalid":
            qs = qs.exclude(valid)
        return qs


class ScopeItemFilterForm(_Filter):
    field = forms.ChoiceField(label=_("专业领域"), required=False,
                              choices=[("", _("全部领域"))] + list(MetrologyField.choices))
    certificate = forms.ModelChoiceField(label=_("资质证书"), required=False,
                                         queryset=QualificationCertificate.objects.none(),
                                         empty_label=_("全部证书"))
    valid_on = forms.DateField(label=_("在该日有效"), required=False, widget=DATE,
                               help_text=_("只列出在该日属于有效能力范围的条目"))
    site = forms.ModelChoiceField(label=_("场所"), required=False, queryset=Site.objects.none(),
                                  empty_label=_("全部场所"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = QualificationCertificate.objects.order_by("-valid_until", "number")
        self.fields["site"].queryset = Site.objects.order_by("-is_main", "name")
        self.fields["q"].widget.attrs["placeholder"] = _("条目编号、参数、仪器名称、证书或方法编号")

    def apply(self, qs, data):
        return filter_scope_items(qs, field=data["field"] or None,
                                  certificate=data["certificate"].pk if data["certificate"] else None,
                                  valid_on=data["valid_on"], site=data["site"].pk if data["site"] else None,
                                  q=data["q"] or None)
