"""What every list and record of the API shares: errors as JSON naming what is wrong, every
page of a list reached through `next` once each, a fixed number of queries however many
rows, and cached responses made afresh once an editor changes what they show."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from catalogue.models import ChildOutcome, Finding, ReviewItem, ReviewStage, Study
from projects.models import Organisation, Project
from tests.support.admin_pages import error_messages, open_form
from tests.support.api import ids, record, walk
from tests.support.factories import (
    ChildOutcomeFactory,
    DocumentFactory,
    ExternalRatingFactory,
    FindingFactory,
    InterventionFactory,
    OrganisationFactory,
    ProjectFactory,
    ResearchQuestionFactory,
    ReviewItemFactory,
    StudyFactory,
    TopicFactory,
)

# The lists this module covers; the intervention list has its own tests.
LISTS = ["studies", "findings", "outcomes", "projects", "organisations", "review-items"]
RECORDS = [*LISTS, "interventions"]


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def make_catalogue(count: int) -> None:
    """count published records of every kind, each with the related records its API
    record names, and a draft of each beside them."""
    # One topic and one partner of every project, for a filter that keeps them all.
    shared_topic = TopicFactory(name="Shared topic")
    shared_partner, _ = Organisation.objects.get_or_create(
        name="Shared partner", defaults={"slug": "shared-partner"}
    )
    for _ in range(count):
        outcome = ChildOutcomeFactory()
        intervention = InterventionFactory(outcomes=[(outcome, "Better behaviour.")])
        ExternalRatingFactory(intervention=intervention)
        study = StudyFactory(intervention=intervention)
        FindingFactory(study=study, outcome=outcome)
        FindingFactory(study=study, outcome=outcome, months_after_end=None)
        project = ProjectFactory(
            topics=[shared_topic, TopicFactory()],
            delivery_partners=[shared_partner],
            evaluation_partners=[OrganisationFactory()],
            interventions=[intervention],
        )
        ResearchQuestionFactory(project=project)
        DocumentFactory(project=project)
        item = ReviewItemFactory(intervention=intervention)
        item.stages.create(stage=ReviewStage.SUGGESTED, entered_on=datetime.date(2026, 1, 5))
    draft = InterventionFactory(published=False)
    FindingFactory(study=StudyFactory(intervention=draft))
    ProjectFactory(published=False, delivery_partners=[OrganisationFactory()])
    ReviewItemFactory(published=False)


@pytest.fixture
def catalogue(db) -> None:
    make_catalogue(3)


def first_id(client, name: str) -> int:
    return walk(client, f"/api/v1/{name}/?page_size=100")[0]["id"]


# Errors.


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    return body


@pytest.mark.parametrize("name", RECORDS)
def test_an_unknown_id_is_a_404_in_json(catalogue, visitor, name):
    for pk in ["999999", "999999999999999999"]:
        body = assert_json_error(visitor.get(f"/api/v1/{name}/{pk}/"), 404)
        assert body["detail"] == "No published record has this id."


# Not numbers: a full-width digit, a NUL byte, a space, more digits than any id has.
NOT_IDS = ["abc", "1.0", "-1", "1e3", "0x1", "%EF%BC%91", "1%00", "1" * 19, "%20", "1,2"]


@pytest.mark.parametrize("name", RECORDS)
def test_an_id_that_is_not_a_number_is_a_404_in_json(catalogue, visitor, name):
    for pk in NOT_IDS:
        body = assert_json_error(visitor.get(f"/api/v1/{name}/{pk}/"), 404)
        assert body["detail"] == "There is no record with this id: an id is a number."


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_the_change_log_of_no_intervention_is_a_404_in_json(catalogue, visitor, pk):
    assert_json_error(visitor.get(f"/api/v1/interventions/{pk}/history/"), 404)


def test_an_address_below_a_record_is_a_404_in_json(catalogue, visitor):
    pk = first_id(visitor, "studies")
    body = assert_json_error(visitor.get(f"/api/v1/studies/{pk}/findings/"), 404)
    assert "/api/v1/" in body["detail"]


# What each list reads: its filters, then its pages.
PARAMETERS = {
    "studies": ["intervention", "cursor", "page_size"],
    "findings": ["study", "intervention", "cursor", "page_size"],
    "outcomes": ["cursor", "page_size"],
    "projects": ["q", "status", "study_type", "topic", "partner", "cursor", "page_size"],
    "organisations": ["cursor", "page_size"],
    "review-items": ["stage", "cursor", "page_size"],
}


@pytest.mark.parametrize("name", LISTS)
def test_an_unknown_parameter_is_a_400_naming_it_and_those_the_list_takes(catalogue, visitor, name):
    body = assert_json_error(visitor.get(f"/api/v1/{name}/?page_size=2&colour=red"), 400)
    takes = ", ".join(PARAMETERS[name])
    assert body["errors"] == {
        "colour": [f"This endpoint does not read “colour”; it takes {takes}."]
    }
    assert body["allowed_parameters"] == PARAMETERS[name]
    # The guidebook's parameters are the intervention list's alone.
    body = assert_json_error(visitor.get(f"/api/v1/{name}/?sort=name&evidence=3"), 400)
    assert set(body["errors"]) == {"sort", "evidence"}


@pytest.mark.parametrize("name", RECORDS)
def test_a_record_takes_no_parameters(catalogue, visitor, name):
    pk = first_id(visitor, name)
    for url in (f"/api/v1/{name}/{pk}/?page_size=2", f"/api/v1/{name}/{pk}/?format=csv"):
        body = assert_json_error(visitor.get(url), 400)
        assert body["allowed_parameters"] == []
        assert "it takes no parameters" in next(iter(body["errors"].values()))[0]


@pytest.mark.parametrize(
    ("query", "parameter", "allowed"),
    [
        ("studies/?intervention=first", "intervention", "a whole number"),
        ("studies/?intervention=0", "intervention", "a whole number from 1"),
        ("studies/?intervention=99999999999999999999", "intervention", "so large an id"),
        ("findings/?study=1.5", "study", "a whole number"),
        ("findings/?intervention=-3", "intervention", "a whole number from 1"),
        (
            "review-items/?stage=done",
            "stage",
            "choose from suggested, screening, in-review, rating-agreed, published or not-listed",
        ),
        (
            "review-items/?stage=screening&stage=In+review",
            "stage",
            "choose from suggested, screening, in-review, rating-agreed, published or not-listed",
        ),
        (
            "projects/?status=ongoing",
            "status",
            "choose from planned, in-progress, completed, paused or discontinued",
        ),
        (
            "projects/?study_type=trial",
            "study_type",
            "choose from feasibility, pilot, efficacy, effectiveness, qualitative, "
            "evidence-review, outcome-measure or other",
        ),
        ("projects/?topic=no-such-topic", "topic", "topic's slug"),
        ("projects/?partner=no-such-partner", "partner", "organisation's slug"),
        ("projects/?q=" + "x" * 201, "q", "at most 200 characters"),
    ],
)
def test_an_invalid_filter_value_is_a_400_saying_what_is_allowed(
    catalogue, visitor, query, parameter, allowed
):
    body = assert_json_error(visitor.get(f"/api/v1/{query}"), 400)
    assert list(body["errors"]) == [parameter]
    assert allowed in body["errors"][parameter][0], body["errors"][parameter]
    assert "allowed_parameters" not in body


@pytest.mark.parametrize("name", LISTS)
def test_a_page_size_outside_1_to_100_is_a_400(catalogue, visitor, name):
    for size in ["101", "0", "-1", "1.5", "ten", "%EF%BC%95", "1e1", "50%00", "%2B5", "%205"]:
        body = assert_json_error(visitor.get(f"/api/v1/{name}/?page_size={size}"), 400)
        message = "Give a whole number from 1 to 100; the default is 20."
        assert body["errors"] == {"page_size": [message]}, size


@pytest.mark.parametrize("name", LISTS)
def test_page_sizes_1_and_100_are_taken(catalogue, visitor, name):
    assert len(record(visitor, f"/api/v1/{name}/?page_size=1")["results"]) == 1
    assert len(record(visitor, f"/api/v1/{name}/?page_size=100")["results"]) >= 3


def cursor_of(url: str) -> str:
    (cursor,) = parse_qs(urlsplit(url).query)["cursor"]
    return cursor


def tampered(cursor: str) -> list[str]:
    """Cursors a client might make of a real one: changed, cut short, made up."""
    value, signature = cursor.rsplit(":", 1)
    other = "A" if signature[-1] != "A" else "B"
    return [
        f"{value}:{signature[:-1]}{other}",
        f"{value}x:{signature}",
        value,
        signature,
        cursor[:-3],
        f"{cursor}:{signature}",
        "MTA:" + signature,
        "made-up",
        ":",
        "\x00",
        "😀",
        "a" * 2000,
    ]


@pytest.mark.parametrize("name", LISTS)
def test_a_tampered_cursor_is_a_400_never_a_500(catalogue, visitor, name):
    next_url = record(visitor, f"/api/v1/{name}/?page_size=1")["next"]
    assert visitor.get(next_url).status_code == 200
    for bad in tampered(cursor_of(next_url)):
        response = visitor.get(f"/api/v1/{name}/", {"page_size": 1, "cursor": bad})
        body = assert_json_error(response, 400)
        assert list(body["errors"]) == ["cursor"]
        assert "follow the `next` link" in body["errors"]["cursor"][0]


def test_a_cursor_of_one_list_used_on_another_is_only_a_position(catalogue, visitor):
    """A cursor holds a position alone: on another list it is the same position there."""
    cursor = cursor_of(record(visitor, "/api/v1/studies/?page_size=1")["next"])
    second = record(visitor, f"/api/v1/review-items/?page_size=1&cursor={cursor}")["results"]
    assert ids(second) == ids(walk(visitor, "/api/v1/review-items/?page_size=100"))[1:2]


@pytest.mark.parametrize("name", LISTS)
def test_each_record_of_a_list_is_as_its_own_address_gives_it(catalogue, visitor, name):
    listed = walk(visitor, f"/api/v1/{name}/?page_size=100")
    assert len(listed) >= 3
    for each in listed:
        alone = record(visitor, f"/api/v1/{name}/{each['id']}/")
        # A project's related projects are ranked on its own record only.
        alone.pop("related_project_ids", None)
        assert each == alone


# Pages.


@pytest.fixture
def out_of_order(intervention_factory, child_outcome_factory, project_factory):
    """Records of every kind made in another order than their lists', beside drafts."""
    zeta, alpha = intervention_factory(name="Zeta"), intervention_factory(name="Alpha")
    draft = intervention_factory(name="Draft", published=False)
    for intervention in (alpha, zeta, draft, alpha, zeta, alpha):
        study = StudyFactory(intervention=intervention)
        for outcome_name in ("Crime", "Attainment"):
            FindingFactory(study=study, outcome=child_outcome_factory(name=outcome_name))
    for name, position in [("Safety", 3), ("Play", 1), ("Crime", 2), ("Attainment", 2)]:
        outcome = child_outcome_factory(name=name)
        outcome.position = position
        outcome.save()
    zeta_trust = OrganisationFactory(name="Zeta Trust")
    alpha_trust = OrganisationFactory(name="Alpha Trust")
    hidden = OrganisationFactory(name="Beta Trust")
    for title, days in [("Older", 9), ("Newest", 1), ("Middle B", 5), ("Middle A", 5)]:
        project_factory(title=title, created=days_ago(days), delivery_partners=[zeta_trust])
    project_factory(title="Alpha's", created=days_ago(3), evaluation_partners=[alpha_trust])
    project_factory(title="Draft", created=days_ago(0), delivery_partners=[hidden], published=False)
    for name in ("Zebra programme", "Ark programme", "Mid programme", "Ark programme"):
        ReviewItemFactory(name=name)
    ReviewItemFactory(name="Hidden programme", published=False)


