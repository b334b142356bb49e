"""What the API reads and writes. Input is checked here for shape only; the
rules about images live in gallery.services, as for every other way in."""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from gallery.limits import UPLOAD_REJECTIONS
from gallery.models import Image, Visibility
from gallery.pagination import ORDERS
from gallery.selectors import downloadable_ids, image_location, image_source
from gallery.services.uploads import DUPLICATE_MESSAGES, NEW_ALBUM, OUTCOMES

from .errors import ERROR_CODES
from .input import KnownFields, Text, VisibilityChoice

OUTCOME_CODES = ("created", *DUPLICATE_MESSAGES, *UPLOAD_REJECTIONS)


def album_title_field():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="With `album` `new`: the title of the album to put the "
        "images in (yours of that title, or a new one). A blank one is "
        "`album_title_required`; one without `album` `new`, `invalid`.",
    )


def album_title_with_new(data):
    """``data`` if an ``album_title`` in it goes with ``album`` ``new``: with
    another album, or none, it would be dropped without a word."""
    if data.get("album_title", "").strip() and data.get("album", "") != NEW_ALBUM:
        raise serializers.ValidationError(
            {
                "album_title": ErrorDetail(
                    f'A title names a new album: send it with "album": "{NEW_ALBUM}".',
                    code="invalid",
                )
            }
        )
    return data


class ErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=ERROR_CODES, help_text="Stable, machine-readable reason."
    )
    message = serializers.CharField(help_text="What went wrong, for people.")
    field = serializers.CharField(required=False, help_text="The input at fault.")


class LocationSerializer(serializers.Serializer):
    latitude = serializers.FloatField(help_text="Degrees, south negative.")
    longitude = serializers.FloatField(help_text="Degrees, west negative.")


class ImageSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    url = serializers.SerializerMethodField(help_text="This image in the API.")
    page_url = serializers.SerializerMethodField(help_text="This image's web page.")
    thumbnail_url = serializers.SerializerMethodField()
    display_url = serializers.SerializerMethodField()
    original_url = serializers.SerializerMethodField(
        help_text="The uploaded file, byte for byte; for its owner, and for "
        "the people of an album shared with downloads allowed (else null)."
    )
    original_filename = serializers.SerializerMethodField(
        help_text="The uploaded file's name; for its owner only (else null)."
    )
    sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 of the uploaded bytes; for its owner only (else null)."
    )
    taken_at = serializers.DateTimeField(
        source="taken_moment",
        help_text="When the photo was taken (ISO 8601, UTC). With "
        "`taken_offset`, the photo's own zone; without, a date from the camera "
        "or its owner is the clock as written. The timeline orders, and "
        "`taken_after`/`taken_before` filter, by that clock as written.",
    )
    taken_offset = serializers.SerializerMethodField(
        help_text="The photo's minutes east of UTC, if its camera or its owner said."
    )
    taken_is_guess = serializers.BooleanField(
        help_text="True when neither the photo nor its owner gave a date and "
        "`taken_at` is the file's or the upload's date."
    )
    location = serializers.SerializerMethodField(
        help_text="Where it was taken, from its GPS tags; for its owner only "
        "(else null, as when it has none)."
    )

    class Meta:
        model = Image
        fields = [
            "id",
            "url",
            "page_url",
            "title",
            "description",
            "visibility",
            "owner",
            "original_filename",
            "format",
            "width",
            "height",
            "file_size",
            "sha256",
            "thumbnail_url",
            "thumbnail_width",
            "thumbnail_height",
            "display_url",
            "display_width",
            "display_height",
            "original_url",
            "taken_at",
            "taken_offset",
            "taken_is_guess",
            "camera_make",
            "camera_model",
            "lens",
            "focal_length",
            "f_number",
            "exposure_time",
            "iso",
            "location",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _absolute(self, path):
        return self.context["request"].build_absolute_uri(path)

    def get_url(self, image) -> str:
        return self._absolute(reverse("api:image-detail", kwargs={"pk": image.pk}))

    def get_page_url(self, image) -> str:
        return self._absolute(image.get_absolute_url())

    def _file_url(self, image, kind):
        return self._absolute(reverse(f"api:image-{kind}", kwargs={"pk": image.pk}))

    def get_thumbnail_url(self, image) -> str:
        return self._file_url(image, "thumbnail")

    def get_display_url(self, image) -> str:
        return self._file_url(image, "display")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_original_url(self, image):
        # Asked first, the owner's own need no look at the list being shown
        # (an upload's answer lists outcomes, not images).
        own = image.owner_id == self.context["request"].user.pk
        allowed = own or image.pk in self._downloadable()
        return self._file_url(image, "original") if allowed else None

    def _downloadable(self):
        """Ids of the images being shown whose originals the viewer may
        download: worked out once for a whole list (a list's items share
        this serializer)."""
        if not hasattr(self, "_downloadable_ids"):
            shown = getattr(self.parent, "instance", None) or [self.instance]
            self._downloadable_ids = downloadable_ids(
                viewer=self.context["request"].user, images=list(shown)
            )
        return self._downloadable_ids

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_taken_offset(self, image):
        return image.taken_offset if image.taken_zone_known else None

    def _source(self, image):
        viewer = self.context["request"].user
        return image_source(viewer=viewer, image=image) or (None, None)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_original_filename(self, image):
        return self._source(image)[0]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sha256(self, image):
        return self._source(image)[1]

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, image):
        viewer = self.context["request"].user
        place = image_location(viewer=viewer, image=image)
        return {"latitude": place[0], "longitude": place[1]} if place else None


