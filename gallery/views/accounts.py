"""Signing up, and Django's password reset views in the site's clothes:
limited, and lifting a sign-in lock-out."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import CreateView

from ..forms import PasswordResetForm, SignupForm
from ..request_limits import client_ip
from ..services.accounts import (
    ADDRESS_LIMITED,
    CLIENT_LIMITED,
    password_reset_allowance,
    password_reset_done,
)


class SignupView(CreateView):
    form_class = SignupForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("gallery:index")

    def form_valid(self, form):
        response = super().form_valid(form)
        login(
            self.request,
            self.object,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        return response


def reset_terms():
    """What the reset mail and the "sent" page promise."""
    return {
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "mails_per_hour": settings.IMAGEREPO_PASSWORD_RESET_MAILS_PER_HOUR,
    }


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    form_class = PasswordResetForm

    @property
    def extra_email_context(self):
        return reset_terms()

    def form_valid(self, form):
        allowance = password_reset_allowance(
            client=client_ip(self.request), email=form.cleaned_data["email"]
        )
        if allowance == CLIENT_LIMITED:
            return render(
                self.request, "registration/password_reset_limited.html", status=429
            )
        if allowance == ADDRESS_LIMITED:
            # The "sent" page all the same: it never says whether a mail went.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**reset_terms(), **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_done(user=form.user)
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while locked out
    (AXES_LOCKOUT_CALLABLE): when to try again, and the way round the wait.
    Each attempt during the lock-out starts the cool-off again (the default
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends a cool-off
    from now."""
    now = timezone.now()
    context = {"now": now, "retry_at": now + settings.AXES_COOLOFF_TIME}
    return render(request, "registration/locked_out.html", context, status=429)
