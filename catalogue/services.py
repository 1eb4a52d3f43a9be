from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.cache import announce_change

from .models import ChildOutcome, Intervention, OutcomeEvidence
from .spreadsheet import LIST_COLUMNS, RowError, read_csv

BATCH_SIZE = 1000
# SQLite allows some 32,000 parameters in one statement; look rows up in slices below that.
LOOKUP_SLICE = 10_000


def slices(items: list, size: int = LOOKUP_SLICE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    result = ImportResult(errors=parsed.errors, dry_run=dry_run)
    if parsed.errors:
        return result

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
            to_create.append(intervention)
            result.created.append(intervention.slug)
        else:
            changed = [
                name for name, value in row.fields.items() if getattr(intervention, name) != value
            ]
            for name in changed:
                setattr(intervention, name, row.fields[name])
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
            [
                "name",
                "summary",
                "provider",
                "website",
                "country",
                "evidence_rating",
                "mixed_findings",
                "cost_rating",
                *LIST_COLUMNS,
                "updated",
                "version",
            ],
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
