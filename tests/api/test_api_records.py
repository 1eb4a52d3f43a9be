"""The API's guidebook records other than the intervention list: an intervention's record
and its change log, studies, findings, child outcomes and review items, each field as
stored, published records only (to editors too)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalogue.models import Direction, Intervention, ReviewStage, StudyDesign, StudyLevel
from ratings.crosswalk import Clearinghouse
from ratings.models import Scale
from ratings.scales import CostRating, EvidenceRating
from tests.support.admin_pages import error_messages, open_form
from tests.support.api import ids, record, walk
from tests.support.factories import (
    ExternalRatingFactory,
    FindingFactory,
    ReviewItemFactory,
    StudyFactory,
)
from tests.support.pages import main


def site(path: str) -> str:
    """A path as the API gives it: a full address on the site's own host."""
    return settings.SITE_URL + path


def stored_time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


@pytest.fixture
def outcomes(child_outcome_factory) -> dict:
    """Two child outcomes, made in the opposite order to their position."""
    return {
        "behaviour": child_outcome_factory(
            name="Behaviour", position=2, description="Conduct problems and aggression."
        ),
        "mental-health": child_outcome_factory(
            name="Mental health", position=1, description="Anxiety and depression."
        ),
    }


@pytest.fixture
def family_check_up(intervention_factory, project_factory, rating_definition_factory, outcomes):
    """A published intervention with every field filled, two studies with findings, two
    other clearinghouses' ratings, and projects that studied it, one a draft."""
    for scale, value, words in [
        (Scale.EVIDENCE, EvidenceRating.LEVEL_3_PLUS, "Good evidence from two rigorous studies."),
        (Scale.MIXED_FINDINGS, 0, "Some studies found no effect."),
        (Scale.COST, CostRating.LOW, "A low cost to set up and deliver."),
    ]:
        rating_definition_factory(scale=scale, value=value, definition=words)
    intervention = intervention_factory(
        name="Family Check-Up",
        slug="family-check-up",
        summary="A brief, strengths-based check-up for parents.",
        description="Three sessions with a family worker.\n\n- an interview\n- feedback",
        provider="Family Support Trust",
        website="https://family-check-up.example.org/",
        evidence_rating=EvidenceRating.LEVEL_3_PLUS,
        mixed_findings=True,
        cost_rating=CostRating.LOW,
        # Given out of their order: they are kept, and served, in the order of the choices.
        age_groups=["3-5", "0-2"],
        level_of_need=["targeted-selected"],
        delivery_model=["family"],
        setting=["home", "community"],
        workforce="Family support workers",
        country="United States",
        uk_available=True,
        delivery="Three sessions at home.",
        training="Two days of training.",
        fidelity="A licence from the developer.",
        cost_description="About £85 a family.",
        unit_cost=Decimal("85.50"),
        first_published=datetime.date(2024, 1, 15),
        last_reviewed=datetime.date(2025, 3, 1),
        outcomes=[
            (outcomes["behaviour"], "Fewer behaviour problems."),
            (outcomes["mental-health"], "Less parental depression."),
        ],
    )
    counting = StudyFactory(intervention=intervention, independent=True, country="Wales")
    other = StudyFactory(
        intervention=intervention,
        design=StudyDesign.QED,
        level=StudyLevel.LEVEL_2,
        counts_towards_rating=False,
        country="United States",
    )
    findings = {
        "behaviour": FindingFactory(study=counting, outcome=outcomes["behaviour"]),
        "mental-health": FindingFactory(study=other, outcome=outcomes["mental-health"]),
        "later behaviour": FindingFactory(
            study=other, outcome=outcomes["behaviour"], months_after_end=18
        ),
    }
    ExternalRatingFactory(
        intervention=intervention,
        clearinghouse=Clearinghouse.CEBC,
        rating="Supported by Research Evidence",
        area="Parent training",
        checked_on=datetime.date(2026, 8, 3),
        url="https://www.cebc4cw.org/program/family-check-up/",
    )
    ExternalRatingFactory(
        intervention=intervention,
        clearinghouse=Clearinghouse.BLUEPRINTS,
        rating="Model Plus",
        area="",
        checked_on=datetime.date(2026, 7, 1),
        url="https://www.blueprintsprograms.org/programs/family-check-up/",
    )
    older = project_factory(
        interventions=[intervention], created=timezone.now() - datetime.timedelta(days=9)
    )
    newer = project_factory(
        interventions=[intervention], created=timezone.now() - datetime.timedelta(days=2)
    )
    project_factory(interventions=[intervention], published=False)
    intervention.refresh_from_db()
    return {
        "intervention": intervention,
        "studies": [counting, other],
        "findings": findings,
        "projects": [newer, older],
    }


