from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class LenientNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, but an ``Accept`` header we cannot satisfy gets the
    view's first renderer (JSON, or the file itself) instead of a 406: a
    client that asked for ``image/*`` still wants the error explained."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