def expected_order(name: str) -> list[int]:
    """The list's documented order, read from the stored records in Python."""
    if name == "studies":
        rows = [study for study in Study.objects.all() if study.intervention.published]
        # In the order of their interventions, by name; then by number on each.
        rows.sort(key=lambda s: (s.intervention.name, s.intervention_id, s.number))
        return [study.pk for study in rows]
    if name == "findings":
        return sorted(f.pk for f in Finding.objects.all() if f.study.intervention.published)
    if name == "outcomes":
        rows = sorted(ChildOutcome.objects.all(), key=lambda o: (o.position, o.name, o.pk))
        return [outcome.pk for outcome in rows]
    if name == "projects":
        rows = [project for project in Project.objects.all() if project.published]
        # Newest first, then by title.
        rows.sort(key=lambda p: (-p.created.timestamp(), p.title, p.pk))
        return [project.pk for project in rows]
    if name == "organisations":
        rows = [
            organisation
            for organisation in Organisation.objects.all()
            if any(p.project.published for p in organisation.partnerships.all())
        ]
        return [organisation.pk for organisation in sorted(rows, key=lambda o: (o.name, o.pk))]
    rows = [item for item in ReviewItem.objects.all() if item.published]
    return [item.pk for item in sorted(rows, key=lambda i: (i.name, i.pk))]


