"""The Trash page and what it does: restore photos, or delete them for good
(after a confirmation page), a few of them or all. Which trash is always the
signed-in person's own; ids that are not in it are simply not counted."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.views.generic import FormView, TemplateView

from ..forms import TrashActionForm
from ..selectors import SHOWS, trash_page, trash_summary, trashed_images
from ..services.images import images_purge, images_restore
from .mixins import BackToPageMixin, requested_page


def photos(count):
    return f"{count} photo{'' if count == 1 else 's'}"


def moved_to_trash(request, *, ids, what, next_url):
    """The message after a delete: what went to the trash, an Undo button
    that restores exactly those images (then goes back to ``next_url``) and
    a link to the Trash page. Rendered from a template, so titles are
    escaped and the button carries its CSRF token."""
    html = render_to_string(
        "gallery/_moved_to_trash.html",
        {"ids": ids, "what": what, "next": next_url},
        request=request,
    )
    messages.success(request, html)


class TrashView(LoginRequiredMixin, TemplateView):
    """The signed-in person's trash, last deleted first, ``?after=`` and
    ``?before=`` to page."""

    template_name = "gallery/trash.html"

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        size = settings.IMAGEREPO_GALLERY_PAGE_SIZE
        page, is_first_page = requested_page(
            partial(trash_page, viewer=user, size=size), params
        )
        return super().get_context_data(
            page=page,
            summary=trash_summary(viewer=user),
            trash_days=settings.IMAGEREPO_TRASH_DAYS,
            filters=SHOWS,
            pager_params="",
            is_first_page=is_first_page,
            **kwargs,
        )


class TrashActionView(BackToPageMixin, LoginRequiredMixin, FormView):
    """A button of the Trash page (or an Undo button): ``images`` (ids) or
    ``all``, then back to ``next``, the Trash page by default."""

    form_class = TrashActionForm
    http_method_names = ["post"]
    fallback_url = reverse_lazy("gallery:trash")

    def selected(self, form):
        ids = None if form.cleaned_data["all"] else form.cleaned_data["images"]
        return trashed_images(viewer=self.request.user, ids=ids)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # A bookmarked or typed address: say what it is for, change nothing.
        response = render(request, "gallery/trash_post_only.html", status=405)
        response["Allow"] = "POST"
        return response


class TrashRestoreView(TrashActionView):
    def form_valid(self, form):
        count = images_restore(self.selected(form))
        if count:
            messages.success(self.request, f"{photos(count)} restored.")
        else:
            messages.info(
                self.request,
                "Nothing was restored: those photos are no longer in your trash.",
            )
        return HttpResponseRedirect(self.next_url())


class TrashPurgeView(TrashActionView):
    """Deleting for good asks first, on a page of its own."""

    template_name = "gallery/trash_purge.html"

    def form_valid(self, form):
        images = self.selected(form)
        if not self.request.POST.get("confirmed"):
            return self.confirm(form, images)
        count = images_purge(images)
        if count:
            messages.success(self.request, f"{photos(count)} deleted for good.")
        else:
            messages.info(
                self.request,
                "Nothing was deleted: those photos are no longer in your trash.",
            )
        return HttpResponseRedirect(self.next_url())

    def confirm(self, form, images):
        everything = form.cleaned_data["all"]
        if everything:
            summary, shown = trash_summary(viewer=self.request.user), []
        else:
            shown = list(images.order_by("-trashed_at", "-pk"))
            summary = {"count": len(shown), "size": sum(i.file_size for i in shown)}
        if not summary["count"]:
            messages.info(
                self.request,
                "Your trash is already empty."
                if everything
                else "Nothing to delete: those photos are no longer in your trash.",
            )
            return HttpResponseRedirect(self.next_url())
        context = {"all": everything, "images": shown, "summary": summary}
        return self.render_to_response(self.get_context_data(**context))
