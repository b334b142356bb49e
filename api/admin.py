from django.contrib import admin, messages

from .models import ApiToken
from .tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here, never created or shown: a key
    exists only in the one response that created it."""

    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "active",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(boolean=True, description="Active")
    def active(self, token):
        return token.is_active

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token_revoke(token)
        self.message_user(request, f"{len(tokens)} token(s) revoked.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewable (read-only fields) but not editable; revoking is an action.
        return request.method in ("GET", "HEAD") and super().has_change_permission(
            request, obj
        )
