"""The admin's autocomplete widgets, safe with values that are not ids.

When a refused form is shown again, Django's autocomplete widgets look up the submitted
values as ids; a value that is not an id at all (a tampered or mistyped request) made that
lookup fail with a server error instead of the form's own "Select a valid choice"."""

from django.contrib.admin import widgets
from django.core.exceptions import ValidationError


class ValidIdsOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        ids = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            ids.append(item)
        return super().optgroups(name, ids, attr)


class AutocompleteSelect(ValidIdsOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(ValidIdsOnly, widgets.AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
