"""Image bytes, only ever through a permission check (never a /media/ route)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import View

from ..delivery import image_file_response
from ..models import Image

FILE_KINDS = ("thumbnail", "display", "original")


def send_image_file(request, pk, kind):
    """The response for image ``pk``'s ``kind`` file ("thumbnail", "display"
    or "original"): the original goes to its owner alone, renditions to anyone
    who may see the image; everyone else gets a 404. The API serves files
    through this too."""
    images = Image.objects
    if kind == "original":
        images = images.owned_by(request.user)
    else:
        images = images.visible_to(request.user)
    image = get_object_or_404(images, pk=pk)
    response = image_file_response(request, image, kind)
    if response is None:
        raise Http404("The file for this image is missing.")
    return response


class ImageFileView(View):
    kind = None

    def get(self, request, pk):
        return send_image_file(request, pk, self.kind)
