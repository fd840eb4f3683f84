from django.contrib import admin

from .models import CalibrationPoint, CalibrationRecord, Procedure, Reading


class PointInline(admin.TabularInline):
    model = CalibrationPoint
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "model_key", "method_version", "readings_per_point")
    list_filter = ("kind", "model_key")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("method_version__method",)
    inlines = [PointInline]


@admin.register(CalibrationRecord)
class CalibrationRecordAdmin(admin.ModelAdmin):
    """Raw records are written through the services; the admin only shows them."""

    list_display = ("procedure", "item", "status", "started_at", "finished_at")
    list_filter = ("status", "procedure")
    search_fields = ("item", "procedure__code")
    list_select_related = ("procedure",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    """Readings are append-only (CND-2, PRH-6): viewable, never added, changed or deleted here."""

    list_display = ("record", "point", "role", "sequence", "value", "unit", "provenance", "visa_resource", "read_at",
                    "typed_by", "typed_at", "corrects")
    list_filter = ("provenance", "role")
    list_select_related = ("record__procedure", "point", "typed_by", "corrects__point")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
