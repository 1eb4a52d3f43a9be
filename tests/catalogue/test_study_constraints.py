"""The rules on studies and findings held by the database itself, since bulk writes (seed_demo,
a script) skip the forms and the import: a study's number used once on its intervention and
counted from 1, its design and level from their vocabularies, no negative sample, and a
finding's outcome, direction and improvement index as the vocabularies allow."""

import re

import pytest
from django.db import IntegrityError, connection, models, transaction

from catalogue.models import Finding, Study
from tests.support import factories


@pytest.fixture
def study(db) -> Study:
    """Study 2 of an intervention whose study 1 exists too."""
    intervention = factories.InterventionFactory()
    factories.StudyFactory(intervention=intervention, number=1)
    return factories.StudyFactory(intervention=intervention, number=2)


@pytest.fixture
def finding(study) -> Finding:
    return factories.FindingFactory(study=study)


def refused_by(error: IntegrityError, *names: str) -> bool:
    """Whether the database's message names one of the constraints or columns."""
    return any(name in str(error) for name in names)


# SQLite names the columns of a unique constraint, not the constraint.
NUMBER_UNIQUE = ("study_number_unique", "catalogue_study.intervention_id, catalogue_study.number")
# A PositiveIntegerField has a check of its own on the column besides the model's rule, and
# both databases report that one: the test below shows the rule is there too.
SAMPLE_NOT_NEGATIVE = ("study_sample_not_negative", "sample_intervention", "sample_comparison")

BAD_STUDIES = {
    "number used by study 1": ({"number": 1}, NUMBER_UNIQUE),
    "number 0": ({"number": 0}, ("study_number_positive",)),
    "unknown design": ({"design": "meta-analysis"}, ("study_design_known",)),
    "empty design": ({"design": ""}, ("study_design_known",)),
    "level 5": ({"level": 5}, ("study_level_known",)),
    "level 0": ({"level": 0}, ("study_level_known",)),
    "negative intervention group": ({"sample_intervention": -1}, SAMPLE_NOT_NEGATIVE),
    "negative comparison group": ({"sample_comparison": -1}, SAMPLE_NOT_NEGATIVE),
}


@pytest.mark.parametrize(("values", "names"), BAD_STUDIES.values(), ids=BAD_STUDIES)
def test_the_database_refuses_an_update_that_breaks_a_study_rule(study, values, names):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Study.objects.filter(pk=study.pk).update(**values)
    assert refused_by(error.value, *names), error.value
    stored = Study.objects.values("number", "design", "level", "sample_intervention")
    assert stored.get(pk=study.pk) == {
        "number": 2,
        "design": "rct",
        "level": 3,
        "sample_intervention": 120,
    }


@pytest.mark.parametrize(("values", "names"), BAD_STUDIES.values(), ids=BAD_STUDIES)
def test_the_database_refuses_a_bulk_create_that_breaks_a_study_rule(study, values, names):
    values = {"number": 3, **values}
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Study.objects.bulk_create(
            [factories.StudyFactory.build(intervention=study.intervention, **values)]
        )
    assert refused_by(error.value, *names), error.value
    assert list(study.intervention.studies.values_list("number", flat=True)) == [1, 2]


def test_the_same_number_on_another_intervention_is_taken(study):
    other = factories.InterventionFactory()
    Study.objects.bulk_create([factories.StudyFactory.build(intervention=other, number=2)])
    assert Study.objects.filter(number=2).count() == 2


def test_the_database_takes_every_design_level_and_an_unknown_sample(study):
    rows = Study.objects.filter(pk=study.pk)
    for design in Study._meta.get_field("design").choices:
        for level in Study._meta.get_field("level").choices:
            rows.update(design=design[0], level=level[0])
    rows.update(sample_intervention=None, sample_comparison=0)
    assert rows.values_list("design", "level", "sample_intervention").get() == ("other", 4, None)


BAD_FINDINGS = {
    "unknown direction": ({"direction": "positive"}, "finding_direction_known"),
    "empty direction": ({"direction": ""}, "finding_direction_known"),
    "improvement index above 50": ({"improvement_index": 51}, "finding_improvement_index_range"),
    "improvement index below -50": (
        {"improvement_index": -51},
        "finding_improvement_index_range",
    ),
}


@pytest.mark.parametrize(("values", "name"), BAD_FINDINGS.values(), ids=BAD_FINDINGS)
def test_the_database_refuses_an_update_that_breaks_a_finding_rule(finding, values, name):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(**values)
    assert refused_by(error.value, name), error.value
    assert Finding.objects.values_list("direction", "improvement_index").get() == (
        "favourable",
        None,
    )


@pytest.mark.parametrize(("values", "name"), BAD_FINDINGS.values(), ids=BAD_FINDINGS)
def test_the_database_refuses_a_bulk_create_that_breaks_a_finding_rule(finding, values, name):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Finding.objects.bulk_create(
            [factories.FindingFactory.build(study=finding.study, outcome=finding.outcome, **values)]
        )
    assert refused_by(error.value, name), error.value
    assert Finding.objects.count() == 1


def test_the_database_takes_an_improvement_index_at_either_end(finding):
    rows = Finding.objects.filter(pk=finding.pk)
    for index in (-50, 50):
        rows.update(improvement_index=index)
    rows.update(direction="unfavourable", improvement_index=None)
    assert rows.values_list("direction", "improvement_index").get() == ("unfavourable", None)


def test_the_database_refuses_a_finding_without_an_outcome(finding):
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(outcome=None)
    assert Finding.objects.get().outcome == finding.outcome


def test_the_database_refuses_a_finding_on_an_outcome_that_does_not_exist(finding):
    # Foreign keys are checked when the transaction commits, on both databases: ask now.
    missing = finding.outcome_id + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(outcome_id=missing)
        connection.check_constraints(table_names=[Finding._meta.db_table])
    assert Finding.objects.get().outcome == finding.outcome


def stored_constraints(table: str) -> dict[str, str]:
    """The named constraints on a table as the database holds them, each "check" or "unique"."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's introspection cannot parse this table's checks on SQLite: read its SQL.
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            found = re.findall(r'CONSTRAINT "(\w+)" (CHECK|UNIQUE)', cursor.fetchone()[0])
            return {name: kind.lower() for name, kind in found}
        stored = connection.introspection.get_constraints(cursor, table)
    return {
        name: "check" if details["check"] else "unique"
        for name, details in stored.items()
        if details["check"] or details["unique"]
    }


RULES = {
    Study: {
        "study_number_unique": "unique",
        "study_number_positive": "check",
        "study_design_known": "check",
        "study_level_known": "check",
        "study_sample_not_negative": "check",
    },
    Finding: {"finding_direction_known": "check", "finding_improvement_index_range": "check"},
}


@pytest.mark.parametrize("model", RULES)
def test_every_rule_is_declared_on_the_model_and_held_by_the_database(db, model):
    """study_sample_not_negative among them, which no write above can reach past the columns'
    own checks."""
    declared = {
        constraint.name: "unique" if isinstance(constraint, models.UniqueConstraint) else "check"
        for constraint in model._meta.constraints
    }
    assert declared == RULES[model]
    stored = stored_constraints(model._meta.db_table)
    assert {name: stored.get(name) for name in declared} == declared
