"""django-axes' records of logins in the admin, as axes shows them, in lists that answer
junk in a filter as the portal's own lists do."""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from editors.filters import SafeChangeListMixin


class AccessAttemptAdmin(SafeChangeListMixin, axes_admin.AccessAttemptAdmin):
    pass


class AccessLogAdmin(SafeChangeListMixin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(SafeChangeListMixin, axes_admin.AccessFailureLogAdmin):
    pass


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    # Importing axes.admin above registered axes' own admins, unless AXES_ENABLE_ADMIN is off.
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
