from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from .changes import format_value


class VersionedModelForm(forms.ModelForm):
    """Refuse a save based on a version someone else has since changed, and say what
    they changed; saving again after reading it applies this editor's values."""

    edited_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A revert form shows an old record; the version it replaces is the stored one.
    reverting = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edited_version"].initial = (
                self.stored_version() if self.reverting else self.instance.version
            )

    def stored_version(self, lock: bool = False) -> int | None:
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if lock:
            # Hold the row until this save commits, so no other save slips in between.
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        submitted, stored = cleaned.get("edited_version"), self.stored_version(lock=True)
        if submitted is not None and stored is not None and submitted != stored:
            self.refuse_stale_save(submitted, stored)
        return cleaned

    def refuse_stale_save(self, submitted: int, stored: int) -> None:
        history = type(self.instance).history.filter(
            **{self.instance._meta.pk.attname: self.instance.pk}
        )
        latest = history.order_by("-history_date", "-history_id").first()
        seen = history.filter(version=submitted).order_by("-history_date").first()
        changed = []
        if latest and seen:
            for change in latest.diff_against(seen).changes:
                if change.field in ("version", "updated"):
                    continue
                field = self.instance._meta.get_field(change.field)
                old = format_value(field, change.old) or "empty"
                new = format_value(field, change.new) or "empty"
                changed.append(f"{field.verbose_name} from “{old}” to “{new}”")
        who = f" by {latest.history_user}" if latest and latest.history_user else ""
        when = (
            f" at {date_format(timezone.localtime(latest.history_date), 'H:i, j F Y')}"
            if latest
            else ""
        )
        message = (
            f"Someone else saved this{who}{when} while you were editing it, so your changes "
            "were not saved. "
            + (f"They changed {'; '.join(changed)}. " if changed else "")
            + "Check the values below: saving again will replace theirs with yours."
        )
        # Let a second, informed save through.
        self.data = self.data.copy()
        self.data[self.add_prefix("edited_version")] = stored
        field = next((name for name in ("status", "name", "title") if name in self.fields), None)
        self.add_error(field, message)
