from django.contrib import admin

from .models import ApiToken, AuditCheckpoint, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor", "action", "model", "object_pk")
    list_filter = ("action", "model")
    search_fields = ("object_pk", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(AuditEntryAdmin):
    list_display = ("seq", "head_hash", "at", "key_fingerprint")
    list_filter = ()
    search_fields = ()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "revoked", "created_at")
    readonly_fields = ("prefix", "key_hash")
