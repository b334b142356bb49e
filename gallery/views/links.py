"""Share links: the owner makes, revokes and removes them; whoever holds
one sees what it opens, and nothing else of the owner's.

A link is checked on every request, pages and files alike, so a revoked or
expired link stops every address it handed out at once. A client that has
guessed wrong too often (gallery.services.links) gets 429 from every link.
"""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View

from ..delivery import image_file_response, too_many_zips, zip_response
from ..forms import ShareLinkForm, ShareLinkPasswordForm
from ..request_limits import client_ip
from ..selectors import (
    share_link_downloads,
    share_link_file,
    share_link_for,
    share_link_of,
    share_link_page,
    share_links_of,
)
from ..services.links import (
    guessing_stopped,
    share_link_create,
    share_link_password_ok,
    share_link_remove,
    share_link_revoke,
    share_link_viewed,
    wrong_token,
)
from ..templatetags.sharing import link_name
from .mixins import confirmation_page, requested_page

SESSION_KEY = "share_links_unlocked"


def _limited(request):
    return render(request, "gallery/link_limited.html", status=429)


def _not_found(request, token):
    """The same answer for a token that never existed, a revoked link and an
    expired one."""
    wrong_token(client=client_ip(request), token=token)
    raise Http404("No such link.")


class ShareLinkMixin:
    def dispatch(self, request, *args, **kwargs):
        if guessing_stopped(client=client_ip(request)):
            return _limited(request)
        self.link = share_link_for(token=kwargs["token"])
        if self.link is None:
            _not_found(request, kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def unlocked(self):
        return not self.link.has_password or str(
            self.link.pk
        ) in self.request.session.get(SESSION_KEY, [])


class ShareLinkView(ShareLinkMixin, View):
    """The link's page: a password form first if it has one."""

    def get(self, request, token):
        if not self.unlocked():
            return self.password_page(ShareLinkPasswordForm())
        share_link_viewed(self.link)
        size = settings.IMAGEREPO_GALLERY_PAGE_SIZE
        page, is_first_page = requested_page(
            partial(share_link_page, link=self.link, size=size), request.GET
        )
        tiles = [
            {
                "image": image,
                "thumbnail_url": self._file_url(image, "thumbnail"),
                "display_url": self._file_url(image, "display"),
                "original_url": self._file_url(image, "original")
                if self.link.allow_download
                else None,
            }
            for image in page.items
        ]
        target = self.link.album or self.link.image
        context = {
            "link": self.link,
            "target": target,
            "tiles": tiles,
            "page": page,
            # The album page's pager, in the album's order.
            "is_first_page": is_first_page,
            "oldest_first": bool(self.link.album and self.link.album.oldest_first),
            "pager_params": "",
            "download_all_url": reverse("gallery:link-download", args=[token]),
        }
        return render(request, "gallery/link.html", context)

    def post(self, request, token):
        client = client_ip(request)
        if guessing_stopped(client=client, link=self.link):
            return _limited(request)
        form = ShareLinkPasswordForm(request.POST)
        if form.is_valid() and share_link_password_ok(
            self.link, form.cleaned_data["password"], client=client
        ):
            # This link only: another link's password opens nothing else.
            unlocked = request.session.get(SESSION_KEY, [])
            request.session[SESSION_KEY] = [*unlocked, str(self.link.pk)]
            return HttpResponseRedirect(request.path)
        form.add_error("password", "That is not the password.")
        return self.password_page(form, status=403)

    def password_page(self, form, status=200):
        return render(
            self.request, "gallery/link_password.html", {"form": form}, status=status
        )

    def _file_url(self, image, kind):
        return reverse("gallery:link-file", args=[self.kwargs["token"], image.pk, kind])


class ShareLinkDownloadView(ShareLinkMixin, View):
    """Every original a link hands out, in one zip."""

    # Not HEAD: answering it would read every original to send none.
    http_method_names = ["get"]

    def get(self, request, token):
        images = share_link_downloads(link=self.link) if self.unlocked() else []
        if not images:
            raise Http404("No such file.")
        target = self.link.album or self.link.image
        response = zip_response(
            images, name=target.title, viewer=None, asker=f"link:{self.link.pk}"
        )
        return response or too_many_zips(request)


class ShareLinkFileView(ShareLinkMixin, View):
    def get(self, request, token, pk, kind):
        if not self.unlocked():
            raise Http404("No such file.")
        image = share_link_file(link=self.link, pk=pk, kind=kind)
        response = image and image_file_response(request, image, kind)
        if response is None:
            raise Http404("No such file.")
        return response


class ShareLinksMixin:
    """The Links section of an album's or an image's page: its owner sees
    the links to it there, and makes one by posting the form to the page.

    The new link's address goes out in the response to that POST and
    nowhere else, as a new API token does: only its hash is stored, and it
    is put in no redirect, message cookie or session, from where it could be
    read back later. No cache may keep that response either."""

    link_field = None  # what the page shows: "album" or "image"
    link_form = None

    def link_target(self):
        """The album or image the page shows, if it is the viewer's; else None."""
        raise NotImplementedError

    def not_linkable(self):
        """The answer to a link form posted where there is nothing of the
        viewer's to link, if it is not a plain 405."""
        return None

    def links_context(self, target):
        user = self.request.user
        if target.owner_id != user.pk:
            return {}
        return {
            "links": share_links_of(viewer=user, **{self.link_field: target}),
            "link_form": self.link_form or ShareLinkForm(),
        }

    def post(self, request, *args, **kwargs):
        target = self.link_target()
        if target is None:
            # To anyone else the page takes no POST, whether it exists or not.
            return self.not_linkable() or self.http_method_not_allowed(
                request, *args, **kwargs
            )
        form = ShareLinkForm(request.POST)
        made = form.is_valid() and self._make_link(form, target)
        if made:
            self.extra_context = made
        else:
            self.link_form = form
        response = self.get(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def _make_link(self, form, target):
        try:
            link, token = share_link_create(
                user=self.request.user,
                **{self.link_field: target},
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return None
        url = self.request.build_absolute_uri(reverse("gallery:link", args=[token]))
        return {"new_link": link, "new_link_url": url}


class OwnShareLinkView(LoginRequiredMixin, View):
    """A button beside one of the viewer's links; anyone else's link, or
    none, is not found. The answer is the Links section it was pressed in."""

    http_method_names = ["post"]

    def post(self, request, pk):
        link = share_link_of(viewer=request.user, pk=pk)
        if link is None:
            raise Http404("No such link.")
        target = link.album or link.image
        question = self.question(link)
        if question and not request.POST.get("confirmed"):
            return confirmation_page(
                request, cancel=target.get_absolute_url() + "#links", **question
            )
        try:
            messages.success(request, self.act(link))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return HttpResponseRedirect(target.get_absolute_url() + "#links")

    def act(self, link) -> str:
        """Do it to ``link``; what to tell its owner."""
        raise NotImplementedError

    def question(self, link) -> dict | None:
        """What to ask before acting, if it cannot be taken back."""
        return None


class ShareLinkRevokeView(OwnShareLinkView):
    def question(self, link):
        if not link.is_open(timezone.now()):
            return None  # revoked or expired already: nothing to lose
        return {
            "question": f"Revoke {link_name(link)} to “{link.album or link.image}”?",
            "consequence": "Whoever has it can no longer open it, nor any "
            "photo address it gave out. A revoked link never works again: to "
            "share once more, you make a new one and send it.",
            "button": "Revoke link",
        }

    def act(self, link):
        share_link_revoke(link, user=self.request.user)
        return "The link is revoked: it opens nothing any more."


class ShareLinkRemoveView(OwnShareLinkView):
    def act(self, link):
        share_link_remove(link, user=self.request.user)
        return "The link is removed from the list."
