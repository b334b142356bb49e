"""What the trash endpoints read and write. As everywhere in the API, input
is checked here for shape only; which trash is always the caller's own."""

from django.conf import settings
from rest_framework import serializers

from .input import Flag, Id, KnownFields
from .serializers import CursorPageSerializer, ImageSerializer


class TrashedImageSerializer(ImageSerializer):
    """An image in your trash: it has no page or API address of its own
    until it is restored, but its files are yours to fetch."""

    trashed_at = serializers.DateTimeField(help_text="When you deleted it.")
    purge_at = serializers.DateTimeField(
        help_text="When it may be deleted for good (IMAGEREPO_TRASH_DAYS after "
        "`trashed_at`): the server's daily purge takes it on its next run."
    )

    class Meta(ImageSerializer.Meta):
        fields = [
            *(f for f in ImageSerializer.Meta.fields if f not in ("url", "page_url")),
            "trashed_at",
            "purge_at",
        ]
        read_only_fields = fields


class TrashPageSerializer(CursorPageSerializer):
    results = TrashedImageSerializer(many=True, help_text="Last deleted first.")


class TrashSelectionSerializer(KnownFields, serializers.Serializer):
    ids = serializers.ListField(
        child=Id(),
        required=False,
        max_length=settings.IMAGEREPO_API_MAX_PAGE_SIZE,
        help_text="Ids of images in your trash (at most "
        "IMAGEREPO_API_MAX_PAGE_SIZE at a time); any other id is not counted.",
    )
    all = Flag(required=False, help_text="`true`: every image in your trash.")

    def validate(self, data):
        if data.get("ids") and data.get("all"):
            raise serializers.ValidationError(
                'Give `ids` or `"all": true`, not both.', code="invalid"
            )
        if not data.get("ids") and not data.get("all"):
            raise serializers.ValidationError(
                'Give the `ids` of images in your trash, or `"all": true`.',
                code="required",
            )
        return data


class TrashRestoredSerializer(serializers.Serializer):
    restored = serializers.IntegerField(
        help_text="Images back from your trash, as they were."
    )


class TrashPurgedSerializer(serializers.Serializer):
    purged = serializers.IntegerField(
        help_text="Images deleted for good, with their files."
    )