@pytest.mark.parametrize("name", LISTS)
def test_walking_next_with_pages_of_2_visits_every_record_once_in_order(
    out_of_order, visitor, name
):
    url = f"/api/v1/{name}/?page_size=2"
    pages = []
    while url:
        body = record(visitor, url)
        assert len(body["results"]) <= 2
        pages.append(ids(body["results"]))
        url = body["next"]
        if url:
            assert url.startswith("http") and "page_size=2" in url
    visited = [pk for page in pages for pk in page]
    assert visited == expected_order(name)
    assert len(visited) == len(set(visited))
    # Only the last page may be short; none is empty.
    assert all(len(page) == 2 for page in pages[:-1]) and pages[-1]


def test_a_filtered_list_keeps_its_filter_in_next(out_of_order, visitor):
    alpha = next(
        each for each in walk(visitor, "/api/v1/studies/?page_size=100") if each["number"] == 3
    )["intervention_id"]
    first = record(visitor, f"/api/v1/findings/?intervention={alpha}&page_size=4")
    assert f"intervention={alpha}" in first["next"]
    findings = walk(visitor, f"/api/v1/findings/?intervention={alpha}&page_size=4")
    assert len(findings) == 6
    assert {finding["intervention_id"] for finding in findings} == {alpha}


# Queries.

