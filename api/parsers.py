"""Request parsers: DRF's, with every kind of bad JSON answered alike."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from gallery import limits


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but JSON nested deeper than Python can follow (say
    ``[`` × 2,000) is a 400 like any other bad JSON instead of a 500, and
    every one of them has the upload page's ``invalid_json`` code."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError):
            error = limits.invalid_json()
            raise ParseError(error.message, code=error.code) from None
