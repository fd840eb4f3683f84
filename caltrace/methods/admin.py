from django.contrib import admin

from .models import Method, MethodVersion


class MethodVersionInline(admin.TabularInline):
    model = MethodVersion
    fk_name = "method"
    extra = 0
    fields = ("edition", "effective_on", "withdrawn_on", "superseded_by")
    raw_id_fields = ("superseded_by",)


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "title", "title_en")
    inlines = [MethodVersionInline]


@admin.register(MethodVersion)
class MethodVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "method", "effective_on", "withdrawn_on", "superseded_by")
    list_filter = ("method__kind",)
    search_fields = ("method__code", "method__title", "edition")
    list_select_related = ("method", "superseded_by__method")
    raw_id_fields = ("superseded_by",)
