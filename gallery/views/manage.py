"""Pages that add, change or remove images. Ownership comes from request.user."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.views.generic import DeleteView, FormView, UpdateView

from ..forms import ImageEditForm, UploadForm
from ..models import Image
from ..services import image_create, image_delete, image_update


class UploadView(LoginRequiredMixin, FormView):
    """Several files in one form; each gets its own outcome on the result page."""

    template_name = "gallery/upload.html"
    form_class = UploadForm

    def form_valid(self, form):
        data = form.cleaned_data
        files = data["images"]
        results = [
            self._add(
                upload,
                title=data["title"] if len(files) == 1 else "",
                description=data["description"],
                visibility=data["visibility"],
            )
            for upload in files
        ]
        added = sum(r["outcome"] == "added" for r in results)
        return self.render_to_response(
            self.get_context_data(form=UploadForm(), results=results, added=added)
        )

    def _add(self, upload, **fields):
        try:
            image = image_create(owner=self.request.user, file=upload, **fields)
        except ValidationError as error:
            return {
                "name": upload.name,
                "outcome": "rejected",
                "reason": error.messages[0],
            }
        outcome = "duplicate" if image.is_duplicate else "added"
        return {"name": upload.name, "outcome": outcome, "image": image}


class OwnImageMixin:
    """Another user's image, or anyone's when signed out, is simply not found."""

    model = Image
    context_object_name = "image"

    def get_queryset(self):
        return Image.objects.owned_by(self.request.user)


class ImageEditView(OwnImageMixin, UpdateView):
    form_class = ImageEditForm
    template_name = "gallery/edit.html"

    def form_valid(self, form):
        data = form.cleaned_data
        image_update(
            self.object,
            title=data["title"],
            description=data["description"],
            visibility=data["visibility"],
        )
        messages.success(self.request, "Your changes were saved.")
        return HttpResponseRedirect(self.object.get_absolute_url())


class ImageDeleteView(OwnImageMixin, DeleteView):
    template_name = "gallery/delete.html"
    success_url = reverse_lazy("gallery:index")

    def form_valid(self, form):
        title = self.object.title
        image_delete(self.object)
        messages.success(self.request, f"“{title}” was deleted.")
        return HttpResponseRedirect(self.get_success_url())
