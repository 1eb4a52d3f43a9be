"""A date known only to the month ("April 2023"), stored as the first day of that month."""

import datetime

from django import forms
from django.db import models


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