@extend_schema_field({"type": "string", "format": "date-time"})
class TakenAtField(serializers.Field):
    """A date taken as the client writes it. DRF's DateTimeField would turn
    one with an offset into the server's zone and lose the offset, which is
    the photo's own zone (``taken_offset``)."""

    default_error_messages = {
        "invalid": "Not a date and time: write it as 2019-06-20T14:30, with "
        "an offset (+02:00) if you know the zone it was taken in."
    }

    def to_internal_value(self, data):
        try:
            value = parse_datetime(data) if isinstance(data, str) else None
        except ValueError:  # the right shape, an impossible date: 2019-02-30
            value = None
        if value is None:
            self.fail("invalid")
        return value


class ImageUpdateSerializer(KnownFields, serializers.ModelSerializer):
    hints = {
        "taken_offset": "give the offset within taken_at (2019-06-20T14:30:00+02:00).",
    }
    # Strings only: {"title": 123} would be stored as "123".
    title = Text(required=False, max_length=Image._meta.get_field("title").max_length)
    description = Text(required=False, allow_blank=True)
    visibility = VisibilityChoice(required=False)

    taken_at = TakenAtField(
        required=False,
        help_text="When the photo was taken, if it carries no date or a wrong "
        "one. With an offset (`2019-06-20T14:30:00+02:00`), the moment, and "
        "the offset becomes `taken_offset`; without, the wall clock as "
        "written. `taken_is_guess` is then false, and no other date replaces "
        "it. From 1826 to today, else `taken_out_of_range`; an offset no zone "
        "has, `taken_zone_invalid`.",
    )

    class Meta:
        model = Image
        fields = ["title", "description", "visibility", "taken_at"]


class ImageUploadSerializer(KnownFields, serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more image files (repeat the field to send several; "
        "at most IMAGEREPO_MAX_FILES_PER_REQUEST).",
    )
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Given to every file sent; blank or left out, each image is "
        "titled after its file name.",
    )
    description = serializers.CharField(required=False, allow_blank=True)
    visibility = VisibilityChoice(
        default=Visibility.PRIVATE,
        help_text="Uploads are private unless `visibility=public`.",
    )
    album = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The id of an album you own or contribute to: the images "
        "added, and the ones you already had, go in it. An album you may not "
        "add to is `unknown_album`, and no file is stored. `new` puts them in "
        "your album called `album_title`, made if missing.",
    )
    album_title = album_title_field()

    def validate(self, data):
        return album_title_with_new(data)


class UploadOutcomeSerializer(serializers.Serializer):
    """What became of one file (gallery.services.UploadOutcome)."""

    name = serializers.CharField(help_text="The file's name, as sent.")
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    code = serializers.ChoiceField(
        choices=OUTCOME_CODES,
        help_text="`created`; for a duplicate `duplicate`, "
        "`duplicate_now_private` (you asked private: your public copy is now "
        "private) or `duplicate_kept_private` (you asked public: your copy "
        "stays private); `restored`, `restored_now_private` or "
        "`restored_kept_private` for bytes that were in your trash (the image "
        "is back); for a rejected file, why (`over_quota`: your account is at "
        "its limit of bytes or images).",
    )
    message = serializers.CharField(help_text="The outcome, for people.")
    image = ImageSerializer(
        allow_null=True, help_text="The stored image (null when rejected)."
    )


class UploadResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Files stored as new images.")
    duplicate = serializers.IntegerField(help_text="Files you already had.")
    rejected = serializers.IntegerField(help_text="Files refused.")
    results = UploadOutcomeSerializer(many=True, help_text="One per file, in order.")


