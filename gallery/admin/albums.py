"""Albums, shares and share links in the admin."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from ..models import Album, AlbumShare, ShareLink
from ..services.albums import album_delete, album_unshare
from ..services.links import share_link_remove, share_link_revoke

# Read-mostly: albums are their owners' to make and change, on the site or
# through the API. Staff may delete an album or stop a share, and do so with
# the owner's authority, through the same services.


class AlbumShareInline(admin.TabularInline):
    model = AlbumShare
    fields = ["user", "role", "allow_download", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ListOnlyAdmin(admin.ModelAdmin):
    """Albums, shares and links are made by their owners, through the pages
    and the API; the admin lists them and only takes them away (through the
    services, as their owner would)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RevokeOnlyAdmin(ListOnlyAdmin):
    """Its own action says what taking one away does, instead of "delete"."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Album)
class AlbumAdmin(ListOnlyAdmin):
    list_display = ["title", "owner", "image_count", "share_count", "created_at"]
    list_filter = [("owner", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["title", "description", "owner__username"]
    fields = ["title", "owner", "description", "cover", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [AlbumShareInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                images_in=Count("entries", distinct=True),
                shared_with=Count("shares", distinct=True),
            )
        )

    def delete_model(self, request, obj):
        album_delete(obj, user=obj.owner)

    def delete_queryset(self, request, queryset):
        for album in queryset.select_related("owner"):
            album_delete(album, user=album.owner)

    @admin.display(description="Images", ordering="images_in")
    def image_count(self, obj):
        return obj.images_in

    @admin.display(description="Shared with", ordering="shared_with")
    def share_count(self, obj):
        return obj.shared_with


@admin.register(AlbumShare)
class AlbumShareAdmin(RevokeOnlyAdmin):
    list_display = ["album", "album_owner", "user", "role", "allow_download"]
    list_filter = ["role", "allow_download"]
    list_select_related = ["album__owner", "user"]
    search_fields = ["album__title", "album__owner__username", "user__username"]
    fields = ["album", "user", "role", "allow_download", "created_at"]
    readonly_fields = fields
    actions = ["stop_sharing"]

    def delete_model(self, request, obj):
        album_unshare(obj.album, user=obj.album.owner, person=obj.user)

    @admin.display(description="Owner", ordering="album__owner__username")
    def album_owner(self, obj):
        return obj.album.owner

    @admin.action(description="Stop sharing", permissions=["delete"])
    def stop_sharing(self, request, queryset):
        shares = list(queryset.select_related("album__owner", "user"))
        for share in shares:
            album_unshare(share.album, user=share.album.owner, person=share.user)
        self.message_user(request, f"{len(shares)} share(s) stopped.")


@admin.register(ShareLink)
class ShareLinkAdmin(RevokeOnlyAdmin):
    """Their tokens are not kept, so the admin can list and revoke links
    but never show an address; a revoked link stays listed, with its views,
    until its owner removes it."""

    list_display = ["target", "label", "owner", "state", "has_password"]
    list_display += ["allow_download", "view_count", "created_at"]
    list_filter = ["allow_download", ("owner", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["owner", "album", "image"]
    search_fields = ["label", "album__title", "image__title", "owner__username"]
    fields = [
        "owner",
        "album",
        "image",
        "label",
        "expires_at",
        "revoked_at",
        "allow_download",
        "view_count",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="Album or image")
    def target(self, obj):
        return obj.album or obj.image

    # As for its owner, a link still working is revoked before it is deleted
    # on its own; deleting its album, image or owner takes it along, as
    # always. (Not through has_delete_permission, which Django also asks of
    # every link such a deletion takes along.)
    def change_view(self, request, object_id, form_url="", extra_context=None):
        link = self.get_object(request, object_id)
        if link is not None and link.is_open(timezone.now()):
            extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        link = self.get_object(request, object_id)
        if link is not None and link.is_open(timezone.now()):
            self.message_user(
                request,
                "This link still works, so it cannot be deleted: revoke it first.",
                messages.ERROR,
            )
            change = reverse("admin:gallery_sharelink_change", args=[link.pk])
            return HttpResponseRedirect(change)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        share_link_remove(obj, user=obj.owner)

    @admin.display(description="State")
    def state(self, obj):
        return obj.state

    @admin.display(description="Password", boolean=True)
    def has_password(self, obj):
        return obj.has_password

    @admin.action(description="Revoke", permissions=["delete"])
    def revoke(self, request, queryset):
        links = list(queryset.select_related("owner"))
        for link in links:
            share_link_revoke(link, user=link.owner)
        self.message_user(request, f"{len(links)} link(s) revoked.")
