"""A date known only to the month ("April 2023"), stored as the first day of that month."""

import datetime
import operator
from functools import reduce

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast
from django.db.models.lookups import Contains, GreaterThan
from django.utils.text import capfirst


class MonthInput(forms.DateInput):
    """The browser's month picker; browsers without one show a text box that takes "April 2023"."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthFormField(forms.DateField):
    widget = MonthInput
    input_formats = ["%Y-%m", "%B %Y", "%b %Y", "%m/%Y", "%Y-%m-%d"]
    default_error_messages = {
        "invalid": "Enter a month and year, such as 2023-04 or April 2023.",
    }

    def to_python(self, value) -> datetime.date | None:
        date = super().to_python(value)
        return date.replace(day=1) if date else date


class MonthField(models.DateField):
    def to_python(self, value) -> datetime.date | None:
        date = super().to_python(value)
        return date.replace(day=1) if date else date

    def pre_save(self, model_instance, add):
        date = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, date)
        return date

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MonthFormField, **kwargs})


class MultipleChoiceField(models.JSONField):
    """A list of codes from a fixed set of choices ("0-2", "3-5"), edited as check boxes.

    A JSON list keeps the catalogue's several-valued characteristics on one row, the
    same on SQLite and PostgreSQL."""

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {code for code, _ in self.item_choices}
        unknown = [item for item in value or [] if item not in allowed]
        if unknown:
            raise ValidationError(f"Unknown value: {', '.join(map(str, unknown))}.")

    def pre_save(self, model_instance, add):
        """Store the codes once each, in the order of the choices, however they were
        given: a list that means the same is then stored, compared and exported alike."""
        value = getattr(model_instance, self.attname)
        if isinstance(value, list):
            order = {code: position for position, (code, _) in enumerate(self.item_choices)}
            value = sorted(set(value), key=lambda code: (order.get(code, len(order)), str(code)))
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.item_choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )

    def display(self, value: list[str]) -> list[str]:
        """The labels of the stored codes, in the order of the choices."""
        labels = dict(self.item_choices)
        return [labels[code] for code in labels if code in (value or [])]


def choice_bits(field: str, item_choices) -> models.Expression:
    """An integer whose bit i is set when the list field holds the i-th choice's code, for
    a generated column beside the list. Testing a list then costs one AND of integers
    rather than a text match on its JSON for each code, which a scan that counts every
    option of several lists on every row (the guidebook's facets) would make by the dozen.

    The JSON is matched as text ('["0-2", "3-5"]'), which SQLite and PostgreSQL store
    alike, with each code's quotes, so that "0-2" never matches inside another code."""
    as_text = Cast(field, models.TextField())
    return reduce(
        operator.add,
        [
            Case(When(Contains(as_text, f'"{code}"'), then=Value(1 << position)), default=Value(0))
            for position, (code, _) in enumerate(item_choices)
        ],
    )


def holds_any(field: str, item_choices, codes) -> Q:
    """The list field (with its choice_bits column, "<field>_bits") holds any of the codes."""
    wanted = set(codes)
    mask = sum(1 << position for position, (code, _) in enumerate(item_choices) if code in wanted)
    return Q(GreaterThan(F(f"{field}_bits").bitand(mask), 0))
