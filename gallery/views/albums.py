"""Album pages: they ask gallery.selectors, change through
gallery.services.albums, and render. An album someone may not open is
simply not found."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from ..delivery import too_many_zips, zip_response
from ..forms import AlbumEditForm, AlbumForm, AlbumShareForm
from ..models import ShareRole
from ..selectors import (
    album_downloads,
    album_for,
    album_has_downloads,
    album_page,
    album_photos_of_others,
    album_share_of,
    album_shares,
    albums_for,
    can_add_to,
    own_share,
    owned_album,
)
from ..services.albums import (
    album_create,
    album_delete,
    album_leave,
    album_share,
    album_unshare,
    album_update,
)
from .links import ShareLinksMixin
from .mixins import confirmation_page, requested_page


class AlbumListView(LoginRequiredMixin, FormView):
    """Your albums and those shared with you; a new album from the form."""

    template_name = "gallery/albums.html"
    form_class = AlbumForm

    def get_context_data(self, **kwargs):
        own, shared = albums_for(viewer=self.request.user)
        return super().get_context_data(own=own, shared=shared, **kwargs)

    def form_valid(self, form):
        try:
            album = album_create(owner=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Album “{album.title}” made.")
        return HttpResponseRedirect(album.get_absolute_url())


class AlbumMixin:
    """The album in the URL, if the signed-in user may open it (404 if not);
    with ``owner_only``, only if it is theirs."""

    owner_only = False

    def dispatch(self, request, *args, **kwargs):
        find = owned_album if self.owner_only else album_for
        self.album = find(viewer=request.user, pk=kwargs["pk"])
        if self.album is None:
            raise Http404("No such album.")
        return super().dispatch(request, *args, **kwargs)


class AlbumDetailView(ShareLinksMixin, AlbumMixin, TemplateView):
    template_name = "gallery/album.html"
    link_field = "album"

    def link_target(self):
        return self.album if self.album.owner_id == self.request.user.pk else None

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        size = settings.IMAGEREPO_GALLERY_PAGE_SIZE
        page, is_first_page = requested_page(
            partial(album_page, viewer=user, album=self.album, size=size), params
        )
        is_owner = self.album.owner_id == user.pk
        cap = settings.IMAGEREPO_RESULT_COUNT_CAP
        return super().get_context_data(
            album=self.album,
            page=page,
            is_first_page=is_first_page,
            timeline=True,
            order="taken",
            oldest_first=self.album.oldest_first,
            pager_params="",
            is_owner=is_owner,
            can_add=can_add_to(self.album, user),
            can_download=album_has_downloads(viewer=user, album=self.album),
            shares=album_shares(viewer=user, album=self.album) if is_owner else [],
            share_form=AlbumShareForm() if is_owner else None,
            photos_of_others=(
                album_photos_of_others(viewer=user, album=self.album, cap=cap)
                if is_owner
                else 0
            ),
            count_cap=cap,
            **self.links_context(self.album),
            **kwargs,
        )


class AlbumDownloadView(AlbumMixin, View):
    """The originals of the album that the viewer may download, in one zip."""

    # Not HEAD: answering it would read every original to send none.
    http_method_names = ["get"]

    def get(self, request, pk):
        images = album_downloads(viewer=request.user, album=self.album)
        if not images:
            raise Http404("Nothing in this album to download.")
        response = zip_response(
            images,
            name=self.album.title,
            viewer=request.user,
            asker=f"user:{request.user.pk}",
        )
        return response or too_many_zips(request)


class AlbumEditView(AlbumMixin, FormView):
    owner_only = True
    template_name = "gallery/album_edit.html"
    form_class = AlbumEditForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.album,
            "viewer": self.request.user,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(album=self.album, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            album_update(
                self.album,
                user=self.request.user,
                title=data["title"],
                description=data["description"],
                cover=data["cover"] or False,
                order=data["order"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your changes were saved.")
        return HttpResponseRedirect(self.album.get_absolute_url())


class AlbumDeleteView(AlbumMixin, View):
    owner_only = True

    def get(self, request, *args, **kwargs):
        return confirmation_page(
            request,
            question=f"Delete the album “{self.album.title}”?",
            consequence="The album goes, and everyone it is shared with loses "
            "it. Its photos stay in your library.",
            button="Delete album",
            cancel=self.album.get_absolute_url(),
        )

    def post(self, request, *args, **kwargs):
        title = self.album.title
        album_delete(self.album, user=request.user)
        messages.success(request, f"Album “{title}” deleted; its photos are kept.")
        return HttpResponseRedirect(reverse("gallery:albums"))


class AlbumLeaveView(AlbumMixin, View):
    """Someone an album is shared with stops seeing it, after a question."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            if request.method != "POST" or not request.user.is_authenticated:
                raise
            # Left already, and its question come back to with Back: the
            # same answer for any album the user cannot open.
            messages.info(request, "That album is not shared with you.")
            return HttpResponseRedirect(reverse("gallery:albums"))

    def get(self, request, *args, **kwargs):
        share = own_share(viewer=request.user, album=self.album)
        if share is None:
            raise Http404("The album is not shared with you.")
        owner = self.album.owner.get_username()
        return confirmation_page(
            request,
            question=f"Leave “{self.album.title}”?",
            consequence="You no longer see the album, nor those of its photos "
            "that are not public. "
            + (
                "The photos you added leave it, and stay in your library. "
                if share.role == ShareRole.CONTRIBUTOR
                else ""
            )
            + f"Only {owner} can share it with you again.",
            button="Leave album",
            cancel=self.album.get_absolute_url(),
        )

    def post(self, request, *args, **kwargs):
        try:
            album_leave(self.album, user=request.user)
        except PermissionDenied:  # their own album: nothing to leave here
            raise Http404("The album is not shared with you.") from None
        messages.success(request, f"You left “{self.album.title}”.")
        return HttpResponseRedirect(reverse("gallery:albums"))


class AlbumShareView(AlbumMixin, View):
    """Share the album with an account, or change how; or stop sharing."""

    owner_only = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if "stop" in request.POST:
            return self.stop(request)
        form = AlbumShareForm(request.POST)
        if not form.is_valid():
            messages.error(request, next(iter(form.errors.values()))[0])
            return self.back()
        try:
            share = album_share(self.album, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return self.back()
        messages.success(
            request,
            f"Shared with {share.user.get_username()} as {share.role}.",
        )
        return self.back()

    def stop(self, request):
        share = album_share_of(
            viewer=request.user, album=self.album, user_pk=request.POST.get("stop")
        )
        if share is None and request.POST.get("confirmed"):
            # Stopped already, and its question come back to with Back.
            messages.info(request, "The album is not shared with them any more.")
            return self.back()
        if share is None:
            raise Http404("No such share.")
        person = share.user
        if not request.POST.get("confirmed"):
            name = person.get_username()
            return confirmation_page(
                request,
                question=f"Stop sharing “{self.album.title}” with {name}?",
                consequence=f"From their next page on, {name} no longer sees "
                "the album, nor those of its photos that are not public. "
                + (
                    "The photos they added leave it, and stay in their library. "
                    if share.role == ShareRole.CONTRIBUTOR
                    else ""
                )
                + "You can share it with them again later.",
                button="Stop sharing",
                cancel=self.album.get_absolute_url() + "#sharing",
                fields=[("stop", person.pk)],
            )
        album_unshare(self.album, user=request.user, person=person)
        messages.success(request, f"No longer shared with {person.get_username()}.")
        return self.back()

    def back(self):
        return HttpResponseRedirect(self.album.get_absolute_url() + "#sharing")
