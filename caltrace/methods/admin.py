from django.contrib import admin

from .models import EnvironmentLimit, Method, MethodValidation, MethodVersion, RecordField


class MethodVersionInline(admin.TabularInline):
    model = MethodVersion
    fk_name = "method"
    extra = 0
    fields = ("edition", "effective_on", "withdrawn_on", "superseded_by", "min_duration_minutes")
    raw_id_fields = ("superseded_by",)


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "title", "title_en")
    inlines = [MethodVersionInline]


class EnvironmentLimitInline(admin.TabularInline):
    model = EnvironmentLimit
    extra = 0


class RecordFieldInline(admin.TabularInline):
    model = RecordField
    extra = 0


@admin.register(MethodVersion)
class MethodVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "method", "effective_on", "withdrawn_on", "superseded_by", "min_duration_minutes")
    list_filter = ("method__kind",)
    search_fields = ("method__code", "method__title", "edition")
    list_select_related = ("method", "superseded_by__method")
    raw_id_fields = ("superseded_by", "developed_by")
    inlines = [EnvironmentLimitInline, RecordFieldInline]


@admin.register(MethodValidation)
class MethodValidationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "use", "conclusion", "validated_by", "validated_on", "approved_by", "approved_on")
    list_filter = ("use", "conclusion")
    search_fields = ("version__method__code", "subject")
    list_select_related = ("version__method", "validated_by", "approved_by")
    raw_id_fields = ("version", "validated_by", "approved_by")
