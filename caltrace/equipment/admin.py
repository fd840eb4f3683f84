from django.contrib import admin

from .models import Equipment


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("asset_no", "name", "kind", "manufacturer", "model", "serial_no", "home_room")
    list_filter = ("kind", "home_room__site")
    search_fields = ("asset_no", "name", "manufacturer", "model", "serial_no")
    list_select_related = ("home_room",)
