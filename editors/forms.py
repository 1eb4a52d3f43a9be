from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from core.cache import CacheUnavailable, check_cache

from .changes import format_value
from .services import publish_problem, publishes

# Lists of related records and files are left out of the "what they changed" summary.
SKIPPED_FIELDS = (forms.ModelMultipleChoiceField, forms.FileField)


class VersionedModelForm(forms.ModelForm):
    """Refuse a save based on a version someone else has since changed, and say what
    they changed; saving again after reading it applies this editor's values."""

    edited_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A revert form shows an old record; the version it replaces is the stored one.
    reverting = False
    # Refuse to publish a record whose publish_problem() names one. An admin turns it off
    # where an inline formset checks the related records as submitted instead.
    checks_publishing = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edited_version"].initial = (
                self.stored_version() if self.reverting else self.instance.version
            )
        for name, field in self.fields.items():
            # Send back what the editor saw, to say what someone else changed meanwhile.
            field.show_hidden_initial = name not in (
                "edited_version",
                self._meta.model._meta.pk.name,
            )

    def stored_version(self, lock: bool = False) -> int | None:
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if lock:
            # Hold the row until this save commits, so no other save slips in between.
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        try:
            check_cache()
        except CacheUnavailable as error:
            # Said on the form, so that the editor's typing is kept for a second try.
            raise ValidationError(error.message, code="cache_unavailable") from error
        if self.instance.pk is None:
            return cleaned
        submitted, stored = cleaned.get("edited_version"), self.stored_version(lock=True)
        # A form sent without the version it was based on cannot be checked: refused too.
        if stored is not None and submitted != stored:
            self.refuse_stale_save(submitted, stored)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # Only now does the instance hold the submitted values (the rating, say).
        if self.checks_publishing and publishes(self.instance):
            problem = publish_problem(self.instance)
            if problem:
                self.add_error("published" if "published" in self.fields else None, problem)

    def compared_fields(self):
        """The form's fields that hold the record's own values."""
        for name, field in self.fields.items():
            if name not in ("edited_version", self._meta.model._meta.pk.name) and not isinstance(
                field, SKIPPED_FIELDS
            ):
                yield name, field

    def refuse_stale_save(self, submitted: int | None, stored: int) -> None:
        current = type(self.instance)._default_manager.get(pk=self.instance.pk)
        changed = []
        for name, field in self.compared_fields():
            model_field = current._meta.get_field(name)
            now = model_field.value_from_object(current)
            seen = self[name].field.widget.value_from_datadict(
                self.data, self.files, self[name].html_initial_name
            )
            if field.has_changed(now, seen):
                try:
                    # As stored, so that a choice reads as its label: "2", not "20".
                    before = model_field.to_python(field.to_python(seen))
                except ValidationError:
                    before = seen
                changed.append(
                    f"{model_field.verbose_name} from “{format_value(model_field, before) or 'empty'}”"
                    f" to “{format_value(model_field, now) or 'empty'}”"
                )
        latest = current.history.order_by("-history_date", "-history_id").first()
        who = f" by {latest.history_user}" if latest and latest.history_user else ""
        when = (
            f" at {date_format(timezone.localtime(latest.history_date), 'H:i, j F Y')}"
            if latest
            else ""
        )
        if submitted is None:
            opening = (
                "This form was sent without the version of the record it was based on, so "
                "it could not be checked against other editors' changes and was not saved. "
                f"It was last saved{who}{when}. "
            )
        else:
            opening = (
                f"Someone else saved this{who}{when} while you were editing it, so your "
                "changes were not saved. "
            )
        message = (
            opening
            + (f"They changed {'; '.join(changed)}. " if changed else "")
            + "Check the values below: saving again will replace theirs with yours."
        )
        # Let a second, informed save through.
        self.data = self.data.copy()
        self.data[self.add_prefix("edited_version")] = stored
        for name, field in self.compared_fields():
            # The editor has now seen the other's values; a later conflict is told from these.
            value = field.prepare_value(current._meta.get_field(name).value_from_object(current))
            key = self[name].html_initial_name
            if isinstance(value, list | tuple):
                self.data.setlist(key, [str(item) for item in value])
            else:
                self.data[key] = "" if value is None else str(value)
        field = next((name for name in ("status", "name", "title") if name in self.fields), None)
        self.add_error(field, message)


class VersionedChangelistForm(VersionedModelForm):
    """A row of the admin list. The list saves only the rows an editor changed, so a row
    left alone is neither checked against its version nor saved with the values it showed."""

    def has_changed(self) -> bool:
        # A newer stored version is someone else's change, not this editor's.
        return any(name != "edited_version" for name in self.changed_data)

    def clean(self):
        if not self.has_changed():
            return super(VersionedModelForm, self).clean()
        return super().clean()

    def _post_clean(self):
        if not self.has_changed():
            # A row left alone is not saved, so not published either: no need to ask.
            self.checks_publishing = False
        super()._post_clean()
