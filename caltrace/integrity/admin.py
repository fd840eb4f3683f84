from django.contrib import admin

from .models import Finding


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("id", "rule_id", "status", "blocks_issue", "created_at")
    list_filter = ("status", "rule_id", "blocks_issue")
    readonly_fields = ("status",)
