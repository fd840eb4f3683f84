from django.contrib import admin

from .models import Agency, QualificationCertificate, Room, ScopeItem, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("name", "address", "is_main", "tenure", "tenure_valid_until")
    show_change_link = True


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ("code", "name", "building", "floor", "keeps_standards", "area_m2")


class ScopeItemInline(admin.TabularInline):
    model = ScopeItem
    extra = 0
    fields = ("code", "field", "item_type", "quantity", "range_min", "range_max", "unit", "withdrawn_on")
    show_change_link = True


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
    list_display = ("code", "name", "site", "building", "floor", "keeps_standards", "area_m2")
    list_filter = ("keeps_standards", "site")
    search_fields = ("code", "name", "building")
    list_select_related = ("site",)


@admin.register(QualificationCertificate)
class QualificationCertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "agency", "issuer", "valid_from", "valid_until", "revoked_on")
    list_filter = ("kind",)
    search_fields = ("number", "issuer")
    list_select_related = ("agency",)
    inlines = [ScopeItemInline]


@admin.register(ScopeItem)
class ScopeItemAdmin(admin.ModelAdmin):
    list_display = ("code", "certificate", "field", "item_type", "quantity", "unit", "withdrawn_on")
    list_filter = ("field", "certificate")
    search_fields = ("code", "item_type", "quantity", "certificate__number")
    list_select_related = ("certificate",)
    filter_horizontal = ("methods", "sites")
