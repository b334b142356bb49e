"""JSON endpoints behind the browser uploader: one file per request, and a
hash check so the browser never sends bytes the owner already has."""

import json

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ..forms import UploadFileForm
from ..limits import invalid_json, too_many_files
from ..models import Visibility
from ..request_limits import refused_uploads
from ..services import first_error
from ..services.uploads import (
    CREATED,
    DUPLICATE,
    check_hashes,
    upload_album,
    upload_images,
)

# Room for the multipart boundaries and the small fields around the file.
MULTIPART_OVERHEAD = 64 * 1024
# One hash in a JSON list: 64 hex digits, quotes, a comma and a space.
BYTES_PER_HASH = 70
OUTCOME_STATUS = {CREATED: 201, DUPLICATE: 200}
STATUS_FOR_CODE = {
    "file_too_large": 413,
    "request_too_large": 413,
    "upload_rate_limited": 429,
}


def image_json(image):
    """The image, in the API's words for what the uploader needs (its
    ``page_url``; the API's ``url`` is its address in the API)."""
    return {
        "id": str(image.pk),
        "title": image.title,
        "visibility": image.visibility,
        "page_url": image.get_absolute_url(),
        "thumbnail_url": image.thumbnail_url,
        "display_url": image.display_url,
    }


def outcome_json(outcome):
    """An :class:`~gallery.services.UploadOutcome` as the API words it."""
    image = outcome.image and image_json(outcome.image)
    return {
        "name": outcome.name,
        "outcome": outcome.outcome,
        "code": outcome.code,
        "message": outcome.message,
        "image": image,
    }


def hash_json(outcome):
    """A hash check's outcome (named by its digest), as the API words it."""
    item = outcome_json(outcome)
    return {"sha256": item.pop("name"), **item}


def rejection(error, status=None, outcome="rejected"):
    """A JSON answer for a ``ValidationError``: its first error's code and
    message, and the input it is about, if one (``field``, as the API)."""
    field, error = first_error(error)
    code = error.code or "invalid"
    body = {"outcome": outcome, "code": code, "message": error.messages[0]}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status or STATUS_FOR_CODE.get(code, 422))


def form_rejection(form):
    """The first form error as a 400, its message prefixed by the field."""
    name, errors = next(iter(form.errors.as_data().items()))
    error = errors[0]
    label = form.fields[name].label or name.capitalize() if name in form.fields else ""
    message = f"{label}: {error.messages[0]}" if label else error.messages[0]
    return rejection(ValidationError(message, code=error.code), status=400)


UNREADABLE_BODY = (
    TooManyFilesSent,
    TooManyFieldsSent,
    RequestDataTooBig,
    MultiPartParserError,
    BadRequest,
)


def _unreadable_body(error):
    if isinstance(error, TooManyFilesSent):
        return too_many_files()
    if isinstance(error, (TooManyFieldsSent, RequestDataTooBig)):
        return ValidationError(
            "The request has too many or too large form fields.",
            code="request_too_large",
        )
    return ValidationError(
        "The upload could not be read (it is not a complete multipart form).",
        code="parse_error",
    )


@method_decorator(csrf_exempt, name="dispatch")
class JsonEndpoint(View):
    """Refuse an over-long body by its Content-Length before reading it, and a
    signed-out caller with a 401 it can act on (not a redirect). Handlers are
    wrapped in ``csrf_protect`` themselves: the CSRF middleware would otherwise
    read the whole body before any of these checks."""

    http_method_names = ["post"]

    def max_body_bytes(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes():
            return rejection(
                ValidationError("The request is too large.", code="request_too_large"),
            )
        if not request.user.is_authenticated:
            return rejection(
                ValidationError(
                    "You are signed out. Sign in again, then retry.",
                    code="not_authenticated",
                ),
                status=401,
                outcome="failed",
            )
        try:
            return super().dispatch(request, *args, **kwargs)
        except UNREADABLE_BODY as error:
            # Django refuses these while parsing the body (the CSRF check is
            # the first to read it); its answer would be an HTML error page.
            error = _unreadable_body(error)
            return rejection(error, status=STATUS_FOR_CODE.get(error.code, 400))


class UploadFileView(JsonEndpoint):
    """One image per POST (multipart field ``file``, optional ``title``,
    ``description``, ``visibility`` (private unless ``public``), ``album``:
    an album id, or ``new`` with ``album_title``; and ``remember``: the
    visibility is the page's choice for the batch, to offer first next
    time). Answers its :class:`UploadOutcome` as JSON (:func:`outcome_json`):
    201 created, 200 duplicate, 4xx rejected."""

    def max_body_bytes(self):
        return settings.IMAGEREPO_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD

    @method_decorator(csrf_protect)
    def post(self, request):
        form = UploadFileForm(request.POST, request.FILES)
        # A file refused while it streamed in never reaches the form.
        refused = refused_uploads(request)[:1]
        if not refused and not form.is_valid():
            return form_rejection(form)
        data = form.cleaned_data
        try:
            album = upload_album(
                owner=request.user,
                album_id=request.POST.get("album"),
                album_title=request.POST.get("album_title", ""),
            )
            # Refuses an album no longer open to them (shared no more since).
            [outcome] = upload_images(
                owner=request.user,
                files=[] if refused else [data["file"]],
                title=data.get("title", ""),
                description=data.get("description", ""),
                visibility=data.get("visibility") or Visibility.PRIVATE,
                refused=refused,
                album=album,
                remember_visibility=data.get("remember", False),
            )
        except ValidationError as error:
            return rejection(error, status=400)
        status = OUTCOME_STATUS.get(outcome.outcome) or STATUS_FOR_CODE.get(
            outcome.code, 422
        )
        return JsonResponse(outcome_json(outcome), status=status)


class CheckHashesView(JsonEndpoint):
    """POST ``{"sha256": [hex, ...], "visibility": "private", "album": id}``
    (or ``"album": "new", "album_title": ...``, as an upload names them);
    answers ``{"existing": [...], "missing": [hex, ...]}``: a duplicate
    outcome for each digest the signed-in user already has (``visibility``
    and ``album``, if given, apply to them as an upload would) and the
    digests still to send."""

    def max_body_bytes(self):
        return settings.IMAGEREPO_MAX_HASHES_PER_CHECK * BYTES_PER_HASH + 1024

    @method_decorator(csrf_protect)
    def post(self, request):
        if request.content_type != "application/json":
            return rejection(
                ValidationError("Send JSON.", code="unsupported_media_type"),
                status=415,
            )
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return rejection(invalid_json(), status=400)
        data = data if isinstance(data, dict) else {}
        try:
            existing, missing = check_hashes(
                owner=request.user,
                digests=data.get("sha256"),
                visibility=data.get("visibility"),
                album=upload_album(
                    owner=request.user,
                    album_id=data.get("album"),
                    album_title=data.get("album_title"),
                ),
            )
        except ValidationError as error:
            return rejection(error, status=400)
        return JsonResponse(
            {"existing": [hash_json(o) for o in existing], "missing": missing}
        )
