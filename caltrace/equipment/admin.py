from django.contrib import admin

from .models import (
    Equipment,
    EquipmentRange,
    IntermediateCheck,
    MetrologicalConfirmation,
    ServiceEvent,
    StandardCertificate,
    TraceabilityRecord,
    TraceabilityResult,
    UsageRecord,
    Verification,
)


class RangeInline(admin.TabularInline):
    model = EquipmentRange
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("asset_no", "name", "kind", "manufacturer", "model", "serial_no", "home_room")
    list_filter = ("kind", "home_room__site")
    search_fields = ("asset_no", "name", "manufacturer", "model", "serial_no")
    list_select_related = ("home_room",)
    inlines = [RangeInline]


class HistoryAdmin(admin.ModelAdmin):
    """Append-only history (EQP-6): viewable, never added, changed or deleted here (use the services)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResultInline(admin.TabularInline):
    model = TraceabilityResult
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TraceabilityRecord)
class TraceabilityRecordAdmin(HistoryAdmin):
    list_display = ("certificate_no", "equipment", "kind", "provider", "performed_on", "due_on", "corrects")
    list_filter = ("kind",)
    search_fields = ("certificate_no", "provider", "equipment__asset_no", "equipment__name")
    list_select_related = ("equipment", "corrects")
    inlines = [ResultInline]


@admin.register(MetrologicalConfirmation)
class ConfirmationAdmin(HistoryAdmin):
    list_display = ("record", "confirmed_on", "passed", "performed_by")
    list_select_related = ("record", "performed_by")


@admin.register(IntermediateCheck)
class CheckAdmin(HistoryAdmin):
    list_display = ("equipment", "performed_on", "passed", "performed_by")
    list_select_related = ("equipment", "performed_by")


@admin.register(Verification)
class VerificationAdmin(HistoryAdmin):
    list_display = ("equipment", "purpose", "performed_on", "passed", "performed_by")
    list_select_related = ("equipment", "performed_by")


@admin.register(ServiceEvent)
class ServiceEventAdmin(HistoryAdmin):
    list_display = ("equipment", "kind", "on", "provider")
    list_filter = ("kind",)
    list_select_related = ("equipment",)


@admin.register(UsageRecord)
class UsageRecordAdmin(HistoryAdmin):
    list_display = ("equipment", "job_ref", "started_at", "ended_at", "person")
    search_fields = ("job_ref", "equipment__asset_no")
    list_select_related = ("equipment", "person")


@admin.register(StandardCertificate)
class StandardCertificateAdmin(HistoryAdmin):
    list_display = ("number", "equipment", "standard_name", "issuer", "issued_on", "valid_until")
    list_select_related = ("equipment",)
