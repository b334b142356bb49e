"""Account › API tokens: create (shown once) and revoke personal tokens."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import View
from django.views.generic import FormView

from gallery.views.mixins import confirmation_page

from ..forms import TokenCreateForm
from ..tokens import token_create, token_revoke


class ApiTokensView(LoginRequiredMixin, FormView):
    template_name = "api/tokens.html"
    form_class = TokenCreateForm

    def get_context_data(self, **kwargs):
        # Expired ones too, marked so: a script refused learns why here.
        tokens = self.request.user.api_tokens.unrevoked()
        return super().get_context_data(tokens=tokens, **kwargs)

    def form_valid(self, form):
        token, key = token_create(
            user=self.request.user,
            name=form.cleaned_data["name"],
            lifetime=form.lifetime(),
        )
        # The key is in this one response and nowhere else: not in a redirect,
        # a message cookie or the session. No cache may keep it either.
        response = self.render_to_response(
            self.get_context_data(form=TokenCreateForm(), new_token=token, key=key)
        )
        add_never_cache_headers(response)
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = request.user.api_tokens.unrevoked().filter(pk=pk).first()
        if token is None and request.user.api_tokens.filter(pk=pk).exists():
            # Its question answered already, and come back to with Back.
            messages.info(request, "That token is revoked already.")
            return redirect("api-tokens")
        if token is None:
            raise Http404("No such token.")
        if not request.POST.get("confirmed"):
            return confirmation_page(
                request,
                question=f"Revoke the token “{token.name}”?",
                consequence="It has expired already: revoking it takes it off "
                "your list."
                if token.is_expired
                else "Scripts and programs using it are refused from their "
                "next request on. A revoked token cannot be used again: make a "
                "new one for them.",
                button="Revoke token",
                cancel=reverse("api-tokens"),
            )
        token_revoke(token)
        messages.success(request, f"The token “{token.name}” was revoked.")
        return redirect("api-tokens")
