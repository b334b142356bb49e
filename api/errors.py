"""Every API error is JSON ``{"code", "message"}`` (plus ``field`` when one
input field is at fault), whatever raised it."""

from django.core import exceptions as django_exceptions
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from gallery import limits
from gallery.services import first_error

# Every code an API error can carry: the services' own (the same as the
# upload page's), and those of request parsing, fields and access.
ERROR_CODES = tuple(
    dict.fromkeys(
        [
            *limits.UPLOAD_REJECTIONS,
            *limits.HASH_CHECK_ERRORS,
            *limits.ALBUM_ERRORS,
            *limits.IMAGE_ERRORS,
            *limits.LINK_ERRORS,
            "invalid_json",
            "invalid_cursor",
            "unknown_field",
            "request_too_large",
            "required",
            "null",
            "blank",
            "invalid",
            "invalid_choice",
            "max_length",
            "min_length",
            "max_value",
            "min_value",
            "max_string_length",
            "not_a_list",
            "no_name",
            "surrogate_characters_not_allowed",
            "null_characters_not_allowed",
            "not_authenticated",
            "authentication_failed",
            "invalid_token",
            "token_expired",
            "permission_denied",
            "not_found",
            "method_not_allowed",
            "unsupported_media_type",
            "throttled",
            "parse_error",
            "error",
        ]
    )
)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "request_too_large"


def api_exception_handler(exc, context):
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = error_body(exc.detail)
    return response


def error_body(detail, field=None):
    """The first error in a DRF ``detail`` (a string, list or dict of them,
    nested for list and object fields) as ``{"code", "message", "field"}``."""
    if isinstance(detail, dict):
        key, detail = next(iter(detail.items()))
        if key != "non_field_errors":
            field = f"{field}.{key}" if field else str(key)
        return error_body(detail, field)
    if isinstance(detail, list):
        return error_body(detail[0], field)
    body = {"code": getattr(detail, "code", "error"), "message": str(detail)}
    if field:
        body["field"] = field
        body["message"] = f"{field}: {detail}"
    return body


def _as_api_exception(exc):
    if isinstance(exc, django_exceptions.ValidationError):
        field, first = first_error(exc)
        detail = exceptions.ErrorDetail(first.messages[0], code=first.code or "invalid")
        if field is None:
            return exceptions.ValidationError(detail)
        # A service's error about one input names it, as a serializer's does.
        return exceptions.ValidationError({field: [detail]})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, django_exceptions.PermissionDenied):
        # A service's refusal says who may: its words, not DRF's generic ones.
        return exceptions.PermissionDenied(exc.args[0] if exc.args else None)
    if isinstance(exc, django_exceptions.TooManyFilesSent):
        return too_many_files(None)
    if isinstance(
        exc, (django_exceptions.RequestDataTooBig, django_exceptions.TooManyFieldsSent)
    ):
        return RequestTooLarge()
    return exc


def too_many_files(count):
    """The upload form's ``too_many_files`` error (gallery.limits), for DRF."""
    error = limits.too_many_files(count)
    return exceptions.ValidationError(error.messages[0], code=error.code)
