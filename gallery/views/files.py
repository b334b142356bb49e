"""Image bytes, only ever through a permission check (never a /media/ route)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import View

from ..delivery import image_file_response
from ..models import Image


class ImageFileView(View):
    """``kind`` is "thumbnail", "display" or "original"; the original goes to
    its owner alone, renditions to anyone who may see the image."""

    kind = None

    def get(self, request, pk):
        images = Image.objects
        if self.kind == "original":
            images = images.owned_by(request.user)
        else:
            images = images.visible_to(request.user)
        image = get_object_or_404(images, pk=pk)
        response = image_file_response(request, image, self.kind)
        if response is None:
            raise Http404("The file for this image is missing.")
        return response
