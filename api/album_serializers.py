"""What the album endpoints read and write. As for images, input is checked
here for shape only; gallery.services.albums decides what may change."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from gallery.models import Album, AlbumOrder, AlbumShare, ShareLink, ShareRole

from .input import Flag, Id, KnownFields, Text

ROLES = ("owner", *ShareRole.values)


class CoverSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    thumbnail_url = serializers.URLField()


class AlbumSerializer(serializers.ModelSerializer):
    """An album as ``gallery.selectors.album_summary`` gives it."""

    url = serializers.SerializerMethodField(help_text="This album in the API.")
    images_url = serializers.SerializerMethodField(help_text="Its images, a page.")
    page_url = serializers.SerializerMethodField(help_text="This album's web page.")
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    is_owner = serializers.SerializerMethodField()
    role = serializers.ChoiceField(
        choices=ROLES,
        help_text="`owner` for your own albums; for one shared with you, "
        "`viewer` or `contributor` (may add their own images).",
    )
    cover = serializers.SerializerMethodField(
        help_text="The chosen cover, else the newest image you may see in it; "
        "null when there is none."
    )
    image_count = serializers.IntegerField(help_text="Images in it you may see.")

    class Meta:
        model = Album
        fields = [
            "id",
            "url",
            "images_url",
            "page_url",
            "title",
            "description",
            "order",
            "owner",
            "is_owner",
            "role",
            "cover",
            "image_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _absolute(self, name, **kwargs):
        return self.context["request"].build_absolute_uri(reverse(name, kwargs=kwargs))

    def get_url(self, album) -> str:
        return self._absolute("api:album-detail", pk=album.pk)

    def get_images_url(self, album) -> str:
        return self._absolute("api:album-images", pk=album.pk)

    def get_page_url(self, album) -> str:
        return self._absolute("gallery:album", pk=album.pk)

    def get_is_owner(self, album) -> bool:
        return album.role == "owner"

    @extend_schema_field(CoverSerializer(allow_null=True))
    def get_cover(self, album):
        if album.cover is None:
            return None
        url = self._absolute("api:image-thumbnail", pk=album.cover.pk)
        return {"id": str(album.cover.pk), "thumbnail_url": url}


# One object, not the bare array drf-spectacular assumes for a list.
@extend_schema_serializer(many=False)
class AlbumListSerializer(serializers.Serializer):
    results = AlbumSerializer(
        many=True, help_text="Your albums, then those shared with you; by title."
    )


class AlbumCreateSerializer(KnownFields, serializers.Serializer):
    # Blank and long titles reach the service, which refuses them in its own
    # words (and counts a title as it keeps it, spaces run together).
    title = Text(allow_blank=True)
    description = Text(required=False, allow_blank=True)
    order = serializers.ChoiceField(
        choices=AlbumOrder.choices,
        required=False,
        help_text="Its images by date taken: `newest` first or `oldest` first.",
    )


# A PATCH: any of the create's fields, and the cover.
class AlbumUpdateSerializer(AlbumCreateSerializer):
    title = Text(required=False, allow_blank=True)
    cover = Id(
        required=False,
        allow_null=True,
        help_text="An image in the album; null goes back to the newest one.",
    )


class AlbumImagesSerializer(KnownFields, serializers.Serializer):
    images = serializers.ListField(
        child=Id(),
        allow_empty=False,
        max_length=settings.IMAGEREPO_API_MAX_PAGE_SIZE,
        help_text="Image ids (at most IMAGEREPO_API_MAX_PAGE_SIZE at a time).",
    )


class AlbumImagesAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text="Images new to the album.")


class AlbumImagesRemovedSerializer(serializers.Serializer):
    removed = serializers.IntegerField(
        help_text="Images taken out (ids not in the album change nothing)."
    )


class ShareSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = AlbumShare
        fields = ["username", "role", "allow_download", "created_at"]
        read_only_fields = fields


class ShareListSerializer(serializers.Serializer):
    results = ShareSerializer(
        many=True,
        help_text="Oldest share first; deleted and switched-off accounts are left "
        "out (their shares come back if the account is restored).",
    )


class ShareCreateSerializer(KnownFields, serializers.Serializer):
    username = Text(max_length=150, help_text="The account to share with.")
    role = serializers.ChoiceField(
        choices=ShareRole.choices,
        required=False,
        help_text="Left out: as it was; for a new share, `viewer`.",
    )
    allow_download = Flag(
        required=False,
        help_text="May download the originals. Left out: as it was; for a new "
        "share, false.",
    )


class LinkSerializer(serializers.ModelSerializer):
    """A share link as its owner sees it; its address is not kept, so it is
    only in the answer that made it (``url``)."""

    album = serializers.UUIDField(source="album_id", allow_null=True)
    image = serializers.UUIDField(source="image_id", allow_null=True)
    has_password = serializers.BooleanField()
    state = serializers.SerializerMethodField(help_text="open, expired or revoked.")

    class Meta:
        model = ShareLink
        fields = [
            "id",
            "album",
            "image",
            "label",
            "state",
            "expires_at",
            "revoked_at",
            "has_password",
            "allow_download",
            "view_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_state(self, link) -> str:
        return link.state


class LinkMadeSerializer(LinkSerializer):
    url = serializers.SerializerMethodField(
        help_text="The link's address: shown this once, never stored."
    )

    class Meta(LinkSerializer.Meta):
        fields = [*LinkSerializer.Meta.fields, "url"]
        read_only_fields = fields

    def get_url(self, link) -> str:
        return self.context["url"]


@extend_schema_serializer(many=False)
class LinkListSerializer(serializers.Serializer):
    results = LinkSerializer(many=True, help_text="Newest first.")


class LinkCreateSerializer(KnownFields, serializers.Serializer):
    album = Id(required=False, help_text="The album to open (or `image`).")
    image = Id(required=False, help_text="The image to open (or `album`).")
    label = Text(
        required=False,
        allow_blank=True,
        max_length=ShareLink._meta.get_field("label").max_length,
        help_text="Whom it is for, to tell your links apart; shown to you "
        "alone, never to whoever opens it.",
    )
    expires_in_days = serializers.IntegerField(
        required=False, min_value=1, max_value=3650, help_text="Blank: never."
    )
    password = Text(
        required=False,
        allow_blank=True,
        help_text="Asked once per browser by the link's page; stored hashed.",
    )
    allow_download = Flag(default=False, help_text="Originals may be downloaded.")

    def validate(self, data):
        if bool(data.get("album")) == bool(data.get("image")):
            neither = not data.get("album")
            raise serializers.ValidationError(
                "Give the album or the image the link opens."
                if neither
                else "Give an album or an image, not both.",
                code="required" if neither else "invalid",
            )
        return data
