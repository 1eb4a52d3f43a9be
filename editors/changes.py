"""What changed in a record, field by field, read from its history: the public change
log and the message an editor sees when someone else saved first."""

import datetime
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from core.fields import MonthField
from core.folding import folded, folded_rows, unfolded

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


def public_changes(
    record: models.Model, fields: list[str], limit: int = 10, history: list | None = None
) -> list[Change]:
    """The latest changes to the named fields of record, newest first, from its history:
    the rows given, newest first, or else the rows read for it."""
    if history is None:
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


@cache
def history_model(model: type[models.Model]) -> type[models.Model]:
    """model's history model: simple_history builds a manager class on every access to
    `model.history`, which a page should not pay for."""
    return model.history.model


def change_log(record: models.Model, fields: list[str]) -> list[Change]:
    """The public change log of record: changes to the named fields and corrections after
    readers' reports, newest first; from the rows its query folded in (with_change_log()),
    or else read for it."""
    if not hasattr(record, "folded_history"):
        return with_corrections(
            public_changes(record, fields), record.corrections.correction_days()
        )
    history = unfolded(history_model(type(record)), folded(record.folded_history))
    history.sort(key=lambda row: (row.history_date, row.history_id), reverse=True)
    days = {row["corrected_on"] for row in folded(record.folded_corrections)}
    days = sorted((datetime.date.fromisoformat(day) for day in days), reverse=True)
    return with_corrections(public_changes(record, fields, history=history), days)


def with_change_log(model: type[models.Model], fields: list[str]) -> dict[str, Subquery]:
    """Annotations that fold into a query of model what change_log() reads of each record:
    its latest history rows, with the named fields, and the days of its corrections."""
    history = history_model(model)
    latest = history.objects.filter(id=OuterRef(OuterRef("pk"))).order_by(
        "-history_date", "-history_id"
    )
    kept = {name: name for name in ("history_id", "history_date", *fields)}
    corrections = model._meta.get_field("corrections")
    return {
        "folded_history": folded_rows(
            history.objects.filter(history_id__in=latest.values("history_id")[:HISTORY_LIMIT]),
            "id",
            kept,
        ),
        "folded_corrections": folded_rows(
            corrections.related_model.objects.corrections(),
            corrections.field.name,
            {"corrected_on": "corrected_on"},
        ),
    }
