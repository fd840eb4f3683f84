"""Forms of the UI shell: list filters and workflow actions."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caltrace.integrity.catalogue import CATALOGUE

from . import display


class CustomerFilterForm(forms.Form):
    """Search and filter of the customer list."""

    PORTAL_CHOICES = [("", _("全部")), ("yes", _("已开通门户账号")), ("no", _("未开通门户账号"))]

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("单位名称、英文名称或信用代码")}))
    portal = forms.ChoiceField(label=_("门户账号"), choices=PORTAL_CHOICES, required=False)

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        q = self.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(credit_code__icontains=q.upper()))
        portal = self.cleaned_data["portal"]
        if portal == "yes":
            qs = qs.filter(contacts__user__isnull=False).distinct()
        elif portal == "no":
            qs = qs.exclude(contacts__user__isnull=False)
        return qs


class FindingFilterForm(forms.Form):
    """Filter of the finding list by state and requirement id."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    rule_id = forms.ChoiceField(label=_("要求编号"), required=False)

    def __init__(self, *args, workflow, rule_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态"))] + [
            (code, display.state_label(workflow, code)) for code in workflow.states]
        ids = sorted(set(rule_ids))
        self.fields["rule_id"].choices = [("", _("全部要求"))] + [
            (rid, f"{rid} {display.in_language(CATALOGUE[rid].zh, CATALOGUE[rid].en)}" if rid in CATALOGUE else rid)
            for rid in ids]

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        if self.cleaned_data["status"]:
            qs = qs.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["rule_id"]:
            qs = qs.filter(rule_id=self.cleaned_data["rule_id"])
        return qs


class TransitionForm(forms.Form):
    """One workflow action with its comment.

    Every transition of the workflow is a valid choice, not only those open now: a stale page
    that asks for a move the state no longer allows reaches the workflow service, which refuses
    it with a readable reason. ``available`` (the actions open now) only shapes the help text.
    """

    transition = forms.ChoiceField(label=_("操作"))  # sent by the button pressed
    comment = forms.CharField(label=_("说明"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, workflow, available=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workflow = workflow
        self.fields["transition"].choices = [(t.name, display.transition_label(t))
                                             for t in workflow.transitions.values()]
        shown = workflow.transitions.values() if available is None else available
        needing = [display.transition_label(t) for t in shown if t.requires_comment]
        if needing:
            self.fields["comment"].help_text = _("执行以下操作时必须填写：%(actions)s") % {
                "actions": display.in_language("、", ", ").join(needing)}

    def clean(self):
        data = super().clean()
        t = self.workflow.transitions.get(data.get("transition"))
        if t is not None and t.requires_comment and not data.get("comment", "").strip():
            self.add_error("comment", _("“%(action)s”需要填写说明。") % {"action": display.transition_label(t)})
        return data
