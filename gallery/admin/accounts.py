"""Accounts in the admin: what each stores, its limits, an undone deletion."""

from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from ..forms import ByteSizeField
from ..models import Account
from ..services.accounts import account_undelete
from ..services.quotas import account_set_limits


class AccountForm(forms.ModelForm):
    quota_bytes = ByteSizeField(
        required=False,
        min_value=0,
        label="Byte limit",
        help_text="Most this account may store, trash included: bytes, or a size "
        "such as 500 MB or 10 GB. Empty: the site's default.",
    )

    class Meta:
        model = Account
        fields = ["user", "quota_bytes", "quota_images"]
        labels = {"quota_images": "Image limit"}


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Each account's limits and what it stores. Accounts are made when first
    needed; add one here to limit someone who has not uploaded yet. The
    counters are the uploads' to change, never a form's."""

    form = AccountForm
    list_display = ["user", "storage", "images", "upload_visibility", "deleted_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    actions = ["undo_deletion"]
    search_fields = ["user__username"]
    ordering = ["-bytes_stored"]
    autocomplete_fields = ["user"]
    readonly_fields = ["storage", "images", "upload_visibility"]

    def get_fields(self, request, obj=None):
        limits = ["quota_bytes", "quota_images"]
        if obj is None:
            return ["user", *limits]
        return ["user", *limits, "storage", "images", "upload_visibility"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        # Its counters would be lost with it, and remade at zero.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        account_set_limits(
            obj.user,
            quota_bytes=data["quota_bytes"],
            quota_images=data["quota_images"],
        )

    @admin.action(description="Undo the deletion of the selected accounts")
    def undo_deletion(self, request, queryset):
        deleted = list(queryset.filter(deleted_at__isnull=False).select_related("user"))
        for account in deleted:
            account_undelete(user=account.user)
        count = len(deleted)
        accounts = "1 account" if count == 1 else f"{count} accounts"
        self.message_user(
            request,
            f"{accounts} may sign in again, with the images and albums they had "
            "before the deletion.",
        )

    @admin.display(description="Storage used", ordering="bytes_stored")
    def storage(self, obj):
        used = filesizeformat(obj.bytes_stored)
        if obj.byte_limit is None:
            return f"{used} (no limit)"
        return f"{used} of {filesizeformat(obj.byte_limit)}"

    @admin.display(description="Images", ordering="images_stored")
    def images(self, obj):
        if obj.image_limit is None:
            return f"{obj.images_stored:,} (no limit)"
        return f"{obj.images_stored:,} of {obj.image_limit:,}"