def test_an_intervention_record_holds_what_is_stored(family_check_up, outcomes, visitor):
    intervention = family_check_up["intervention"]
    findings = family_check_up["findings"]
    body = record(visitor, f"/api/v1/interventions/{intervention.pk}/")

    assert body["id"] == intervention.pk
    assert body["slug"] == "family-check-up"
    assert body["name"] == "Family Check-Up"
    assert body["url"] == site("/interventions/family-check-up/")
    assert body["summary"] == "A brief, strengths-based check-up for parents."
    assert body["description"] == {
        "text": "Three sessions with a family worker.\n\n- an interview\n- feedback",
        "html": intervention.description_html,
        "supplied_by_provider": True,
    }
    assert "<li>an interview</li>" in body["description"]["html"]
    assert body["provider"] == "Family Support Trust"
    assert body["website"] == "https://family-check-up.example.org/"
    assert body["evidence_rating"] == {
        "code": "3+",
        "label": "3+*",
        "mixed_findings": True,
        "description": "Good evidence from two rigorous studies.",
        "mixed_findings_description": "Some studies found no effect.",
        "tier": {"code": "second", "label": "Second tier"},
    }
    assert body["cost_rating"] == {
        "code": "1",
        "label": "1: low cost (under £100)",
        "description": "A low cost to set up and deliver.",
    }
    # In the outcomes' order, each with the findings of its studies on it.
    assert body["outcomes"] == [
        {
            "id": outcomes["mental-health"].pk,
            "slug": "mental-health",
            "name": "Mental health",
            "impact": "Less parental depression.",
            "finding_ids": [findings["mental-health"].pk],
        },
        {
            "id": outcomes["behaviour"].pk,
            "slug": "behaviour",
            "name": "Behaviour",
            "impact": "Fewer behaviour problems.",
            "finding_ids": [findings["behaviour"].pk, findings["later behaviour"].pk],
        },
    ]
    assert body["characteristics"] == {
        "age_groups": [
            {"code": "0-2", "label": "Babies and toddlers (0–2)"},
            {"code": "3-5", "label": "Pre-school (3–5)"},
        ],
        "level_of_need": [{"code": "targeted-selected", "label": "Targeted selected"}],
        "delivery_model": [{"code": "family", "label": "Whole family"}],
        "setting": [
            {"code": "home", "label": "Home"},
            {"code": "community", "label": "Community"},
        ],
        "workforce": "Family support workers",
        "country": "United States",
        "uk_available": True,
        # Its one counting study was in Wales.
        "uk_tested": True,
    }
    assert body["implementation"] == {
        "delivery": "Three sessions at home.",
        "training": "Two days of training.",
        "fidelity": "A licence from the developer.",
        "cost_description": "About £85 a family.",
        "unit_cost": 85.5,
    }
    assert body["evidence_summary"] == {
        "sentence": "Based on 2 studies: 1 counts towards the rating, 1 conducted "
        "independently of the provider, 1 in the UK.",
        "study_count": 2,
        "counting_study_count": 1,
        "independent_study_count": 1,
        "uk_study_count": 1,
        "counting_designs": [{"code": "rct", "label": "Randomised controlled trial"}],
        "ethnicity_reported": False,
        # The favourable finding 18 months after the end.
        "long_term_finding": True,
    }
    assert body["study_ids"] == [study.pk for study in family_check_up["studies"]]
    # Published projects only, newest first.
    assert body["project_ids"] == [project.pk for project in family_check_up["projects"]]
    assert body["first_published"] == "2024-01-15"
    assert body["last_reviewed"] == "2025-03-01"
    assert stored_time(body["updated"]) == intervention.updated


