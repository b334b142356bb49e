"""Pages that add, change or remove images. Ownership comes from request.user."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.generic import DeleteView, FormView, UpdateView

from ..formats import allowed_formats
from ..forms import AlbumForm, BulkActionForm, ImageEditForm, UploadForm
from ..limits import file_too_large
from ..models import Image
from ..pagination import ORDERS
from ..request_limits import refused_uploads
from ..selectors import (
    albums_to_add_to,
    owned_images,
    storage_of,
    trashed_images,
    upload_visibility_for,
)
from ..services.albums import album_add_images, album_create, album_remove_images
from ..services.allowance import RATE_LIMITED
from ..services.images import (
    image_trash,
    image_update,
    images_set_taken,
    images_set_visibility,
    images_trash,
)
from ..services.uploads import CREATED, upload_album, upload_images
from .mixins import BackToPageMixin
from .trash import moved_to_trash, photos


class UploadView(LoginRequiredMixin, FormView):
    """Several files in one form; each gets its own outcome on the result page.
    With JavaScript, static/js/upload/ takes over the same page and sends the
    files one by one to the JSON endpoints in gallery.views.uploads."""

    template_name = "gallery/upload.html"
    form_class = UploadForm

    def get_initial(self):
        return {"visibility": upload_visibility_for(viewer=self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            upload_albums=albums_to_add_to(viewer=self.request.user),
            storage=storage_of(viewer=self.request.user),
            uploader={
                "parallel": settings.IMAGEREPO_UPLOAD_PARALLEL,
                "max_bytes": settings.IMAGEREPO_MAX_UPLOAD_BYTES,
                # Refused in the browser, unsent, in the server's own words.
                "too_large": " ".join(file_too_large().messages),
                "max_hashes": settings.IMAGEREPO_MAX_HASHES_PER_CHECK,
                "prehash_max_bytes": settings.IMAGEREPO_PREHASH_MAX_BYTES,
                "formats": ", ".join(allowed_formats()),
            },
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        files = data["images"]
        try:
            album = upload_album(
                owner=self.request.user,
                album_id=self.request.POST.get("album"),
                album_title=self.request.POST.get("album_title", ""),
            )
            # Refuses an album no longer open to them (shared no more since).
            outcomes = self._upload(
                files,
                title=data["title"],
                description=data["description"],
                visibility=data["visibility"],
                album=album,
                remember_visibility=True,
            )
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            return self.form_invalid(form)
        limited = sum(o.code == RATE_LIMITED for o in outcomes)
        none_let_in = limited == len(files)
        # The next batch is likely meant for the same eyes.
        form = UploadForm(initial={"visibility": data["visibility"]})
        created = [o for o in outcomes if o.outcome == CREATED]
        context = self.get_context_data(form=form, outcomes=outcomes, created=created)
        return self.render_to_response(context, status=429 if none_let_in else 200)

    def form_invalid(self, form):
        # A file refused while it streamed in is missing from the form's data;
        # say why next to the form's own errors.
        context = self.get_context_data(form=form, outcomes=self._upload([]))
        return self.render_to_response(context)

    def _upload(self, files, **fields):
        return upload_images(
            owner=self.request.user,
            files=files,
            refused=refused_uploads(self.request),
            **fields,
        )


class OwnImageMixin:
    """Another user's image, or anyone's when signed out, is simply not found."""

    model = Image
    context_object_name = "image"

    def get_queryset(self):
        return owned_images(self.request.user)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Back from deleting it: the photo's own page says it is in the
            # trash, with Restore.
            if trashed_images(viewer=request.user, ids=[kwargs["pk"]]).exists():
                return redirect("gallery:detail", pk=kwargs["pk"])
            raise


class ImageEditView(OwnImageMixin, UpdateView):
    form_class = ImageEditForm
    template_name = "gallery/edit.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            image_update(
                self.object,
                title=data["title"],
                description=data["description"],
                visibility=data["visibility"],
                taken_at=form.taken_change,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your changes were saved.")
        return HttpResponseRedirect(self.object.get_absolute_url())


class ImageDeleteView(OwnImageMixin, DeleteView):
    template_name = "gallery/delete.html"
    success_url = reverse_lazy("gallery:index")

    def get_context_data(self, **kwargs):
        trash_days = settings.IMAGEREPO_TRASH_DAYS
        return super().get_context_data(trash_days=trash_days, **kwargs)

    def form_valid(self, form):
        image = image_trash(self.object)
        moved_to_trash(
            self.request,
            ids=[image.pk],
            what=f"“{image.title}” was moved to the trash.",
            next_url=image.get_absolute_url(),
        )
        return HttpResponseRedirect(self.get_success_url())


class BulkActionView(BackToPageMixin, LoginRequiredMixin, FormView):
    """Make several of your photos public or private, or delete them (after a
    confirmation page), then go back to the page they were chosen on."""

    form_class = BulkActionForm
    template_name = "gallery/bulk_delete.html"
    http_method_names = ["post"]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def form_valid(self, form):
        action, images = form.cleaned_data["action"], form.cleaned_data["images"]
        if action == "delete" and not self.request.POST.get("confirmed"):
            return self.render_to_response(
                self.get_context_data(
                    images=form.images_as_listed(),
                    next=self.next_url(),
                    trash_days=settings.IMAGEREPO_TRASH_DAYS,
                )
            )
        if action == "delete":
            return self.move_to_trash(images)
        if action in ("album-add", "album-remove"):
            return self.album_action(action, images, form.cleaned_data["album"])
        if action == "album-new":
            return self.new_album(form, images)
        if action == "date":
            return self.set_date(form, images)
        count = images_set_visibility(images, action)
        messages.success(self.request, f"{photos(count)} made {action}.")
        return HttpResponseRedirect(self.next_url())

    def move_to_trash(self, images):
        ids = list(images.values_list("pk", flat=True))
        count = images_trash(images)
        what = f"{photos(count)} moved to the trash."
        moved_to_trash(self.request, ids=ids, what=what, next_url=self.next_url())
        return HttpResponseRedirect(self.next_url())

    def form_invalid(self, form):
        # A date that is no date: its page again, with the photos chosen.
        data = form.cleaned_data
        if data.get("action") == "date" and "images" in data:
            return self.date_page(form)
        return super().form_invalid(form)

    def set_date(self, form, images):
        """First a page that asks for the date (with the photos chosen),
        then the change; a refused date shows that page again."""
        taken_at = form.cleaned_data["taken_at"]
        if taken_at is None:
            if self.request.POST.get("confirmed"):
                form.add_error("taken_at", "Give the date and time they were taken.")
            return self.date_page(form)
        keep_gaps = form.cleaned_data["keep_gaps"]
        try:
            dated = images_set_taken(images, taken_at=taken_at, keep_gaps=keep_gaps)
        except ValidationError as error:
            form.add_error(None, error)
            return self.date_page(form)
        if not dated:  # moved to the trash meanwhile (in another tab)
            messages.error(self.request, "None of those photos is here any more.")
            return HttpResponseRedirect(self.next_url())
        when = date_format(taken_at, "DATETIME_FORMAT")
        count = len(dated)
        done = (
            f"{photos(count)} moved: the first taken now {when}, the others as far."
            if keep_gaps and count > 1
            else f"{photos(count)} dated {when}."
        )
        # The page they were chosen on may no longer hold them: say where.
        newest = ORDERS["taken"].opening_with(dated[-1])
        there = f"{reverse('gallery:index')}?{urlencode({'after': newest})}"
        messages.success(
            self.request,
            format_html('{} <a href="{}" class="alert-link">See them</a>', done, there),
        )
        return HttpResponseRedirect(self.next_url())

    def date_page(self, form):
        images = form.images_as_listed()
        context = {"form": form, "images": images, "next": self.next_url()}
        return render(self.request, "gallery/bulk_date.html", context)

    def new_album(self, form, images):
        """First a page that asks the new album's title (with the photos
        chosen), then the album, made with them."""
        confirmed = self.request.POST.get("confirmed")
        album_form = AlbumForm(self.request.POST if confirmed else None)
        # The one thing this page asks: the keyboard is there already.
        album_form.fields["title"].widget.attrs["autofocus"] = True
        if album_form.is_valid():
            try:
                album = album_create(
                    owner=self.request.user, images=images, **album_form.cleaned_data
                )
            except ValidationError as error:
                album_form.add_error(None, error)
            else:
                made = f"Album “{album.title}” made with {photos(len(images))}."
                messages.success(self.request, made)
                return HttpResponseRedirect(album.get_absolute_url())
        context = {
            "form": album_form,
            "images": form.images_as_listed(),
            "next": self.next_url(),
        }
        return render(self.request, "gallery/bulk_album.html", context)

    def album_action(self, action, images, album):
        user = self.request.user
        if action == "album-add":
            count = album_add_images(album, user=user, images=images)
            done = f"added to “{album.title}”"
            if count < len(images):
                done += f" ({len(images) - count} already in it)"
        else:
            count = album_remove_images(album, user=user, images=images)
            whose = "your" if all(i.owner_id == user.pk for i in images) else "their"
            they = "it stays" if count == 1 else "they stay"
            done = f"taken out of “{album.title}” ({they} in {whose} library)"
        messages.success(self.request, f"{photos(count)} {done}.")
        return HttpResponseRedirect(self.next_url())
