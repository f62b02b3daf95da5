from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.models import PROFILE_FIELDS, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "role", "chief_level", "region", "is_active"]
    list_filter = ["role", "chief_level", "is_active"]
    search_fields = ["username", "name", "pinyin"]
    raw_id_fields = ["region", "department"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("河长制"), {"fields": PROFILE_FIELDS}),)
