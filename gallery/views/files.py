"""Image bytes, only ever through a permission check (never a /media/ route)."""

from django.views import View

from ..delivery import send_image_file


class ImageFileView(View):
    kind = None

    def get(self, request, pk):
        return send_image_file(request, pk, self.kind)
