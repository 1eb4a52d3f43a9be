"""What the project and intervention admins share: drafts published in bulk with a
history, saves refused when someone else saved first, and the published flag only for
those allowed to publish."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .autocomplete import SafeAutocompleteMixin
from .forms import VersionedChangelistForm, VersionedModelForm
from .services import set_published


class EditorialAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = VersionedModelForm
    actions = ["publish", "unpublish"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "reverting", False):
            return type(form.__name__, (form,), {"reverting": True})
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=VersionedChangelistForm, **kwargs)

    def can_publish(self, request) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.can_publish(request) else [*readonly, "published"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.can_publish(request):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    @admin.action(description="Publish the selected %(verbose_name_plural)s")
    def publish(self, request, queryset):
        count = set_published(queryset=queryset, published=True, user=request.user)
        self.message_user(request, f"Published {count} {self.describe(count)}.")

    @admin.action(description="Unpublish the selected %(verbose_name_plural)s")
    def unpublish(self, request, queryset):
        count = set_published(queryset=queryset, published=False, user=request.user)
        self.message_user(request, f"Unpublished {count} {self.describe(count)}.")

    def describe(self, count: int) -> str:
        opts = self.model._meta
        return opts.verbose_name if count == 1 else opts.verbose_name_plural
