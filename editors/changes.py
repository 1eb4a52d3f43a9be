"""What changed in a record, field by field, read from its history: the public change
log and the message an editor sees when someone else saved first."""

import datetime
from dataclasses import dataclass
from itertools import pairwise

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from core.fields import MonthField

# The history rows read for one change log; older changes are rarely of interest.
HISTORY_LIMIT = 200


def format_value(field: models.Field, value) -> str:
    """A stored value as the public reads it: a choice's label, "April 2023"."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, MonthField):
        return date_format(value, "F Y")
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return date_format(value, "j F Y")
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    return str(value)


@dataclass
class Change:
    label: str
    old: str
    new: str
    date: datetime.date
    is_date: bool = False
    # A change said in a sentence of its own rather than field by field.
    said: str = ""

    @property
    def sentence(self) -> str:
        """ "Estimated completion moved from April 2023 to June 2023"."""
        if self.said:
            return self.said
        if not self.old:
            return f"{self.label} set to {self.new}"
        if not self.new:
            return f"{self.label} ({self.old}) removed"
        verb = "moved" if self.is_date else "changed"
        return f"{self.label} {verb} from {self.old} to {self.new}"


def public_changes(record: models.Model, fields: list[str], limit: int = 10) -> list[Change]:
    """The latest changes to the named fields of record, newest first, from its history."""
    history = list(
        record.history.order_by("-history_date", "-history_id").only(
            "history_date", "history_id", *fields
        )[:HISTORY_LIMIT]
    )
    found = []
    for newer, older in pairwise(history):
        for name in fields:
            field = record._meta.get_field(name)
            old, new = getattr(older, name), getattr(newer, name)
            if old != new:
                found.append(
                    Change(
                        label=field.verbose_name[:1].upper() + field.verbose_name[1:],
                        old=format_value(field, old),
                        new=format_value(field, new),
                        # The day in the site's time zone, not in UTC as stored.
                        date=timezone.localdate(newer.history_date),
                        is_date=isinstance(field, models.DateField),
                    )
                )
    return found[:limit]


CORRECTED = "Corrected after a reader's report"


def with_corrections(changes: list[Change], days, limit: int = 10) -> list[Change]:
    """changes, and the days on which a reader's report led to a correction, newest
    first. Who wrote in is never said."""
    notes = [Change(label="", old="", new="", date=day, said=CORRECTED) for day in days]
    return sorted(changes + notes, key=lambda change: change.date, reverse=True)[:limit]
