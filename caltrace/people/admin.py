from django.contrib import admin

from .models import Authorization, Person, ProtectiveEquipmentIssue, Qualification, Training, TrainingAttendance


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    fields = ("kind", "title", "number", "issuer", "discipline", "valid_from", "valid_until")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("staff_no", "name", "category", "employment_type", "site", "hire_date", "user")
    list_filter = ("category", "employment_type", "site")
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, not edited: these records are written through the services, which run the rules
    (a grant made here would skip PER-2…PER-5 and CND-6)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "document_no", "valid_from", "valid_until", "revoked_on")
    list_filter = ("kind",)
    search_fields = ("person__name", "person__staff_no", "document_no")
    list_select_related = ("person",)


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    fields = ("person", "passed", "score")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "kind", "topic", "hours", "trainer", "trainer_name")
    list_filter = ("kind",)
    search_fields = ("topic", "trainer_name", "trainer__name")
    list_select_related = ("trainer",)
    inlines = [TrainingAttendanceInline]


@admin.register(ProtectiveEquipmentIssue)
class ProtectiveEquipmentIssueAdmin(admin.ModelAdmin):
    list_display = ("person", "item", "quantity", "issued_on")
    search_fields = ("person__name", "item")
    list_select_related = ("person",)
