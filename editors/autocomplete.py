"""The admin's autocomplete fields, safe with values that are not ids.

Django looks up the submitted values of a many-to-many field, and of an autocomplete
widget when a refused form is shown again, as ids. A value that is not an id at all, or
one too large for the database (a tampered or mistyped request), made those lookups fail
with a server error instead of the form's own "Select a valid choice"."""

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections


def is_id(value, field, database: str) -> bool:
    """Whether value could be stored in field: the right type, and in the database's range."""
    try:
        number = field.to_python(value)
    except ValidationError:
        return False
    if not isinstance(number, int):
        return True
    low, high = connections[database].ops.integer_field_range(field.get_internal_type())
    return low <= number <= high


class ValidIdsOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        database = self.db or DEFAULT_DB_ALIAS
        ids = [item for item in value if is_id(item, target, database)]
        return super().optgroups(name, ids, attr)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # Django's own check lets through numbers the database cannot hold.
        for item in value:
            if not is_id(item, self.queryset.model._meta.pk, self.queryset.db):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class AutocompleteSelect(ValidIdsOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(ValidIdsOnly, widgets.AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above, and
    every many-to-many field the checked field."""

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
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
