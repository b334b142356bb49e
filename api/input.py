"""How the API reads a request body: exactly as its schema says, refusing
what it does not say instead of converting or dropping it."""

import re

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils import html

from gallery.limits import invalid_visibility
from gallery.models import Visibility

_LIST_ITEM = re.compile(r"(\w+)\[\d+\]")
CSRF_FIELD = "csrfmiddlewaretoken"


class StrictInput:
    """A JSON value of the wrong type (``"title": 0``, ``"images": [7]``) is
    refused, not converted: what the schema says is what is accepted."""

    json_types = (str,)

    def to_internal_value(self, data):
        if type(data) not in self.json_types:
            self.fail("invalid")
        return super().to_internal_value(data)


class Text(StrictInput, serializers.CharField):
    default_error_messages = {"invalid": "Not a string."}


class Id(StrictInput, serializers.UUIDField):
    pass


class Flag(StrictInput, serializers.BooleanField):
    json_types = (bool,)


class VisibilityChoice(serializers.ChoiceField):
    """``public`` or ``private``, any other value refused in the upload
    page's words (``invalid_visibility``), not DRF's choice error."""

    def __init__(self, **kwargs):
        super().__init__(choices=Visibility.choices, **kwargs)

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        if data not in Visibility.values:
            error = invalid_visibility()
            raise serializers.ValidationError(error.messages[0], code=error.code)
        return data


class KnownFields:
    """A body naming a field the operation does not take is refused, not
    ignored: a client that sent ``taken_offset`` alone, or misspelt
    ``descripton``, would otherwise be answered as if its change were made.
    ``hints`` say, for a field clients mistake for a writable one, what to
    send instead."""

    hints = {}

    def to_internal_value(self, data):
        writable = [name for name, field in self.fields.items() if not field.read_only]
        names = list(data.keys()) if hasattr(data, "keys") else []
        if html.is_html_input(data):
            # A browser's form carries its CSRF token; a form's list items
            # may be numbered, as DRF reads them (files[0], files[1]), but
            # not beside the plain name, which DRF would read instead.
            lists = {
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.ListField) and name not in data
            }
            names = [
                item[1]
                if (item := _LIST_ITEM.fullmatch(name)) and item[1] in lists
                else name
                for name in names
                if name != CSRF_FIELD
            ]
        unknown = next((name for name in names if name not in writable), None)
        if unknown is not None:
            takes = self.hints.get(unknown) or f"it takes {', '.join(writable)}."
            raise serializers.ValidationError(
                {
                    unknown: [
                        ErrorDetail(
                            f"Not a field this request takes: {takes}",
                            code="unknown_field",
                        )
                    ]
                }
            )
        return super().to_internal_value(data)
