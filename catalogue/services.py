from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.cache import announce_change

from .models import ChildOutcome, Intervention, OutcomeEvidence, slices
from .spreadsheet import FIELD_COLUMNS, RowError, read_csv

BATCH_SIZE = 1000
# The model's rules are checked on the fields a row sets: the others, which the file cannot
# change, cannot fail it.
NOT_IMPORTED = [
    field.name for field in Intervention._meta.concrete_fields if field.name not in FIELD_COLUMNS
]


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def constrained_fields(model) -> list[str] | None:
    """The fields a model's constraints read, when all are check constraints, whose verdict
    then depends on those values alone; None when one may depend on other rows too."""
    constraints = model._meta.constraints
    if not all(isinstance(constraint, models.CheckConstraint) for constraint in constraints):
        return None
    return sorted(
        set().union(*(Q(constraint.condition).referenced_base_fields for constraint in constraints))
    )


class ModelRules:
    """Check a file's interventions by the model's own rules, as full_clean does, leaving
    out the fields a row does not set and uniqueness: read_csv refuses a repeated slug, and
    a stored one is the intervention that the row updates.

    Each check constraint is a query, a millisecond a row for all of them, which would make
    an import three times as slow; so they are asked once for each different set of the
    values they read (the ratings: at most 126 in any file), not once a row."""

    def __init__(self):
        self.fields = constrained_fields(Intervention)
        self.verdicts: dict[tuple, dict[str, list[str]]] = {}

    def errors(self, intervention: Intervention, row: int) -> list[RowError]:
        """The rules the row's intervention breaks, by row and column (the field's name)."""
        errors = {}
        try:
            intervention.full_clean(
                exclude=NOT_IMPORTED, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.message_dict
        # As full_clean does: no constraint is checked on a field already in error.
        exclude = {*NOT_IMPORTED, *errors} - {NON_FIELD_ERRORS}
        key = None
        if self.fields is not None:
            # A repr, since a list field's value cannot be a key.
            key = (frozenset(exclude), repr([getattr(intervention, name) for name in self.fields]))
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.constraint_errors(intervention, exclude)
            if key is not None:
                self.verdicts[key] = verdict
        return [
            RowError(row, "" if name == NON_FIELD_ERRORS else name, message)
            for found in (errors, verdict)
            for name, messages in found.items()
            for message in messages
        ]

    @staticmethod
    def constraint_errors(intervention: Intervention, exclude: set[str]) -> dict[str, list[str]]:
        try:
            intervention.validate_constraints(exclude=exclude)
        except ValidationError as error:
            return error.message_dict
        return {}


def import_interventions(
    *,
    data: bytes,
    dry_run: bool = False,
    publish: bool = False,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update interventions by slug from a CSV file, all rows or none.

    New interventions start unpublished unless publish is set. An outcome an intervention
    keeps keeps its impact text. Raises CacheUnavailable, writing nothing, when the cache
    cannot be told of the change."""
    outcomes = {outcome.slug: outcome for outcome in ChildOutcome.objects.all()}
    parsed = read_csv(data, set(outcomes))
    result = ImportResult(dry_run=dry_run)
    errors = list(parsed.errors)

    rules = ModelRules()
    existing = {
        intervention.slug: intervention
        for batch in slices([row.fields["slug"] for row in parsed.rows])
        for intervention in Intervention.objects.filter(slug__in=batch).prefetch_related("outcomes")
    }
    now = timezone.now()
    to_create, to_update, outcome_changes = [], [], {}
    for done, row in enumerate(parsed.rows, start=1):
        intervention = existing.get(row.fields["slug"])
        if intervention is None:
            intervention = Intervention(**row.fields, published=publish)
            if publish:
                intervention.first_published = now.date()
            errors += rules.errors(intervention, row.row)
            to_create.append(intervention)
            result.created.append(intervention.slug)
        else:
            changed = [
                name for name, value in row.fields.items() if getattr(intervention, name) != value
            ]
            for name in changed:
                setattr(intervention, name, row.fields[name])
            errors += rules.errors(intervention, row.row)
            current = sorted(outcome.slug for outcome in intervention.outcomes.all())
            if changed or current != sorted(row.outcome_slugs):
                intervention.updated = now
                intervention.version += 1
                to_update.append(intervention)
                result.updated.append(intervention.slug)
            else:
                result.unchanged += 1
                continue
        outcome_changes[intervention.slug] = row.outcome_slugs
        if progress:
            progress(done, len(parsed.rows))

    if errors:
        # Every error, in the order of the rows, and nothing that would have been done.
        return ImportResult(errors=sorted(errors, key=lambda error: error.row), dry_run=dry_run)
    if dry_run:
        return result
    history = {"default_user": user, "default_change_reason": "CSV import", "default_date": now}
    with transaction.atomic():
        # Before any row is written: a change the cache cannot be told of is not made.
        announce_change()
        bulk_create_with_history(to_create, Intervention, batch_size=BATCH_SIZE, **history)
        bulk_update_with_history(
            to_update,
            Intervention,
            [*(name for name in FIELD_COLUMNS if name != "slug"), "updated", "version"],
            batch_size=BATCH_SIZE,
            **history,
        )
        replace_outcomes(outcome_changes, outcomes, history)
    return result


def replace_outcomes(
    wanted: dict[str, list[str]], outcomes: dict[str, ChildOutcome], history: dict
) -> None:
    """Give each intervention (by slug) exactly the outcomes listed, keeping kept links."""
    ids = {
        slug: pk
        for batch in slices(list(wanted))
        for slug, pk in Intervention.objects.filter(slug__in=batch).values_list("slug", "pk")
    }
    have = {
        (intervention, tag): pk
        for batch in slices(list(ids.values()))
        for pk, intervention, tag in OutcomeEvidence.objects.filter(
            content_object_id__in=batch
        ).values_list("pk", "content_object_id", "tag_id")
    }
    want = {
        (ids[slug], outcomes[outcome].pk) for slug, slugs in wanted.items() for outcome in slugs
    }
    for batch in slices([pk for key, pk in have.items() if key not in want]):
        OutcomeEvidence.objects.filter(pk__in=batch).delete()
    bulk_create_with_history(
        [OutcomeEvidence(content_object_id=pk, tag_id=tag) for pk, tag in want - have.keys()],
        OutcomeEvidence,
        batch_size=BATCH_SIZE,
        **history,
    )