class UploadRejectedSerializer(ErrorSerializer):
    """An error; when it is that every file was refused, the first one's
    reason on top and each file's outcome below."""

    created = serializers.IntegerField(required=False)
    duplicate = serializers.IntegerField(required=False)
    rejected = serializers.IntegerField(required=False)
    results = UploadOutcomeSerializer(
        many=True, required=False, help_text="One per file, when files were read."
    )


class PageQuerySerializer(serializers.Serializer):
    """Which page of a list: every list of images is paged alike."""

    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="`next_cursor` from the previous page.",
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Images per page (default IMAGEREPO_API_PAGE_SIZE); a "
        "larger value is capped at IMAGEREPO_API_MAX_PAGE_SIZE.",
    )

    def validate_page_size(self, size):
        return min(size, settings.IMAGEREPO_API_MAX_PAGE_SIZE)


class ImageListQuerySerializer(PageQuerySerializer):
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="Words to search for."
    )
    # Blank values are accepted and mean "no filter", as in a web form.
    visibility = VisibilityChoice(
        required=False,
        allow_blank=True,
        help_text="`public`: every public image you may see; `private`: your "
        "own private images (as the gallery's Private tab). Blank: all you may "
        "see, others' private ones in albums shared with you included.",
    )
    owner = serializers.CharField(
        required=False, allow_blank=True, help_text="Owner's username."
    )
    ordering = serializers.ChoiceField(
        choices=list(ORDERS),
        required=False,
        allow_blank=True,
        help_text="Newest first by date taken (default) or by upload; a search "
        "(`q`) ranks its results instead.",
    )
    # Text fields, so that a blank value means "no filter" here too (and the
    # schema says so); the moment is parsed below.
    taken_after = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Taken at or after, by the photos' own clocks (as the "
        "timeline orders): an ISO 8601 date or date-time without a zone "
        "(`2019-06-20`, `2019-06-20T14:30`); one with a zone is refused, "
        "since each photo was taken in its own.",
    )
    taken_before = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Taken before, by the photos' own clocks: an ISO 8601 date or "
        "date-time without a zone.",
    )

    def validate_taken_after(self, value):
        if not value:
            return None
        moment = TakenAtField(
            error_messages={
                "invalid": "Not a date and time: write it as 2019-06-20 or "
                "2019-06-20T14:30."
            }
        ).to_internal_value(value)
        if moment.tzinfo is not None:
            raise serializers.ValidationError(
                "Give the date and time without a zone (2019-06-20T14:30): "
                "photos are filtered by their own clocks, each in its own zone."
            )
        return moment.replace(tzinfo=UTC)

    validate_taken_before = validate_taken_after


# A page of a listing: its ``results`` (each listing declares its own) and the
# way on. One page object, not the bare array drf-spectacular assumes for a list.
@extend_schema_serializer(many=False)
class CursorPageSerializer(serializers.Serializer):
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, if any.")


class ImagePageSerializer(CursorPageSerializer):
    results = ImageSerializer(many=True)


class HashCheckSerializer(KnownFields, serializers.Serializer):
    sha256 = serializers.ListField(
        child=serializers.CharField(),
        help_text="Hex SHA-256 digests of files you are about to upload "
        "(at most IMAGEREPO_MAX_HASHES_PER_CHECK).",
    )
    visibility = VisibilityChoice(
        required=False,
        help_text="The visibility you are uploading with: asked private, "
        "your public copies among these become private, as an upload would "
        "make them.",
    )
    album = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The album you are uploading into (its id, or `new` with "
        "`album_title`): the images you already have among these go in it, "
        "as an upload would put them.",
    )
    album_title = album_title_field()

    def validate(self, data):
        return album_title_with_new(data)


class HashCheckOutcomeSerializer(UploadOutcomeSerializer):
    """An upload's outcome for a file not sent, named by its digest."""

    name = None
    sha256 = serializers.CharField(source="name", help_text="The digest asked about.")


class HashCheckResponseSerializer(serializers.Serializer):
    existing = HashCheckOutcomeSerializer(
        many=True, help_text="Files you already have: no need to send them."
    )
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Digests still to send."
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    token_name = serializers.CharField(allow_null=True)


# ---------------------------------------------------------------- trash


class ImageDeleteQuerySerializer(serializers.Serializer):
    permanent = serializers.BooleanField(
        default=False,
        help_text="`true` deletes the image and its files for good, whether it "
        "is in your trash or not; this cannot be undone. Without it the image "
        "moves to your trash.",
    )