LIST_QUERIES = {
    # The page's ids, then its rows; the findings' outcomes and studies come with them.
    "findings": 2,
    # Then each study's findings.
    "studies": 3,
    # Then the links to published interventions.
    "outcomes": 3,
    # Then partners with their organisations, questions, documents, topics, interventions.
    "projects": 7,
    # Then their parts in published projects.
    "organisations": 3,
    # Then their stages.
    "review-items": 3,
}
# A record is its row and what the list preloads for it, without the ids of a page; a
# project's also ranks its related projects, and an intervention's reads the ratings'
# definitions besides its outcomes, studies, findings, other ratings and projects.
RECORD_QUERIES = {name: count - 1 for name, count in LIST_QUERIES.items()}
RECORD_QUERIES["projects"] += 1
RECORD_QUERIES["interventions"] = 7
FILTERED_QUERIES = {
    "studies/?intervention={intervention}": 3,
    "findings/?intervention={intervention}&study={study}": 2,
    "review-items/?stage=suggested&stage=screening": 3,
    # The topic and the partner are each looked up to be checked.
    "projects/?status=in-progress&study_type=feasibility&topic=shared-topic&partner=shared-partner": 9,
}


def counted(django_assert_num_queries, client, url: str, queries: int) -> dict:
    """The response at url, made afresh, in exactly that many queries."""
    # The page cache would otherwise answer from what it kept, in no query at all.
    cache.clear()
    with django_assert_num_queries(queries):
        return record(client, url)


@pytest.mark.parametrize("name", LISTS)
def test_a_list_makes_as_many_queries_for_30_records_as_for_3(
    db, visitor, django_assert_num_queries, name
):
    url = f"/api/v1/{name}/?page_size=50"
    make_catalogue(3)
    assert len(counted(django_assert_num_queries, visitor, url, LIST_QUERIES[name])["results"]) >= 3
    make_catalogue(27)
    body = counted(django_assert_num_queries, visitor, url, LIST_QUERIES[name])
    assert len(body["results"]) >= 30


