"""What the project and intervention admins share: drafts published in bulk with a
history, saves refused when someone else saved first, and the published flag only for
those allowed to publish."""

from django.contrib import admin, messages
from django.db import router, transaction
from simple_history.admin import SimpleHistoryAdmin

from core.cache import CacheUnavailable

from .autocomplete import SafeAutocompleteMixin
from .forms import VersionedChangelistForm, VersionedModelForm
from .services import set_published


class EditorialAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = VersionedModelForm
    actions = ["publish", "unpublish"]
    # Sends each row's version with a list edit, so that a stale row is refused.
    change_list_template = "admin/editorial_change_list.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "reverting", False):
            return type(form.__name__, (form,), {"reverting": True})
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting = True
        # The lost-update check locks the row until the revert is saved, as on the change
        # form, which Django's admin runs in a transaction of its own.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # A list edit is checked row by row before Django's admin opens its transaction.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().changelist_view(request, extra_context)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=VersionedChangelistForm, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and not self.can_publish(request):
            # Whatever the path (a revert restores an old version whole), only those
            # allowed to publish change whether a record is public.
            stored = type(obj)._default_manager.get(pk=obj.pk)
            for name in ("published", "first_published"):
                if hasattr(stored, name):
                    setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)

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
        self.set_published(request, queryset, published=True)

    @admin.action(description="Unpublish the selected %(verbose_name_plural)s")
    def unpublish(self, request, queryset):
        self.set_published(request, queryset, published=False)

    def set_published(self, request, queryset, *, published: bool) -> None:
        verb = "Published" if published else "Unpublished"
        try:
            done = set_published(queryset=queryset, published=published, user=request.user)
        except CacheUnavailable as error:
            self.message_user(request, f"{verb} none of them. {error.message}", messages.ERROR)
            return
        if done.count or not done.refused:
            self.message_user(request, f"{verb} {done.count} {self.describe(done.count)}.")
        if done.refused:
            # The others are published all the same; each refused one says why in a sentence.
            count = len(done.refused)
            self.message_user(
                request,
                f"{count} {self.describe(count)} not published: {' '.join(done.refused)}",
                messages.ERROR,
            )

    def describe(self, count: int) -> str:
        opts = self.model._meta
        return opts.verbose_name if count == 1 else opts.verbose_name_plural
