"""What each size or count limit (and a body that is not JSON) says when it
is broken, said in one place: the upload form, the uploader's JSON endpoints,
the API and the services all refuse with these words and codes. The limits
are settings.

:data:`UPLOAD_REJECTIONS` and :data:`HASH_CHECK_ERRORS` list every code an
upload or a hash check can be refused with; the API schema lists them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

UPLOAD_REJECTIONS = (
    "empty",
    "file_too_large",
    "not_an_image",
    "unsupported_format",
    "corrupt_image",
    "too_many_pixels",
    "too_many_frames",
    "too_many_files",
    "upload_rate_limited",
    "invalid_visibility",
    "storage_failed",
    "over_quota",
    "account_closed",
    "deleted_meanwhile",
)
HASH_CHECK_ERRORS = ("required", "invalid", "empty", "too_many_hashes", "invalid_hash")
# What changing an album or its sharing, or an upload into an album, can be
# refused for (services.albums, services.uploads).
ALBUM_ERRORS = (
    "album_title_required",
    "album_title_invalid",
    "album_exists",
    "cover_not_in_album",
    "unknown_user",
    "own_album",
    "unknown_album",
)
# What changing an image's own fields can be refused for (services.images).
IMAGE_ERRORS = ("taken_out_of_range", "taken_zone_invalid")
# What taking a share link off its owner's list can be refused for
# (services.links).
LINK_ERRORS = ("link_open",)


def invalid_visibility():
    """A visibility that is neither public nor private."""
    return ValidationError(
        "Choose public or private visibility.", code="invalid_visibility"
    )


def account_closed():
    """An upload for an account its owner has deleted."""
    return ValidationError(
        "This account has been deleted; it takes no more photos.",
        code="account_closed",
    )


def deleted_meanwhile():
    """Bytes whose image was being deleted for good from the trash just as
    they came back: nothing to restore, nothing stored."""
    return ValidationError(
        "This photo was deleted for good from your trash just now; send it "
        "again to add it anew.",
        code="deleted_meanwhile",
    )


def file_too_large():
    """A file over IMAGEREPO_MAX_UPLOAD_BYTES."""
    return ValidationError(
        "The file is larger than the %(limit)s limit.",
        code="file_too_large",
        params={"limit": filesizeformat(settings.IMAGEREPO_MAX_UPLOAD_BYTES)},
    )


def invalid_json():
    """A JSON endpoint's body that does not parse (or nests too deep)."""
    return ValidationError("The body is not valid JSON.", code="invalid_json")


def too_many_files(count=None):
    """More than IMAGEREPO_MAX_FILES_PER_REQUEST files in one request;
    ``count`` is how many came, if known (Django may stop counting first)."""
    limit = settings.IMAGEREPO_MAX_FILES_PER_REQUEST
    if count is None:
        message = "At most %(limit)s files can go in one upload."
    else:
        message = "You sent %(count)s files; at most %(limit)s can go in one upload."
    return ValidationError(
        message, code="too_many_files", params={"count": count, "limit": limit}
    )