@pytest.mark.parametrize("query", FILTERED_QUERIES)
def test_a_filtered_list_makes_as_many_queries_for_30_records_as_for_3(
    db, visitor, django_assert_num_queries, query
):
    intervention = InterventionFactory()
    study = StudyFactory(intervention=intervention)
    url = f"/api/v1/{query.format(intervention=intervention.pk, study=study.pk)}&page_size=50"
    for count in (3, 27):
        make_catalogue(count)
        StudyFactory.create_batch(count, intervention=intervention)
        FindingFactory.create_batch(count, study=study)
        body = counted(django_assert_num_queries, visitor, url, FILTERED_QUERIES[query])
        assert len(body["results"]) >= count


@pytest.mark.parametrize("name", RECORDS)
def test_a_record_makes_a_fixed_number_of_queries(db, visitor, django_assert_num_queries, name):
    for count in (3, 27):
        make_catalogue(count)
        pk = walk(visitor, f"/api/v1/{name}/?page_size=100")[-1]["id"]
        counted(django_assert_num_queries, visitor, f"/api/v1/{name}/{pk}/", RECORD_QUERIES[name])


def test_a_change_log_makes_three_queries_however_long(
    intervention_factory, visitor, django_assert_num_queries
):
    intervention = intervention_factory()
    url = f"/api/v1/interventions/{intervention.pk}/history/"
    for cost in (1, 2, 4, 5, 1, 2, 4, 5):
        intervention.cost_rating = cost
        intervention.save()
    # The intervention, its history, and the corrections readers' reports led to.
    assert len(counted(django_assert_num_queries, visitor, url, 3)["changes"]) == 8


# The cache.


def cached(client, django_assert_num_queries, url: str) -> dict:
    """The record at url, asked twice: the second is the page cache's, in no query."""
    first = record(client, url)
    with django_assert_num_queries(0):
        assert record(client, url) == first
    return first


def save_in_admin(client, url: str, form_id: str, **changes) -> None:
    data = open_form(client, url, form_id)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, error_messages(response)


def test_a_project_saved_in_the_admin_is_fresh_in_its_cached_record_and_list(
    project_factory, group_editor, visitor, django_assert_num_queries
):
    project = project_factory(title="Restart")
    url = f"/api/v1/projects/{project.pk}/"
    assert cached(visitor, django_assert_num_queries, url)["title"] == "Restart"
    assert ids(cached(visitor, django_assert_num_queries, "/api/v1/projects/")["results"]) == [
        project.pk
    ]
    change = reverse("admin:projects_project_change", args=[project.pk])
    save_in_admin(group_editor, change, "project_form", title="Restart, renamed")
    assert record(visitor, url)["title"] == "Restart, renamed"
    save_in_admin(group_editor, change, "project_form", published="")
    assert visitor.get(url).status_code == 404
    assert record(visitor, "/api/v1/projects/")["results"] == []


def test_a_partner_renamed_in_the_admin_is_fresh_in_the_projects_that_name_it(
    project_factory, organisation_factory, group_editor, visitor, django_assert_num_queries
):
    partner = organisation_factory(name="Refuge")
    project = project_factory(delivery_partners=[partner])
    url = f"/api/v1/projects/{project.pk}/"
    assert [p["name"] for p in cached(visitor, django_assert_num_queries, url)["partners"]] == [
        "Refuge"
    ]
    cached(visitor, django_assert_num_queries, "/api/v1/projects/")
    cached(visitor, django_assert_num_queries, f"/api/v1/organisations/{partner.pk}/")
    change = reverse("admin:projects_organisation_change", args=[partner.pk])
    save_in_admin(group_editor, change, "organisation_form", name="Refuge UK")
    assert [p["name"] for p in record(visitor, url)["partners"]] == ["Refuge UK"]
    listed = record(visitor, "/api/v1/projects/")["results"]
    assert [p["name"] for p in listed[0]["partners"]] == ["Refuge UK"]
    assert record(visitor, f"/api/v1/organisations/{partner.pk}/")["name"] == "Refuge UK"


