"""The ratings held by the database itself, since bulk writes skip the forms: an evidence or
cost rating from its scale or none, and the mixed-findings star only on a level. Editors
still read a sentence, in the admin and in the import, never an integrity error."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import (
    COST_RATING_MESSAGE,
    EVIDENCE_RATING_MESSAGE,
    STAR_NEEDS_LEVEL_MESSAGE,
    Intervention,
)
from catalogue.services import import_interventions
from ratings.scales import CostRating, EvidenceRating
from tests.catalogue.test_import_interventions import HEADER
from tests.support.admin_pages import error_messages, open_form

BAD_VALUES = {
    "evidence rating off the scale": (
        {"evidence_rating": 7},
        "intervention_evidence_rating_known",
    ),
    "evidence rating below the scale": (
        {"evidence_rating": 0},
        "intervention_evidence_rating_known",
    ),
    "cost rating off the scale": ({"cost_rating": 7}, "intervention_cost_rating_known"),
    "cost rating of nought": ({"cost_rating": 0}, "intervention_cost_rating_known"),
    "star on NL2": (
        {"evidence_rating": EvidenceRating.BELOW_LEVEL_2, "mixed_findings": True},
        "intervention_star_needs_level",
    ),
    "star on NE": (
        {"evidence_rating": EvidenceRating.NOT_EFFECTIVE, "mixed_findings": True},
        "intervention_star_needs_level",
    ),
    "star without a rating": (
        {"evidence_rating": None, "mixed_findings": True},
        "intervention_star_needs_level",
    ),
}


@pytest.mark.parametrize(("values", "constraint"), BAD_VALUES.values(), ids=BAD_VALUES)
def test_the_database_refuses_an_update_that_breaks_a_rating_rule(
    intervention_factory, values, constraint
):
    intervention = intervention_factory()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Intervention.objects.filter(pk=intervention.pk).update(**values)
    # Both SQLite and PostgreSQL name the constraint that refused it.
    assert constraint in str(error.value)
    stored = Intervention.objects.values("evidence_rating", "cost_rating", "mixed_findings")
    assert stored.get(pk=intervention.pk) == {
        "evidence_rating": EvidenceRating.LEVEL_3,
        "cost_rating": CostRating.MEDIUM,
        "mixed_findings": False,
    }


@pytest.mark.parametrize(("values", "constraint"), BAD_VALUES.values(), ids=BAD_VALUES)
def test_the_database_refuses_a_bulk_create_that_breaks_a_rating_rule(
    intervention_factory, values, constraint
):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Intervention.objects.bulk_create([intervention_factory.build(**values)])
    assert constraint in str(error.value)
    assert not Intervention.objects.exists()


def test_the_database_takes_every_rating_on_the_scales_and_none(intervention_factory):
    intervention = intervention_factory()
    rows = Intervention.objects.filter(pk=intervention.pk)
    for evidence in [None, *EvidenceRating]:
        for cost in [None, *CostRating]:
            rows.update(evidence_rating=evidence, cost_rating=cost, mixed_findings=False)
    for level in EvidenceRating.levels():
        rows.update(evidence_rating=level, mixed_findings=True)
    assert rows.get().rating_display == "4+*"


def test_the_allowed_values_are_read_from_the_scales():
    conditions = {
        constraint.name: constraint.condition for constraint in Intervention._meta.constraints
    }
    assert conditions["intervention_evidence_rating_known"] == Q(evidence_rating__isnull=True) | Q(
        evidence_rating__in=EvidenceRating.values
    )
    assert conditions["intervention_cost_rating_known"] == Q(cost_rating__isnull=True) | Q(
        cost_rating__in=CostRating.values
    )
    assert all(
        isinstance(constraint, models.CheckConstraint) and constraint.violation_error_message
        for constraint in Intervention._meta.constraints
    )


def test_the_messages_name_the_scales_in_editors_words():
    assert EVIDENCE_RATING_MESSAGE == (
        "The evidence rating must be one of 2, 2+, 3, 3+, 4, 4+, NL2 or NE, or empty while "
        "the intervention is not yet rated."
    )
    assert COST_RATING_MESSAGE == (
        "The cost rating must be one of 1, 2, 3, 4, 5 or NA, or empty while the cost is not "
        "yet rated."
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"evidence_rating": 7}, EVIDENCE_RATING_MESSAGE),
        ({"cost_rating": 7}, COST_RATING_MESSAGE),
        ({"evidence_rating": EvidenceRating.BELOW_LEVEL_2, "mixed_findings": True}, None),
        ({"evidence_rating": None, "mixed_findings": True}, None),
    ],
)
def test_model_validation_explains_each_constraint(intervention_factory, values, message):
    intervention = intervention_factory.build(**values)
    with pytest.raises(ValidationError) as error:
        intervention.validate_constraints()
    assert error.value.messages == [message or STAR_NEEDS_LEVEL_MESSAGE]


def admin_save(editor, intervention: Intervention, **changes: str):
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    data = open_form(editor, url, "intervention_form")
    if changes.pop("mixed_findings", None) == "on":
        data["mixed_findings"] = "on"
    return editor.post(url, {**data, **changes, "_save": "Save"})


@pytest.mark.parametrize(
    "evidence", [str(EvidenceRating.BELOW_LEVEL_2.value), str(EvidenceRating.NOT_EFFECTIVE), ""]
)
def test_the_admin_refuses_the_star_without_a_level_with_the_sentence_once(
    intervention_factory, editor, evidence
):
    intervention = intervention_factory()
    response = admin_save(editor, intervention, evidence_rating=evidence, mixed_findings="on")
    assert response.status_code == 200
    assert error_messages(response) == [STAR_NEEDS_LEVEL_MESSAGE]
    intervention.refresh_from_db()
    assert (intervention.evidence_rating, intervention.mixed_findings) == (30, False)


def test_the_admin_saves_the_star_on_a_level(intervention_factory, editor):
    intervention = intervention_factory()
    response = admin_save(editor, intervention, evidence_rating="20", mixed_findings="on")
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.rating_display == "2*"


@pytest.mark.parametrize("field", ["evidence_rating", "cost_rating"])
def test_the_admin_refuses_a_rating_off_the_scale_beside_the_field(
    intervention_factory, editor, field
):
    intervention = intervention_factory()
    response = admin_save(editor, intervention, **{field: "7"})
    assert response.status_code == 200
    assert error_messages(response) == [
        "Select a valid choice. 7 is not one of the available choices."
    ]


@pytest.fixture
def school(child_outcome_factory):
    return child_outcome_factory(name="School", slug="school")


def csv_bytes(*lines: str) -> bytes:
    return "\r\n".join([HEADER, *lines, ""]).encode()


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            "Bad,bad,A programme.,NL2,true,2,school",
            "row 2, column mixed_findings: only a rating of 2 to 4+ can have mixed findings",
        ),
        (
            "Bad,bad,A programme.,,yes,2,school",
            "row 2, column mixed_findings: only a rating of 2 to 4+ can have mixed findings",
        ),
        (
            "Bad,bad,A programme.,7,false,2,school",
            "row 2, column evidence_rating: “7” is not an evidence rating (2, 2+, 3, 3+, 4, "
            "4+, NL2, NE or empty)",
        ),
        (
            "Bad,bad,A programme.,3,false,7,school",
            "row 2, column cost_rating: “7” is not a cost rating (1 to 5, NA or empty)",
        ),
    ],
)
def test_the_import_refuses_a_rating_rule_with_its_own_sentence(school, line, error):
    result = import_interventions(data=csv_bytes(line))
    assert [str(found) for found in result.errors] == [error]
    assert not Intervention.objects.exists()


DEAR_NEEDS_EVIDENCE = models.CheckConstraint(
    condition=~Q(cost_rating=CostRating.HIGH) | Q(evidence_rating__gte=EvidenceRating.LEVEL_3),
    name="test_dear_needs_evidence",
    violation_error_message="A high cost needs evidence of level 3 or more.",
)


def test_a_model_rule_the_parsing_does_not_know_is_a_row_error(school, monkeypatch):
    # A rule added to the model alone reaches the import: it cannot drift from the model's.
    monkeypatch.setattr(
        Intervention._meta, "constraints", [*Intervention._meta.constraints, DEAR_NEEDS_EVIDENCE]
    )

    def clean(intervention):
        if "!" in intervention.summary:
            raise ValidationError({"summary": "Write the summary without exclamation marks."})

    monkeypatch.setattr(Intervention, "clean", clean)
    data = csv_bytes(
        "Dear,dear,A programme.,2,false,5,school",
        "Fine,fine,A programme.,3,false,5,school",
        "Loud,loud,A programme!,3,false,1,school",
        "Dear again,dear-again,A programme.,2,false,5,school",
    )
    result = import_interventions(data=data, dry_run=True)
    assert [str(error) for error in result.errors] == [
        "row 2: A high cost needs evidence of level 3 or more.",
        "row 4, column summary: Write the summary without exclamation marks.",
        "row 5: A high cost needs evidence of level 3 or more.",
    ]
    assert (result.created, result.updated) == ([], [])


def test_a_model_rule_is_checked_on_rows_that_update_too(school, intervention_factory, monkeypatch):
    intervention_factory(name="Stored", slug="stored", evidence_rating=20, cost_rating=1)
    monkeypatch.setattr(
        Intervention._meta, "constraints", [*Intervention._meta.constraints, DEAR_NEEDS_EVIDENCE]
    )
    result = import_interventions(data=csv_bytes("Stored,stored,Dearer now.,2,false,5,school"))
    assert [str(error) for error in result.errors] == [
        "row 2: A high cost needs evidence of level 3 or more."
    ]
    assert Intervention.objects.get().cost_rating == CostRating.LOW


def test_a_parsing_error_and_a_model_error_are_listed_together_by_row(school, monkeypatch):
    monkeypatch.setattr(
        Intervention._meta, "constraints", [*Intervention._meta.constraints, DEAR_NEEDS_EVIDENCE]
    )
    data = csv_bytes(
        "Dear,dear,A programme.,2,false,5,school",
        "Bad,bad,A programme.,3,false,1,no-such",
    )
    assert [str(error) for error in import_interventions(data=data).errors] == [
        "row 2: A high cost needs evidence of level 3 or more.",
        "row 3, column outcomes: unknown outcome: no-such",
    ]


def import_queries(rows: int) -> int:
    lines = [
        f"Programme {number},programme-{number},A programme.,{'3' if number % 2 else '4+'},"
        "false,2,school"
        for number in range(rows)
    ]
    with CaptureQueriesContext(connection) as queries:
        assert import_interventions(data=csv_bytes(*lines), dry_run=True).ok
    return len(queries)


def test_the_constraints_are_asked_once_for_each_set_of_ratings_not_once_a_row(school):
    # The outcomes, the stored interventions, and each constraint for each of the two sets
    # of ratings: a query, in a savepoint inside the test's transaction.
    few, many = import_queries(2), import_queries(300)
    assert few == many
    checks = 2 * len(Intervention._meta.constraints)
    assert many == 2 + 3 * checks


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_a_star_on_an_unrated_intervention_before_refusing_it():
    before = [("catalogue", "0009_sort_indexes_cover_ratings")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("catalogue", "Intervention")
    for slug, rating, star in [("unrated", None, True), ("rated", 30, True), ("plain", 5, False)]:
        old.objects.create(
            name=slug,
            slug=slug,
            summary="A programme.",
            evidence_rating=rating,
            mixed_findings=star,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Intervention.objects.values_list("slug", "mixed_findings")) == {
        "unrated": False,
        "rated": True,
        "plain": False,
    }