def test_an_intervention_carries_other_clearinghouses_ratings_as_they_word_them(
    family_check_up, visitor
):
    intervention = family_check_up["intervention"]
    body = record(visitor, f"/api/v1/interventions/{intervention.pk}/")
    # By clearinghouse, each with the common tier the crosswalk gives its rating.
    assert body["external_ratings"] == [
        {
            "clearinghouse": {
                "code": "blueprints",
                "label": "Blueprints for Healthy Youth Development",
            },
            "rating": "Model Plus",
            "tier": {"code": "highest", "label": "Highest tier"},
            "area": "",
            "checked_on": "2026-07-01",
            "url": "https://www.blueprintsprograms.org/programs/family-check-up/",
        },
        {
            "clearinghouse": {
                "code": "cebc",
                "label": "California Evidence-Based Clearinghouse for Child Welfare (CEBC)",
            },
            "rating": "Supported by Research Evidence",
            "tier": {"code": "second", "label": "Second tier"},
            "area": "Parent training",
            "checked_on": "2026-08-03",
            "url": "https://www.cebc4cw.org/program/family-check-up/",
        },
    ]


def test_an_intervention_not_yet_rated_says_so(intervention_factory, visitor):
    intervention = intervention_factory(evidence_rating=None, cost_rating=None)
    body = record(visitor, f"/api/v1/interventions/{intervention.pk}/")
    assert body["evidence_rating"]["code"] is None
    assert body["evidence_rating"]["label"] == "not yet rated"
    assert body["evidence_rating"]["tier"] is None
    assert body["cost_rating"]["code"] is None
    assert body["cost_rating"]["label"] == "not yet rated"
    assert body["external_ratings"] == []
    assert body["implementation"]["unit_cost"] is None


def test_an_intervention_record_is_found_by_its_id_after_its_slug_changed(
    intervention_factory, visitor
):
    intervention = intervention_factory(slug="old-address")
    intervention.slug = "new-address"
    intervention.save()
    body = record(visitor, f"/api/v1/interventions/{intervention.pk}/")
    assert body["slug"] == "new-address"
    assert body["url"] == site("/interventions/new-address/")