def test_an_intervention_saved_in_the_admin_is_fresh_in_its_record_change_log_and_studies(
    intervention_factory, group_editor, visitor, django_assert_num_queries
):
    intervention = intervention_factory(name="Family Check-Up", age_groups=["3-5"])
    ExternalRatingFactory(intervention=intervention, rating="Promising Research Evidence")
    study = StudyFactory(intervention=intervention)
    url = f"/api/v1/interventions/{intervention.pk}/"
    history = f"/api/v1/interventions/{intervention.pk}/history/"
    studies = "/api/v1/studies/"
    body = cached(visitor, django_assert_num_queries, url)
    assert body["external_ratings"][0]["tier"]["code"] == "second"
    assert cached(visitor, django_assert_num_queries, history)["changes"] == []
    assert ids(cached(visitor, django_assert_num_queries, studies)["results"]) == [study.pk]

    change = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    save_in_admin(
        group_editor,
        change,
        "intervention_form",
        name="Family Check-Up for Children",
        cost_rating="2",
        **{"external_ratings-0-rating": "Well-Supported by Research Evidence"},
    )
    body = record(visitor, url)
    assert body["name"] == "Family Check-Up for Children"
    assert body["external_ratings"][0]["rating"] == "Well-Supported by Research Evidence"
    assert body["external_ratings"][0]["tier"]["code"] == "highest"
    assert [change["field"] for change in record(visitor, history)["changes"]] == ["Cost rating"]
    assert record(visitor, studies)["results"][0]["url"].endswith(
        "/interventions/family-check-up/#study-1"
    )

    save_in_admin(group_editor, change, "intervention_form", published="")
    assert visitor.get(url).status_code == 404
    assert record(visitor, studies)["results"] == []


def test_an_outcome_reworded_in_the_admin_is_fresh(
    child_outcome_factory, group_editor, visitor, django_assert_num_queries
):
    outcome = child_outcome_factory(name="Behaviour", description="Conduct problems.")
    url = f"/api/v1/outcomes/{outcome.pk}/"
    cached(visitor, django_assert_num_queries, url)
    cached(visitor, django_assert_num_queries, "/api/v1/outcomes/")
    save_in_admin(
        group_editor,
        reverse("admin:catalogue_childoutcome_change", args=[outcome.pk]),
        "childoutcome_form",
        description="Conduct problems, aggression and defiance.",
    )
    reworded = "Conduct problems, aggression and defiance."
    assert record(visitor, url)["description"] == reworded
    assert record(visitor, "/api/v1/outcomes/")["results"][0]["description"] == reworded


def test_a_review_item_unpublished_in_the_admin_leaves_its_cached_list_and_record(
    group_editor, visitor, django_assert_num_queries
):
    item = ReviewItemFactory(stage=ReviewStage.SCREENING)
    url = f"/api/v1/review-items/{item.pk}/"
    listed = "/api/v1/review-items/?stage=screening"
    cached(visitor, django_assert_num_queries, url)
    assert ids(cached(visitor, django_assert_num_queries, listed)["results"]) == [item.pk]
    response = group_editor.post(
        reverse("admin:catalogue_reviewitem_changelist"),
        {"action": "unpublish", "_selected_action": [item.pk]},
    )
    assert response.status_code == 302
    assert visitor.get(url).status_code == 404
    assert record(visitor, listed)["results"] == []


def test_a_review_item_saved_in_the_admin_is_fresh_in_its_cached_record(
    group_editor, visitor, django_assert_num_queries
):
    item = ReviewItemFactory(stage=ReviewStage.SCREENING)
    url = f"/api/v1/review-items/{item.pk}/"
    cached(visitor, django_assert_num_queries, url)
    save_in_admin(
        group_editor,
        reverse("admin:catalogue_reviewitem_change", args=[item.pk]),
        "reviewitem_form",
        stage=ReviewStage.IN_REVIEW,
    )
    assert record(visitor, url)["stage"]["code"] == "in-review"
