from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.cache import announce_change

from .models import ChildOutcome, Finding, Intervention, OutcomeEvidence, Study, slices
from .spreadsheet import FIELD_COLUMNS, RowError, read_csv
from .study_spreadsheet import (
    COLUMN_OF_FIELD,
    COLUMNS,
    FINDING_FIELDS,
    STUDY_FIELDS,
    ParsedStudies,
    read_studies_csv,
)

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
    # New interventions asked to be published but left unpublished, with why.
    unpublished: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def constrained_fields(model, excluded: frozenset[str] = frozenset()) -> list[str] | None:
    """The fields a model's constraints read, when each is a check constraint, whose verdict
    then depends on those values alone, or a unique constraint that reads an excluded field
    and so is not checked; None when one may depend on other rows too."""
    fields = set()
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            fields |= Q(constraint.condition).referenced_base_fields
        elif not (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and excluded & set(constraint.fields)
        ):
            return None
    return sorted(fields)


class ModelRules:
    """Check a file's records by the model's own rules, as full_clean does, leaving out the
    fields a row does not set (not_imported), those whose cell could not be read, and
    uniqueness: the file's reader refuses a repeated key, and a stored one is the record
    that the row updates. Errors name the column of each field (columns: field to column,
    where they differ).

    Each check constraint is a query, a millisecond a row for all of them, which would make
    an import three times as slow; so they are asked once for each different set of the
    values they read (the ratings: at most 126 in any file), not once a row."""

    def __init__(
        self,
        model=Intervention,
        not_imported: list[str] = NOT_IMPORTED,
        columns: dict[str, str] | None = None,
    ):
        self.model, self.not_imported, self.columns = model, not_imported, columns or {}
        self.fields = constrained_fields(model, frozenset(not_imported))
        self.verdicts: dict[tuple, dict[str, list[str]]] = {}

    def errors(
        self, record: models.Model, row: int, unread: set[str] = frozenset()
    ) -> list[RowError]:
        """The rules the row's record breaks, by row and column."""
        errors = {}
        try:
            record.full_clean(
                exclude=[*self.not_imported, *unread],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.message_dict
        # As full_clean does: no constraint is checked on a field already in error.
        exclude = {*self.not_imported, *unread, *errors} - {NON_FIELD_ERRORS}
        key = None
        if self.fields is not None:
            # A repr, since a list field's value cannot be a key.
            key = (frozenset(exclude), repr([getattr(record, name) for name in self.fields]))
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.constraint_errors(record, exclude)
            if key is not None:
                self.verdicts[key] = verdict
        return [
            RowError(row, "" if name == NON_FIELD_ERRORS else self.columns.get(name, name), message)
            for found in (errors, verdict)
            for name, messages in found.items()
            for message in messages
        ]

    @staticmethod
    def constraint_errors(record: models.Model, exclude: set[str]) -> dict[str, list[str]]:
        """The constraints the record breaks; one that reads a single field is that
        field's error, so that the message names its column."""
        errors = {}
        using = router.db_for_write(type(record), instance=record)
        for constraint in record._meta.constraints:
            try:
                constraint.validate(type(record), record, exclude=exclude, using=using)
            except ValidationError as error:
                fields = (
                    Q(constraint.condition).referenced_base_fields
                    if isinstance(constraint, models.CheckConstraint)
                    else set(getattr(constraint, "fields", ()))
                )
                name = next(iter(fields)) if len(fields) == 1 else NON_FIELD_ERRORS
                errors.setdefault(name, []).extend(error.messages)
        return errors


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
            if publish and (problem := intervention.publish_problem()):
                # A new intervention has no studies yet: one rated 2 or above waits for them.
                intervention.published = False
                result.unpublished.append(problem)
            if intervention.published:
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


# A study's and a finding's fields the studies CSV does not set, which its rows cannot fail.
STUDY_NOT_IMPORTED = [
    field.name
    for field in Study._meta.concrete_fields
    if field.name not in {"number", *STUDY_FIELDS}
]
FINDING_NOT_IMPORTED = [
    field.name for field in Finding._meta.concrete_fields if field.name not in FINDING_FIELDS
]
# What a finding holds, to tell whether a study's findings change.
FINDING_VALUES = ["outcome_id", *FINDING_FIELDS]


def finding_values(findings: list[Finding]) -> list[tuple]:
    return [tuple(getattr(finding, name) for name in FINDING_VALUES) for finding in findings]


@dataclass
class StudyChange:
    """A study the file creates or changes, and the findings it is to have."""

    study: Study
    findings: list[Finding]
    # Stored and not in the file: the fields it changes, and the findings it had.
    changed: list[str] = field(default_factory=list)
    stored_findings: list[Finding] = field(default_factory=list)


def import_studies(*, data: bytes, dry_run: bool = False, user=None) -> ImportResult:
    """Create or update studies by intervention and number from a CSV file, one row per
    finding, all rows or none; a study in the file gets exactly the file's findings, and
    studies it does not name are left alone.

    Raises CacheUnavailable, writing nothing, when the cache cannot be told of the change."""
    interventions = dict(Intervention.objects.values_list("slug", "pk"))
    outcomes = dict(ChildOutcome.objects.values_list("slug", "pk"))
    parsed = read_studies_csv(data, interventions, outcomes)
    with transaction.atomic():
        if not dry_run:
            # Held until the import commits: an editor saving one of these interventions
            # meanwhile waits, then finds its version raised and is asked to look again.
            for batch in slices(sorted(file_interventions(parsed, interventions))):
                list(Intervention.objects.select_for_update().filter(pk__in=batch).values("pk"))
        result, changes = plan_studies(parsed, interventions, outcomes)
        result.dry_run = dry_run
        if result.errors or dry_run:
            return result
        write_studies(
            changes,
            history={"default_user": user, "default_change_reason": "CSV import"},
            now=timezone.now(),
        )
    return result


def file_interventions(parsed: ParsedStudies, interventions: dict[str, int]) -> set[int]:
    return {
        interventions[study.intervention]
        for study in parsed.studies
        if study.intervention in interventions
    }


def plan_studies(
    parsed: ParsedStudies, interventions: dict[str, int], outcomes: dict[str, int]
) -> tuple[ImportResult, list[StudyChange]]:
    """What the file would create and change, checked by the models' rules: every error,
    by row and column, or the changes to write."""
    errors = list(parsed.errors)
    result = ImportResult()
    stored = {
        (study.intervention_id, study.number): study
        for batch in slices(sorted(file_interventions(parsed, interventions)))
        for study in Study.objects.filter(intervention__in=batch).prefetch_related("findings")
    }
    positions = dict(ChildOutcome.objects.values_list("pk", "position"))
    study_rules = ModelRules(Study, STUDY_NOT_IMPORTED, COLUMN_OF_FIELD)
    finding_rules = ModelRules(Finding, FINDING_NOT_IMPORTED)
    changes = []
    for row in parsed.studies:
        findings = []
        for finding_row in row.findings:
            finding = Finding(outcome_id=outcomes.get(finding_row.outcome), **finding_row.fields)
            errors += finding_rules.errors(finding, finding_row.row, finding_row.bad)
            findings.append(finding)
        # In the order the site lists them, which an export writes: by outcome, then as
        # the file has them.
        findings.sort(key=lambda finding: positions.get(finding.outcome_id, 0))
        intervention = interventions.get(row.intervention)
        study = stored.get((intervention, row.number))
        if study is None:
            study = Study(intervention_id=intervention, **row.fields)
            errors += study_rules.errors(study, row.row, row.bad)
            changes.append(StudyChange(study, findings))
            result.created.append(row.label)
            continue
        changed = [name for name, value in row.fields.items() if getattr(study, name) != value]
        for name in changed:
            setattr(study, name, row.fields[name])
        errors += study_rules.errors(study, row.row, row.bad)
        stored_findings = list(study.findings.all())
        if changed or finding_values(stored_findings) != finding_values(findings):
            changes.append(StudyChange(study, findings, changed, stored_findings))
            result.updated.append(row.label)
        else:
            result.unchanged += 1
    if errors:
        # Every error, in the order of the rows and columns, and nothing that would be done.
        order = {column: position for position, column in enumerate(COLUMNS)}
        errors.sort(key=lambda error: (error.row, order.get(error.column, -1)))
        return ImportResult(errors=errors), []
    return result, changes


def write_studies(changes: list[StudyChange], *, history: dict, now) -> None:
    """Write the planned studies and findings with their history, then the evidence columns
    and version of every intervention they belong to."""
    history = {**history, "default_date": now}
    # Before any row is written: a change the cache cannot be told of is not made.
    announce_change()
    new = [change for change in changes if change.study.pk is None]
    updated = [change for change in changes if change.study.pk is not None]
    created = bulk_create_with_history(
        [change.study for change in new], Study, batch_size=BATCH_SIZE, **history
    )
    for change, study in zip(new, created, strict=True):
        for finding in change.findings:
            finding.study = study

    for change in updated:
        change.study.updated = now
    bulk_update_with_history(
        [change.study for change in updated],
        Study,
        sorted({name for change in updated for name in change.changed}) + ["updated"],
        batch_size=BATCH_SIZE,
        **history,
    )
    to_create, to_update, to_delete = [], [], []
    for change in new:
        to_create += change.findings
    for change in updated:
        # The stored findings take the file's in their order, so that a finding keeps its
        # history while it stays; the rest are added, or deleted, after them.
        stored = sorted(change.stored_findings, key=lambda finding: finding.pk)
        for finding, wanted in zip(stored, change.findings, strict=False):
            if finding_values([finding]) != finding_values([wanted]):
                for name in FINDING_VALUES:
                    setattr(finding, name, getattr(wanted, name))
                to_update.append(finding)
        for finding in change.findings[len(stored) :]:
            finding.study = change.study
            to_create.append(finding)
        to_delete += stored[len(change.findings) :]
    for finding in to_delete:
        # One by one, so that the history records who deleted each and why.
        finding._history_user = history["default_user"]
        finding._change_reason = history["default_change_reason"]
        finding._history_date = now
        finding.delete()
    bulk_update_with_history(
        to_update, Finding, ["outcome", *FINDING_FIELDS], batch_size=BATCH_SIZE, **history
    )
    bulk_create_with_history(to_create, Finding, batch_size=BATCH_SIZE, **history)

    touched = sorted({change.study.intervention_id for change in changes})
    bumped = []
    for batch in slices(touched):
        Intervention.objects.filter(pk__in=batch).refresh_evidence()
        # A form an editor opened before the import is now stale, and is refused.
        for intervention in Intervention.objects.filter(pk__in=batch):
            intervention.version += 1
            intervention.updated = now
            bumped.append(intervention)
    bulk_update_with_history(
        bumped, Intervention, ["version", "updated"], batch_size=BATCH_SIZE, **history
    )
