"""Services: the only code that creates, changes or deletes images."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def refused(field, message, *, code, params=None):
    """A ``ValidationError`` about the input ``field``: a form shows it beside
    that field, the API names it in the error's ``field``."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def first_error(error):
    """The first error of a ``ValidationError`` (a service's or a form's) as
    ``(field, error)``: ``field`` the input it is about, None when it is
    about the request as a whole."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return (None if field == NON_FIELD_ERRORS else field), errors[0]
    return None, error.error_list[0]
