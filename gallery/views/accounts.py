"""Signing up, the account page (and the mailed link that confirms a new
address), and Django's password views in the site's clothes: reset by e-mail
(limited, and lifting a sign-in lock-out) and change."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import CreateView, FormView, TemplateView

from ..forms import (
    AccountDeleteForm,
    AccountEmailForm,
    PasswordChangeForm,
    PasswordResetForm,
    SignupForm,
)
from ..request_limits import client_ip
from ..selectors import account_summary
from ..services.accounts import (
    ADDRESS_LIMITED,
    CLIENT_LIMITED,
    MAIL_FAILED,
    MAILS_LIMITED,
    account_delete,
    email_change_apply,
    email_change_pending,
    email_change_request,
    password_reset_allowance,
    password_reset_done,
    signup_allowed,
)


class SignupView(CreateView):
    form_class = SignupForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("gallery:index")

    def form_valid(self, form):
        if not signup_allowed(client=client_ip(self.request)):
            form.add_error(
                None,
                "Too many accounts were made from your network in the last hour. "
                "Try again in an hour, or ask whoever runs this site to make "
                "yours.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        response = super().form_valid(form)
        login(
            self.request,
            self.object,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        return response


class PasswordConfirmationMixin(LoginRequiredMixin):
    """A page whose form asks for the signed-in user's password. The form
    checks it as a sign-in would (gallery.forms.confirm_password), so it needs
    the request; once the account is locked the page answers 429, as the
    sign-in does, and its form says until when."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(form.has_error(field, code="locked_out") for field in form.errors):
            response.status_code = 429
        return response


# The account page's note of a new address waiting for its link to be opened.
EMAIL_WAITING_KEY = "email_waiting"


class AccountView(PasswordConfirmationMixin, FormView):
    """The account page: who you are, what you store, and your e-mail
    address (the form)."""

    template_name = "registration/account.html"
    form_class = AccountEmailForm
    success_url = reverse_lazy("account")

    def get_initial(self):
        return {"email": self.request.user.email}

    def get_context_data(self, **kwargs):
        summary = account_summary(viewer=self.request.user)
        return super().get_context_data(
            summary=summary,
            trash_days=settings.IMAGEREPO_TRASH_DAYS,
            email_waiting=self.email_waiting(),
            **kwargs,
        )

    def email_waiting(self):
        """The new address this browser last had a link mailed to, and until
        when the link works, while it is not yet the account's: so the page
        says what it waits for instead of showing the old address alone."""
        asked = self.request.session.get(EMAIL_WAITING_KEY)
        if not asked or asked["email"] == self.request.user.email:
            return None
        until = datetime.fromisoformat(asked["sent"]) + timedelta(
            seconds=settings.PASSWORD_RESET_TIMEOUT
        )
        if until <= timezone.now():
            return None
        return {"email": asked["email"], "until": until}

    def form_valid(self, form):
        user, email = self.request.user, form.cleaned_data["email"]
        outcome = email_change_request(
            user=user,
            email=email,
            domain=get_current_site(self.request).domain,
            use_https=self.request.is_secure(),
        )
        if outcome == MAILS_LIMITED:
            messages.error(
                self.request,
                "You asked for several address changes in the last hour: no "
                "more links are sent until the hour is over, and your address "
                "stays as it is.",
            )
        elif outcome == MAIL_FAILED:
            messages.error(
                self.request,
                f"The mail to {email} could not be sent, so your address stays "
                "as it is. Try again later.",
            )
        else:
            self.request.session[EMAIL_WAITING_KEY] = {
                "email": email,
                "sent": timezone.now().isoformat(),
            }
            messages.success(
                self.request,
                f"We sent a link to {email}. "
                + (
                    f"Your address changes when you open it; until then it stays "
                    f"{user.email}."
                    if user.email
                    else "It becomes your address when you open it."
                ),
            )
        return super().form_valid(form)


class AccountEmailConfirmView(TemplateView):
    """Where the link that the account page mails to a new address leads: a
    page that offers to confirm the change, and the confirmation (a POST),
    so that a mail scanner fetching the link changes nothing. Only the
    account itself, signed in, confirms (``email_change_apply``): signed out
    the page asks to sign in first, and it tells nobody else whose account
    it is; signed in to another account, it says so, lest that person think
    their own address changed."""

    template_name = "registration/account_email_confirm.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.change = email_change_pending(token=kwargs["token"])

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        if self.change is None:
            state = "spent"
        elif not viewer.is_authenticated:
            state = "sign-in"
        elif viewer.pk != self.change.user.pk:
            state = "someone-else"
        else:
            state = "confirm"
        return super().get_context_data(
            change=self.change, state=state, **reset_terms(), **kwargs
        )

    def post(self, request, token):
        change = email_change_apply(
            token=token,
            viewer=request.user,
            domain=get_current_site(request).domain,
            use_https=request.is_secure(),
        )
        if change is None:
            return self.get(request, token=token)
        request.session.pop(EMAIL_WAITING_KEY, None)
        told = f" A notice went to {change.told}." if change.told else ""
        messages.success(request, f"Your e-mail address is now {change.email}.{told}")
        return redirect("account")


class AccountDeleteView(PasswordConfirmationMixin, FormView):
    """Deleting one's own account, after a page that says what it does and
    asks for the password."""

    template_name = "registration/account_delete.html"
    form_class = AccountDeleteForm
    success_url = reverse_lazy("gallery:index")

    def get_context_data(self, **kwargs):
        summary = account_summary(viewer=self.request.user)
        days = settings.IMAGEREPO_TRASH_DAYS
        return super().get_context_data(summary=summary, days=days, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        account_delete(user=user)
        logout(self.request)
        days = settings.IMAGEREPO_TRASH_DAYS
        messages.success(
            self.request,
            f"Your account {user.get_username()} is deleted. Nobody can see its "
            f"photos any more; they and the account are removed for good in "
            f"{days} days. Until then, an administrator of this site can undo it.",
        )
        return super().form_valid(form)


class PasswordChangeView(
    PasswordConfirmationMixin, SuccessMessageMixin, auth_views.PasswordChangeView
):
    form_class = PasswordChangeForm
    # Not Django's default name, which the admin's own password page uses.
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("account")
    success_message = (
        "Your password was changed. Other browsers signed in as you were signed out."
    )


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
    from now.

    A page that answered the lock-out itself (429: the account pages, whose
    form says so) is left as it is, so the person stays where they were."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    now = timezone.now()
    context = {"now": now, "retry_at": now + settings.AXES_COOLOFF_TIME}
    return render(request, "registration/locked_out.html", context, status=429)
