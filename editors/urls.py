from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

# Beside the admin, under its address; the admin's login page links to the first.
urlpatterns = [
    path(
        f"{settings.ADMIN_URL}password-reset/",
        views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        f"{settings.ADMIN_URL}password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        f"{settings.ADMIN_URL}password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        f"{settings.ADMIN_URL}password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
