from django.contrib import admin

from .models import Agency, Room, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("name", "address", "is_main", "tenure", "tenure_valid_until")
    show_change_link = True


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ("code", "name", "keeps_standards", "area_m2")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "legal_representative", "phone")
    search_fields = ("name", "name_en", "credit_code")
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "is_main", "tenure", "tenure_valid_until")
    list_filter = ("is_main", "tenure")
    search_fields = ("name", "address")
    list_select_related = ("agency",)
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "site", "keeps_standards", "area_m2")
    list_filter = ("keeps_standards", "site")
    search_fields = ("code", "name")
    list_select_related = ("site",)
