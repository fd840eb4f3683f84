from django.contrib import admin

from .models import Person, Qualification


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    fields = ("kind", "title", "number", "issuer", "discipline", "valid_from", "valid_until")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("staff_no", "name", "employment_type", "site", "hire_date", "user")
    list_filter = ("employment_type", "site")
    search_fields = ("staff_no", "name", "user__username")
    list_select_related = ("site", "user")
    raw_id_fields = ("user",)
    inlines = [QualificationInline]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "title", "number", "issuer", "valid_from", "valid_until")
    list_filter = ("kind",)
    search_fields = ("person__name", "number", "issuer")
    list_select_related = ("person",)
