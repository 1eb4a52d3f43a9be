"""Requests generated from the API's own OpenAPI document, sent to every operation: each
answer is one the document describes (its status, its content type, a body of its schema)
and none is a server error, whatever the parameters and whichever records they name."""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from catalogue.models import (
    ChildOutcome,
    Direction,
    Finding,
    Intervention,
    ReviewItem,
    ReviewStage,
    ReviewStageEntry,
    Study,
    StudyDesign,
    StudyLevel,
)
from config.wsgi import application
from projects.models import Organisation, Project, Status
from ratings.scales import CostRating, EvidenceRating
from tests.support import factories

# The same requests on every run, so that a failure in CI can be replayed; few enough a
# operation that the whole run stays short on either database.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261203,
        "generation": {"deterministic": True, "database": "none", "max-examples": 25},
        # Each operation on its own: the API has no operation whose answer feeds another.
        "phases": {"stateful": {"enabled": False}},
    }
)


@pytest.fixture(scope="module")
def records(django_db_setup, django_db_blocker):
    """Published and draft records of every kind, each linked as an editor would link them,
    made once for the module in a transaction rolled back after its tests (as the shared
    guidebook is)."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_records()
        yield
        transaction.set_rollback(True)


def make_records():
    call_command("loaddata", "seed", verbosity=0)
    reading, behaviour = factories.ChildOutcomeFactory.create_batch(2)
    rated = factories.InterventionFactory(
        outcomes=[(reading, "Improved reading"), behaviour],
        unit_cost=Decimal("812.50"),
        first_published=datetime.date(2024, 3, 1),
        last_reviewed=datetime.date(2026, 1, 15),
    )
    counting = factories.StudyFactory(intervention=rated, registry_ids="ISRCTN12345678")
    factories.StudyFactory(
        intervention=rated,
        design=StudyDesign.QED,
        level=StudyLevel.LEVEL_2,
        counts_towards_rating=False,
        year=None,
        sample_intervention=None,
        sample_comparison=None,
        country="United States",
    )
    factories.FindingFactory(
        study=counting, outcome=reading, effect_size=Decimal("0.31"), improvement_index=12
    )
    factories.FindingFactory(
        study=counting, outcome=behaviour, direction=Direction.NO_EFFECT, months_after_end=None
    )
    factories.ExternalRatingFactory(intervention=rated)
    # A change to its rating, for its public change log.
    rated.cost_rating = CostRating.LOW
    rated.save()
    unrated = factories.InterventionFactory(evidence_rating=None, cost_rating=None)
    draft = factories.InterventionFactory(published=False, evidence_rating=EvidenceRating.LEVEL_4)
    factories.FindingFactory(study__intervention=draft, outcome=reading)

    delivery, evaluation = factories.OrganisationFactory.create_batch(2)
    completed = factories.ProjectFactory(
        status=Status.COMPLETED,
        topics=["Early help"],
        delivery_partners=[delivery],
        evaluation_partners=[evaluation],
        interventions=[rated, draft],
        due_date=datetime.date(2024, 9, 30),
    )
    factories.ResearchQuestionFactory(project=completed)
    factories.DocumentFactory(project=completed)
    factories.DocumentFactory(project=completed, without_file=True)
    factories.ProjectFactory(
        related_projects=[completed], delivery_partners=[delivery], interventions=[unrated]
    )
    factories.ProjectFactory(published=False, delivery_partners=[factories.OrganisationFactory()])

    reviewed = factories.ReviewItemFactory(intervention=rated, public_note="Awaiting a trial.")
    for stage, day in [(ReviewStage.SUGGESTED, 1), (ReviewStage.SCREENING, 20)]:
        ReviewStageEntry.objects.create(
            item=reviewed, stage=stage, entered_on=datetime.date(2026, 5, day), note="Noted."
        )
    factories.ReviewItemFactory(intervention=draft, expected_year=None, expected_quarter=None)
    factories.ReviewItemFactory(published=False)


@pytest.fixture(autouse=True)
def connections_kept_open():
    """Keep the test's database connection, and its transaction, open across requests to
    the application, as Django's test client does: at the end of each request Django
    otherwise closes the connection (PostgreSQL's; SQLite's in memory it keeps)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.mark.django_db
@schema.parametrize()
def test_every_answer_is_one_the_document_describes(case, records):
    # Every check but the one that wants a 2xx for any value the schema allows: a slug or
    # a cursor is a string there, and one that names nothing is the documented 400.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


# Each list, with the records it may list, published or not.
RECORDS = {
    "interventions": Intervention,
    "studies": Study,
    "findings": Finding,
    "outcomes": ChildOutcome,
    "projects": Project,
    "organisations": Organisation,
    "review-items": ReviewItem,
}


@pytest.mark.parametrize("name", RECORDS)
def test_every_record_published_or_draft_answers_as_documented(records, db, name):
    """Generated ids seldom name a record: each one there is, asked for by its id, is the
    documented 200 if its list shows it and the documented 404 if not."""
    page = schema[f"/api/v1/{name}/"]["GET"].Case(query={"page_size": 100}).call_and_validate()
    assert page.json()["next"] is None
    listed = {record["id"] for record in page.json()["results"]}
    paths = [f"/api/v1/{name}/{{id}}/"]
    if name == "interventions":
        paths.append("/api/v1/interventions/{id}/history/")
    stored = RECORDS[name].objects.values_list("pk", flat=True)
    assert listed and set(stored) >= listed
    # Every kind but the child outcomes, which are all public, has drafts to ask for.
    assert name == "outcomes" or set(stored) - listed
    for pk in stored:
        for path in paths:
            response = schema[path]["GET"].Case(path_parameters={"id": pk}).call_and_validate()
            assert response.status_code == (200 if pk in listed else 404), (path, pk)


def searchable() -> list[str]:
    """The lists the document says take a text search."""
    return [
        operation.path
        for result in schema.get_all_operations()
        for operation in [result.ok()]
        if any(parameter.name == "q" for parameter in operation.query)
    ]


@pytest.mark.parametrize("path", searchable())
def test_a_search_over_the_limit_is_the_documented_429(records, db, settings, path):
    settings.SEARCHES_PER_MINUTE = 1
    operation = schema[path]["GET"]
    assert operation.Case(query={"q": "reading"}).call_and_validate().status_code == 200
    refused = operation.Case(query={"q": "trial"}).call_and_validate()
    assert refused.status_code == 429
    assert "Too many text searches" in refused.json()["detail"]


def list_parameters() -> list[tuple[str, str]]:
    """Each list's query parameters, as the document describes them, that it says may be
    left empty."""
    return [
        (operation.path, parameter.name)
        for result in schema.get_all_operations()
        for operation in [result.ok()]
        for parameter in operation.query
        if parameter.definition.get("allowEmptyValue")
    ]


@pytest.mark.parametrize(("path", "name"), list_parameters())
def test_a_parameter_left_empty_is_as_if_left_out(records, visitor, path, name):
    without = visitor.get(path)
    empty = visitor.get(f"{path}?{name}=")
    assert empty.status_code == 200, empty.content
    assert empty.json()["results"] == without.json()["results"]
