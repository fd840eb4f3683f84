from django.contrib import admin

from .models import CustomerContact, CustomerOrganisation


class CustomerContactInline(admin.TabularInline):
    model = CustomerContact
    extra = 0
    fields = ("name", "phone", "email", "user")
    raw_id_fields = ("user",)


@admin.register(CustomerOrganisation)
class CustomerOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "phone")
    search_fields = ("name", "name_en", "credit_code")
    inlines = [CustomerContactInline]


@admin.register(CustomerContact)
class CustomerContactAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "phone", "email", "user")
    search_fields = ("name", "phone", "email", "organisation__name")
    list_select_related = ("organisation", "user")
    raw_id_fields = ("user",)
