"""Editors' own routes beside the admin: resetting a forgotten password by e-mail with
Django's views, limited per address so that the form cannot be used to flood inboxes."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views

from core.clients import AddressLimit, too_many_requests


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Links in the e-mail on the site's own address, never on the Host a request names."""

    def save(self, **options):
        site = urlsplit(settings.SITE_URL)
        options.update(domain_override=site.netloc, use_https=site.scheme == "https")
        super().save(**options)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with a limit per address. Whether or not an account has the address,
    and whether or not the mail went, the answer is the same: it says nothing of who
    has an account (Django logs a failure to send)."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        admission = AddressLimit(
            "password-reset", per_hour=settings.PASSWORD_RESETS_PER_HOUR
        ).admit(self.request)
        if admission.refused:
            return too_many_requests(self.request, admission, "password resets")
        return super().form_valid(form)
