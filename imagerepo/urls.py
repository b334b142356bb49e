from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.views.tokens import ApiTokenRevokeView, ApiTokensView
from gallery.views.accounts import (
    AccountDeleteView,
    AccountEmailConfirmView,
    AccountView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
    SignupView,
)
from gallery.views.favicon import FaviconView

# Deliberately no static(MEDIA_URL, ...) route: uploaded bytes are served only
# by the permission-checked views in gallery.views.files.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", SignupView.as_view(), name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("settings/", AccountView.as_view(), name="account"),
    path(
        "settings/email/confirm/<str:token>/",
        AccountEmailConfirmView.as_view(),
        name="account-email-confirm",
    ),
    path("settings/password/", PasswordChangeView.as_view(), name="password_change"),
    path("settings/delete/", AccountDeleteView.as_view(), name="account-delete"),
    path("settings/tokens/", ApiTokensView.as_view(), name="api-tokens"),
    path(
        "settings/tokens/<int:pk>/revoke/",
        ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("api/", include("api.urls")),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("", include("gallery.urls")),
]

handler400 = "gallery.views.errors.bad_request"
handler404 = "gallery.views.errors.page_not_found"