def test_a_draft_interventions_record_and_change_log_are_404_to_editors_too(
    intervention_factory, visitor, editor
):
    draft = intervention_factory(published=False)
    for client in (visitor, editor):
        for url in (
            f"/api/v1/interventions/{draft.pk}/",
            f"/api/v1/interventions/{draft.pk}/history/",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json()["detail"] == "No published record has this id."


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def distinctive_editor(editor_account_factory):
    """An editor whose names appear nowhere else, to look for in public responses."""
    account = editor_account_factory("zephyrine.quillfeather@example.org")
    account.first_name, account.last_name = "Zephyrine", "Quillfeather"
    account.save()
    return account


def change_in_admin(client, intervention: Intervention, **changes: str) -> None:
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    data = open_form(client, url, "intervention_form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, error_messages(response)


def test_the_change_log_lists_rating_changes_newest_first_without_the_editor(
    intervention_factory, distinctive_editor, client, visitor
):
    intervention = intervention_factory(
        name="Incredible Years",
        evidence_rating=EvidenceRating.LEVEL_2,
        cost_rating=CostRating.MEDIUM,
        provider="Incredible Years Ltd",
        age_groups=["3-5"],
    )
    client.force_login(distinctive_editor)
    change_in_admin(
        client,
        intervention,
        evidence_rating=str(EvidenceRating.LEVEL_3_PLUS),
        mixed_findings="on",
    )
    # A change to a field outside the change log adds nothing to it.
    change_in_admin(client, intervention, summary="A new summary.")
    change_in_admin(client, intervention, cost_rating=str(CostRating.MEDIUM_LOW))

    response = visitor.get(f"/api/v1/interventions/{intervention.pk}/history/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == intervention.pk
    assert body["changes"] == [
        {
            "field": "Cost rating",
            "old": "3",
            "new": "2",
            "date": today(),
            "sentence": "Cost rating changed from 3 to 2",
        },
        {
            "field": "Evidence rating",
            "old": "2",
            "new": "3+",
            "date": today(),
            "sentence": "Evidence rating changed from 2 to 3+",
        },
        {
            "field": "Mixed findings",
            "old": "no",
            "new": "yes",
            "date": today(),
            "sentence": "Mixed findings changed from no to yes",
        },
    ]
    # The page's own change log says the same.
    page = main(visitor.get(intervention.get_absolute_url())).find("section", class_="changes")
    day = date_format(timezone.localdate(), "j F Y")
    assert sorted(page.items()) == sorted(
        f"{change['sentence']}, {day}" for change in body["changes"]
    )
    text = response.content.decode()
    for name in ["zephyrine", "Zephyrine", "quillfeather", "Quillfeather", "example.org"]:
        assert name not in text


def test_an_intervention_never_changed_has_an_empty_change_log(intervention_factory, visitor):
    intervention = intervention_factory()
    assert record(visitor, f"/api/v1/interventions/{intervention.pk}/history/") == {
        "id": intervention.pk,
        "changes": [],
    }


def test_a_study_record_holds_what_is_stored(family_check_up, outcomes, visitor):
    intervention = family_check_up["intervention"]
    study = StudyFactory(
        intervention=intervention,
        citation="Dishion, T. (2008). The Family Check-Up with high-risk families. Child Development.",
        year=2008,
        doi="doi:10.1111/j.1467-8624.2008.01195.x",
        registry_ids="ISRCTN12345678; nct01234567; DRKS00001234",
        design=StudyDesign.CLUSTER_RCT,
        level=StudyLevel.LEVEL_4,
        counts_towards_rating=False,
        rating_note="Published after the rating was agreed.",
        independent=True,
        country="Scotland",
        sample_intervention=40,
        sample_comparison=None,
        population_ages="2 to 4 years",
        population_need="Families on low incomes",
        ethnicity="61% White, 27% Black",
        measures="Child Behavior Checklist",
        limitations="High attrition.",
    )
    # Made out of the outcomes' order; listed in it.
    on_behaviour = FindingFactory(study=study, outcome=outcomes["behaviour"])
    on_mental_health = FindingFactory(study=study, outcome=outcomes["mental-health"])
    body = record(visitor, f"/api/v1/studies/{study.pk}/")
    assert stored_time(body.pop("updated")) == study.updated
    assert body == {
        "id": study.pk,
        "intervention_id": intervention.pk,
        "number": 3,
        "url": site("/interventions/family-check-up/#study-3"),
        "citation": "Dishion, T. (2008). The Family Check-Up with high-risk families. "
        "Child Development.",
        "year": 2008,
        "doi": "doi:10.1111/j.1467-8624.2008.01195.x",
        "doi_url": "https://doi.org/10.1111/j.1467-8624.2008.01195.x",
        "registry_ids": [
            {"id": "ISRCTN12345678", "url": "https://www.isrctn.com/ISRCTN12345678"},
            {"id": "nct01234567", "url": "https://clinicaltrials.gov/study/NCT01234567"},
            {"id": "DRKS00001234", "url": ""},
        ],
        "design": {"code": "cluster-rct", "label": "Cluster randomised trial"},
        "level": {"code": "4", "label": "Level 4"},
        "counts_towards_rating": False,
        "rating_note": "Published after the rating was agreed.",
        "independent": True,
        "country": "Scotland",
        "in_uk": True,
        "sample_intervention": 40,
        "sample_comparison": None,
        "population_ages": "2 to 4 years",
        "population_need": "Families on low incomes",
        "ethnicity": "61% White, 27% Black",
        "measures": "Child Behavior Checklist",
        "limitations": "High attrition.",
        "finding_ids": [on_mental_health.pk, on_behaviour.pk],
    }


def test_a_study_below_level_2_without_doi_or_registry(intervention_factory, visitor):
    study = StudyFactory(
        intervention=intervention_factory(),
        level=StudyLevel.BELOW_2,
        doi="",
        registry_ids="",
        design=StudyDesign.PRE_POST,
        country="",
        year=None,
    )
    body = record(visitor, f"/api/v1/studies/{study.pk}/")
    # The code the studies CSV takes.
    assert body["level"] == {"code": "below 2", "label": "Below level 2"}
    assert body["design"] == {"code": "pre-post", "label": "Pre-post study"}
    assert (body["doi"], body["doi_url"], body["registry_ids"]) == ("", "", [])
    assert (body["year"], body["country"], body["in_uk"]) == (None, "", False)
    assert body["finding_ids"] == []


def test_the_study_list_filters_by_intervention(family_check_up, intervention_factory, visitor):
    intervention = family_check_up["intervention"]
    other = StudyFactory(intervention=intervention_factory())
    assert ids(walk(visitor, f"/api/v1/studies/?intervention={intervention.pk}")) == [
        study.pk for study in family_check_up["studies"]
    ]
    assert ids(walk(visitor, f"/api/v1/studies/?intervention={other.intervention_id}")) == [
        other.pk
    ]


def test_studies_of_a_draft_intervention_are_not_served_to_editors_either(
    family_check_up, intervention_factory, visitor, editor
):
    draft = intervention_factory(published=False)
    hidden = StudyFactory(intervention=draft)
    FindingFactory(study=hidden)
    for client in (visitor, editor):
        assert hidden.pk not in ids(walk(client, "/api/v1/studies/"))
        assert walk(client, f"/api/v1/studies/?intervention={draft.pk}") == []
        response = client.get(f"/api/v1/studies/{hidden.pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "No published record has this id."


def test_a_finding_record_holds_what_is_stored(family_check_up, outcomes, visitor):
    study = family_check_up["studies"][0]
    finding = FindingFactory(
        study=study,
        outcome=outcomes["mental-health"],
        sub_outcome="Less maternal depression",
        measure="Beck Depression Inventory",
        statement="A 4-point fall on the inventory.",
        direction=Direction.NO_EFFECT,
        effect_size=Decimal("-0.12"),
        improvement_index=-5,
        months_after_end=12,
    )
    assert record(visitor, f"/api/v1/findings/{finding.pk}/") == {
        "id": finding.pk,
        "study_id": study.pk,
        "intervention_id": family_check_up["intervention"].pk,
        "outcome": {
            "id": outcomes["mental-health"].pk,
            "slug": "mental-health",
            "name": "Mental health",
        },
        "sub_outcome": "Less maternal depression",
        "measure": "Beck Depression Inventory",
        "statement": "A 4-point fall on the inventory.",
        "direction": {"code": "no effect", "label": "No effect"},
        "effect_size": -0.12,
        "improvement_index": -5,
        "months_after_end": 12,
        "long_term": True,
        "timeframe": "12 months after the end (long term)",
    }


@pytest.mark.parametrize(
    ("months", "long_term", "timeframe"),
    [
        (None, False, "Not reported"),
        (0, False, "At the end of the intervention (short term)"),
        (1, False, "1 month after the end (short term)"),
        (11, False, "11 months after the end (short term)"),
    ],
)
def test_a_findings_timeframe_in_words(family_check_up, visitor, months, long_term, timeframe):
    finding = FindingFactory(study=family_check_up["studies"][1], months_after_end=months)
    body = record(visitor, f"/api/v1/findings/{finding.pk}/")
    assert (body["months_after_end"], body["long_term"], body["timeframe"]) == (
        months,
        long_term,
        timeframe,
    )


def test_the_finding_list_filters_by_study_and_by_intervention(
    family_check_up, intervention_factory, visitor
):
    findings = family_check_up["findings"]
    counting, other = family_check_up["studies"]
    elsewhere = FindingFactory(study=StudyFactory(intervention=intervention_factory()))
    assert ids(walk(visitor, f"/api/v1/findings/?study={other.pk}")) == sorted(
        [findings["mental-health"].pk, findings["later behaviour"].pk]
    )
    assert ids(
        walk(visitor, f"/api/v1/findings/?intervention={family_check_up['intervention'].pk}")
    ) == sorted(finding.pk for finding in findings.values())
    both = f"/api/v1/findings/?intervention={elsewhere.study.intervention_id}&study={counting.pk}"
    assert walk(visitor, both) == []
    assert ids(walk(visitor, "/api/v1/findings/")) == sorted(
        [*(finding.pk for finding in findings.values()), elsewhere.pk]
    )


def test_findings_of_a_draft_intervention_are_not_served_to_editors_either(
    intervention_factory, visitor, editor
):
    shown = FindingFactory(study=StudyFactory(intervention=intervention_factory()))
    hidden = FindingFactory(study=StudyFactory(intervention=intervention_factory(published=False)))
    for client in (visitor, editor):
        assert ids(walk(client, "/api/v1/findings/")) == [shown.pk]
        assert walk(client, f"/api/v1/findings/?study={hidden.study_id}") == []
        assert client.get(f"/api/v1/findings/{hidden.pk}/").status_code == 404


def test_an_outcome_record_lists_its_published_interventions_by_name(
    outcomes, intervention_factory, visitor, editor
):
    behaviour = outcomes["behaviour"]
    # Made out of the order of their names.
    zest = intervention_factory(name="Zest for Parenting", outcomes=[behaviour])
    alpha = intervention_factory(name="Alpha Families", outcomes=[behaviour])
    intervention_factory(name="Draft Families", outcomes=[behaviour], published=False)
    for client in (visitor, editor):
        assert record(client, f"/api/v1/outcomes/{behaviour.pk}/") == {
            "id": behaviour.pk,
            "slug": "behaviour",
            "name": "Behaviour",
            "url": site("/outcomes/behaviour/"),
            "description": "Conduct problems and aggression.",
            "position": 2,
            "intervention_ids": [alpha.pk, zest.pk],
        }


def test_the_outcome_list_is_every_outcome_in_its_order(outcomes, intervention_factory, visitor):
    intervention_factory(outcomes=[outcomes["behaviour"]])
    listed = walk(visitor, "/api/v1/outcomes/")
    # An outcome no published intervention has evidence for is part of the vocabulary too.
    assert [(each["slug"], each["position"]) for each in listed] == [
        ("mental-health", 1),
        ("behaviour", 2),
    ]
    assert listed[0]["intervention_ids"] == []


@pytest.fixture
def pipeline(intervention_factory):
    """Review items: one published with its stages, one linked to a draft, one unpublished."""
    listed = intervention_factory(name="Family Nurse Partnership")
    item = ReviewItemFactory(
        name="Family Nurse Partnership",
        provider="FNP National Unit",
        intervention=listed,
        stage=ReviewStage.IN_REVIEW,
        expected_year=2027,
        expected_quarter=1,
        public_note="Awaiting the second trial's report.",
    )
    # Entered later, recorded first: listed oldest first.
    item.stages.create(
        stage=ReviewStage.IN_REVIEW, entered_on=datetime.date(2026, 5, 4), note="Two studies."
    )
    item.stages.create(stage=ReviewStage.SUGGESTED, entered_on=datetime.date(2026, 1, 12))
    awaiting = ReviewItemFactory(
        name="Attachment and Biobehavioral Catch-up",
        provider="",
        intervention=intervention_factory(published=False),
        stage=ReviewStage.SCREENING,
        expected_year=2027,
        expected_quarter=None,
    )
    hidden = ReviewItemFactory(name="Unannounced programme", published=False)
    return {"item": item, "intervention": listed, "awaiting": awaiting, "hidden": hidden}


def test_a_review_item_record_holds_what_is_stored(pipeline, visitor):
    item = pipeline["item"]
    body = record(visitor, f"/api/v1/review-items/{item.pk}/")
    assert stored_time(body.pop("updated")) == item.updated
    assert body == {
        "id": item.pk,
        "name": "Family Nurse Partnership",
        "provider": "FNP National Unit",
        "intervention_id": pipeline["intervention"].pk,
        "stage": {"code": "in-review", "label": "In review"},
        "expected": "2027 Q1",
        "expected_year": 2027,
        "expected_quarter": 1,
        "public_note": "Awaiting the second trial's report.",
        "stages": [
            {
                "stage": {"code": "suggested", "label": "Suggested"},
                "entered_on": "2026-01-12",
                "note": "",
            },
            {
                "stage": {"code": "in-review", "label": "In review"},
                "entered_on": "2026-05-04",
                "note": "Two studies.",
            },
        ],
    }


def test_a_review_item_names_no_draft_intervention(pipeline, visitor):
    body = record(visitor, f"/api/v1/review-items/{pipeline['awaiting'].pk}/")
    assert body["intervention_id"] is None
    assert (body["expected"], body["expected_quarter"], body["stages"]) == ("2027", None, [])


def test_the_review_item_list_filters_by_stage(pipeline, visitor):
    item, awaiting = pipeline["item"], pipeline["awaiting"]
    # By name.
    assert ids(walk(visitor, "/api/v1/review-items/")) == [awaiting.pk, item.pk]
    assert ids(walk(visitor, "/api/v1/review-items/?stage=in-review")) == [item.pk]
    assert ids(walk(visitor, "/api/v1/review-items/?stage=in-review&stage=screening")) == [
        awaiting.pk,
        item.pk,
    ]
    assert walk(visitor, "/api/v1/review-items/?stage=not-listed") == []


def test_an_unpublished_review_item_is_not_served_to_editors_either(pipeline, visitor, editor):
    hidden = pipeline["hidden"]
    for client in (visitor, editor):
        assert hidden.pk not in ids(walk(client, "/api/v1/review-items/"))
        assert hidden.pk not in ids(walk(client, f"/api/v1/review-items/?stage={hidden.stage}"))
        response = client.get(f"/api/v1/review-items/{hidden.pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "No published record has this id."


def test_a_project_unpublished_leaves_the_interventions_projects(family_check_up, visitor):
    intervention = family_check_up["intervention"]
    newer, older = family_check_up["projects"]
    newer.published = False
    newer.save()
    body = record(visitor, f"/api/v1/interventions/{intervention.pk}/")
    assert body["project_ids"] == [older.pk]
