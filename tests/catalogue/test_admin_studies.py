"""Studies and their findings, edited on the intervention's change form: saved with the
intervention and named in its history, refused with the rest of a stale form, numbered,
checked before publishing, and compared with the rating they support."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Direction, Finding, Intervention, Study, StudyDesign, StudyLevel
from ratings.scales import EvidenceRating
from tests.support import factories
from tests.support.admin_pages import error_messages, form_on, messages, open_form
from tests.support.pages import parse

CHANGELIST = reverse("admin:catalogue_intervention_changelist")
FORM = "intervention_form"
REFUSED = "Someone else saved this"
NO_COUNTING_STUDY = (
    "Family Check-Up is rated 3 but has no study that counts towards its rating; add the "
    "studies the rating rests on before publishing it."
)
A_STUDY = {
    "citation": "Smith, J. (2019). A trial of Family Check-Up. Child Development, 90(2).",
    "year": "2019",
    "design": StudyDesign.RCT,
    "level": str(StudyLevel.LEVEL_3),
    "counts_towards_rating": "on",
    "country": "England",
    "sample_intervention": "60",
    "sample_comparison": "58",
}


def change_url(intervention: Intervention) -> str:
    return reverse("admin:catalogue_intervention_change", args=[intervention.pk])


def fill(data: dict, prefix: str, **values: str) -> dict:
    data.update({f"{prefix}-{name}": value for name, value in values.items()})
    return data


def extra_study(data: dict) -> str:
    """The prefix of the blank study the page offers below the stored ones."""
    return f"studies-{data['studies-INITIAL_FORMS']}"


def another_form(data: dict, formset: str) -> str:
    """Add a blank form to a formset, as the page's "Add another" link does; its prefix."""
    index = int(data[f"{formset}-TOTAL_FORMS"])
    data[f"{formset}-TOTAL_FORMS"] = str(index + 1)
    return f"{formset}-{index}"


def another_study(data: dict) -> str:
    """Add a blank study, with the empty findings formset the page gives each study."""
    prefix = another_form(data, "studies")
    fill(data, f"{prefix}-findings", TOTAL_FORMS="0", INITIAL_FORMS="0", MIN_NUM_FORMS="0")
    data[f"{prefix}-findings-MAX_NUM_FORMS"] = "1000"
    return prefix


def a_finding(outcome, **values: str) -> dict[str, str]:
    return {
        "outcome": str(outcome.pk),
        "sub_outcome": "Improved reading",
        "statement": "A 9-point improvement on the reading test.",
        "direction": Direction.FAVOURABLE,
        "months_after_end": "0",
        **values,
    }


@pytest.fixture
def reading(child_outcome_factory):
    return child_outcome_factory(name="School achievement", slug="school")


@pytest.fixture
def intervention(intervention_factory) -> Intervention:
    return intervention_factory(name="Family Check-Up", evidence_rating=EvidenceRating.LEVEL_3)


@pytest.fixture
def draft(intervention_factory) -> Intervention:
    return intervention_factory(
        name="Family Check-Up", evidence_rating=EvidenceRating.LEVEL_3, published=False
    )


def latest_reason(intervention: Intervention) -> str | None:
    return (
        intervention.history.order_by("-history_date", "-history_id").first().history_change_reason
    )


def test_an_editor_adds_a_study_with_two_findings_on_the_change_form(intervention, reading, editor):
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    study = extra_study(data)
    fill(data, study, **A_STUDY)
    fill(data, f"{study}-findings-0", **a_finding(reading))
    second = another_form(data, f"{study}-findings")
    fill(data, second, **a_finding(reading, sub_outcome="Improved maths", months_after_end="12"))

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    (stored,) = intervention.studies.all()
    assert (stored.number, stored.citation, stored.sample_intervention) == (
        1,
        A_STUDY["citation"],
        60,
    )
    assert sorted(stored.findings.values_list("sub_outcome", "months_after_end")) == [
        ("Improved maths", 12),
        ("Improved reading", 0),
    ]
    intervention.refresh_from_db()
    assert intervention.version == 2
    assert (intervention.study_count, intervention.counting_study_count) == (1, 1)
    assert intervention.long_term_finding
    assert intervention.evidence_summary().startswith("Based on 1 study: 1 counts")
    assert latest_reason(intervention) == "Study 1 added; 2 findings added to study 1"
    assert stored.history.count() == 1
    assert Finding.history.filter(study_id=stored.pk).count() == 2


def test_the_interventions_history_page_shows_what_changed_in_its_studies(
    intervention, reading, editor
):
    study = factories.StudyFactory(intervention=intervention)
    factories.FindingFactory(study=study, outcome=reading)
    factories.FindingFactory(study=study, outcome=reading, sub_outcome="Improved maths")
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, "studies-0", citation="Smith, J. (2021). A longer trial. Child Development.")
    data["studies-0-findings-1-DELETE"] = "on"
    fill(data, extra_study(data), **A_STUDY)

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    reason = "Study 2 added; study 1 changed; 1 finding removed from study 1"
    assert latest_reason(intervention) == reason
    history = editor.get(reverse("admin:catalogue_intervention_history", args=[intervention.pk]))
    assert reason in parse(history).find("table", id="change-history").text
    assert study.findings.count() == 1
    assert study.history.count() == 2


def test_a_new_study_left_without_a_number_takes_the_next_one(intervention, editor):
    factories.StudyFactory(intervention=intervention, number=1)
    factories.StudyFactory(intervention=intervention, number=4)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, extra_study(data), **A_STUDY, number="")
    fill(data, another_study(data), **A_STUDY, number="")

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    assert list(intervention.studies.values_list("number", flat=True)) == [1, 4, 5, 6]


def test_removing_a_study_removes_its_findings_and_the_evidence_it_gave(
    intervention, reading, editor
):
    # Not counting towards the rating: a published intervention keeps its last such study.
    study = factories.StudyFactory(intervention=intervention, counts_towards_rating=False)
    factories.FindingFactory(study=study, outcome=reading)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    data["studies-0-DELETE"] = "on"

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    assert not Study.objects.exists() and not Finding.objects.exists()
    intervention.refresh_from_db()
    assert (intervention.study_count, intervention.counting_study_count) == (0, 0)
    assert latest_reason(intervention) == "Study 1 removed; 1 finding removed from study 1"


@pytest.fixture
def alex(editor_account_factory) -> Client:
    client = Client()
    client.force_login(editor_account_factory("alex.editor@example.org"))
    return client


@pytest.fixture
def blake(editor_account_factory) -> Client:
    client = Client()
    client.force_login(editor_account_factory("blake.editor@example.org"))
    return client


def test_a_stale_save_is_refused_keeping_the_studies_the_editor_typed(
    intervention, reading, alex, blake
):
    url = change_url(intervention)
    alex_form = open_form(alex, url, FORM)
    blake_form = open_form(blake, url, FORM)
    assert alex.post(url, {**alex_form, "provider": "Alex's provider"}).status_code == 302

    study = extra_study(blake_form)
    fill(blake_form, study, **A_STUDY)
    fill(blake_form, f"{study}-findings-0", **a_finding(reading))
    response = blake.post(url, blake_form)

    assert response.status_code == 200
    assert any(REFUSED in message for message in error_messages(response))
    assert not Study.objects.exists()
    kept = form_on(response, FORM)
    assert kept[f"{study}-citation"] == A_STUDY["citation"]
    assert kept[f"{study}-findings-0-sub_outcome"] == "Improved reading"

    # Saved again, having read the refusal, the study goes in with the intervention.
    again = blake.post(url, kept)
    assert again.status_code == 302, error_messages(again)
    assert intervention.studies.get().findings.count() == 1
    intervention.refresh_from_db()
    assert intervention.version == 3


def test_a_study_number_used_by_a_stored_study_is_refused(intervention, editor):
    factories.StudyFactory(intervention=intervention, number=1)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, extra_study(data), **A_STUDY, number="1")

    response = editor.post(url, data)

    assert response.status_code == 200
    errors = error_messages(response)
    assert "Two studies have the same number: each study's number is used once." in errors
    assert "Another study above has this number: choose another, or leave it empty." in errors
    assert intervention.studies.count() == 1


def test_two_new_studies_with_one_number_are_refused(intervention, editor):
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, extra_study(data), **A_STUDY, number="3")
    fill(data, another_study(data), **A_STUDY, number="3")

    response = editor.post(url, data)

    assert response.status_code == 200
    errors = error_messages(response)
    assert "Two studies have the same number: each study's number is used once." in errors
    assert "Another study above has this number: choose another, or leave it empty." in errors
    assert not Study.objects.exists()


@pytest.mark.parametrize("field", ["sample_intervention", "sample_comparison"])
def test_a_negative_sample_size_is_refused(intervention, editor, field):
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, extra_study(data), **{**A_STUDY, field: "-5"})

    response = editor.post(url, data)

    assert response.status_code == 200
    assert "A sample size cannot be negative." in error_messages(response)
    assert not Study.objects.exists()


def test_publishing_without_a_counting_study_is_refused_with_the_reason(draft, editor):
    url = change_url(draft)
    data = open_form(editor, url, FORM)
    # A study that does not count towards the rating is not enough.
    fill(data, extra_study(data), **{**A_STUDY, "counts_towards_rating": ""})
    del data[f"{extra_study(data)}-counts_towards_rating"]

    response = editor.post(url, {**data, "published": "on"})

    assert response.status_code == 200
    assert NO_COUNTING_STUDY in error_messages(response)
    draft.refresh_from_db()
    assert not draft.published
    assert not Study.objects.exists()


def test_publishing_with_a_counting_study_added_in_the_same_save_is_allowed(draft, editor):
    url = change_url(draft)
    data = open_form(editor, url, FORM)
    fill(data, extra_study(data), **A_STUDY)

    response = editor.post(url, {**data, "published": "on"})

    assert response.status_code == 302, error_messages(response)
    draft.refresh_from_db()
    assert draft.published
    assert draft.counting_study_count == 1


def test_removing_the_last_counting_study_while_publishing_is_refused(draft, editor):
    factories.StudyFactory(intervention=draft)
    url = change_url(draft)
    data = open_form(editor, url, FORM)
    data["studies-0-DELETE"] = "on"

    response = editor.post(url, {**data, "published": "on"})

    assert NO_COUNTING_STUDY in error_messages(response)
    draft.refresh_from_db()
    assert not draft.published
    assert draft.studies.count() == 1


def test_a_published_intervention_cannot_lose_its_last_counting_study(intervention, editor):
    study = factories.StudyFactory(intervention=intervention)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    data["studies-0-DELETE"] = "on"

    response = editor.post(url, data)

    assert (
        "Family Check-Up is published and rated 3, and this save would leave it no study "
        "that counts towards its rating; keep one, or unpublish it first."
    ) in error_messages(response)
    assert Study.objects.filter(pk=study.pk).exists()


def test_a_published_interventions_last_counting_study_goes_when_it_is_unpublished(
    intervention, editor
):
    factories.StudyFactory(intervention=intervention)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    data["studies-0-DELETE"] = "on"
    del data["published"]

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    assert not intervention.studies.exists()


def test_an_unrated_intervention_is_published_without_studies(intervention_factory, editor):
    draft = intervention_factory(evidence_rating=None, published=False)
    url = change_url(draft)
    response = editor.post(url, {**open_form(editor, url, FORM), "published": "on"})
    assert response.status_code == 302, error_messages(response)
    draft.refresh_from_db()
    assert draft.published


def test_editing_a_published_intervention_without_studies_is_not_refused(intervention, editor):
    """Interventions published before studies were recorded stay editable."""
    url = change_url(intervention)
    response = editor.post(url, {**open_form(editor, url, FORM), "provider": "A provider"})
    assert response.status_code == 302, error_messages(response)


def test_bulk_publish_publishes_the_others_and_says_which_were_refused(
    draft, intervention_factory, editor
):
    ready = intervention_factory(name="Ready", published=False)
    factories.StudyFactory(intervention=ready)
    response = editor.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [draft.pk, ready.pk]},
        follow=True,
    )
    shown = messages(response)
    assert "Published 1 intervention." in shown
    assert f"1 intervention not published: {NO_COUNTING_STUDY}" in shown
    draft.refresh_from_db()
    ready.refresh_from_db()
    assert (draft.published, ready.published) == (False, True)
    assert draft.history.count() == 1


def test_bulk_publish_of_refused_interventions_alone_publishes_none(draft, editor):
    response = editor.post(
        CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert messages(response) == [f"1 intervention not published: {NO_COUNTING_STUDY}"]
    draft.refresh_from_db()
    assert not draft.published


def test_revert_to_a_published_version_without_counting_studies_is_refused(draft, editor):
    draft.published = True
    draft.save()
    draft.published = False
    draft.save()
    published_version = draft.history.order_by("history_id")[1]
    url = reverse(
        "admin:catalogue_intervention_simple_history", args=[draft.pk, published_version.pk]
    )
    data = open_form(editor, url, "historicalintervention_form")

    response = editor.post(url, {**data, "_save": "Revert"})

    assert NO_COUNTING_STUDY in error_messages(response)
    draft.refresh_from_db()
    assert not draft.published


def test_a_revert_keeps_the_evidence_columns_of_todays_studies(intervention, editor):
    intervention.provider = "Earlier provider"
    intervention.save()
    earlier = intervention.history.order_by("-history_id").first()
    factories.StudyFactory(intervention=intervention)
    url = reverse("admin:catalogue_intervention_simple_history", args=[intervention.pk, earlier.pk])
    data = open_form(editor, url, "historicalintervention_form")

    response = editor.post(url, {**data, "_save": "Revert"})

    assert response.status_code == 302, error_messages(response)
    intervention.refresh_from_db()
    assert (intervention.study_count, intervention.uk_tested) == (1, True)
    assert intervention.history.order_by("-history_id").first().study_count == 1


def level_4_study(intervention, *, long_term: bool = True, **fields) -> Study:
    study = factories.StudyFactory(intervention=intervention, level=StudyLevel.LEVEL_4, **fields)
    factories.FindingFactory(study=study, months_after_end=12 if long_term else 3)
    return study


def warnings_on_opening(intervention, editor) -> list[str]:
    return [
        message
        for message in messages(editor.get(change_url(intervention)))
        if message.startswith(f"{intervention.name} is rated")
    ]


def test_a_4_without_two_long_term_level_4_studies_is_warned_about(intervention_factory, editor):
    intervention = intervention_factory(name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_4)
    level_4_study(intervention)
    level_4_study(intervention, long_term=False)
    assert warnings_on_opening(intervention, editor) == [
        "Nurse Visits is rated 4, but it has only 1 study counting towards it at level 4 with "
        "a favourable finding 12 or more months after the intervention ended; a 4 needs two "
        "such studies."
    ]


def test_a_4_with_two_long_term_level_4_studies_has_no_warning(intervention_factory, editor):
    intervention = intervention_factory(name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_4)
    level_4_study(intervention)
    level_4_study(intervention)
    assert warnings_on_opening(intervention, editor) == []


def test_a_4_plus_without_a_third_or_an_independent_study_is_warned_about(
    intervention_factory, editor
):
    intervention = intervention_factory(
        name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_4_PLUS
    )
    level_4_study(intervention)
    level_4_study(intervention)
    level_4_study(intervention, counts_towards_rating=False, independent=True)
    assert warnings_on_opening(intervention, editor) == [
        "Nurse Visits is rated 4+, but it has only 2 studies counting towards it; a 4+ needs a "
        "third.",
        "Nurse Visits is rated 4+, but no study counting towards it was conducted "
        "independently of the provider; a 4+ needs one.",
    ]


def test_a_4_plus_with_a_third_and_an_independent_study_has_no_warning(
    intervention_factory, editor
):
    intervention = intervention_factory(
        name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_4_PLUS
    )
    level_4_study(intervention)
    level_4_study(intervention)
    factories.StudyFactory(intervention=intervention, level=StudyLevel.LEVEL_3, independent=True)
    assert warnings_on_opening(intervention, editor) == []


def test_a_3_plus_without_a_further_study_at_level_2_is_warned_about(intervention_factory, editor):
    intervention = intervention_factory(
        name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_3_PLUS
    )
    factories.StudyFactory(intervention=intervention)
    factories.StudyFactory(intervention=intervention, level=StudyLevel.BELOW_2)
    assert warnings_on_opening(intervention, editor) == [
        "Nurse Visits is rated 3+, but it has only 1 study at level 2 or above counting towards "
        "it; a 3+ needs a further one."
    ]


def test_a_3_plus_with_a_further_study_at_level_2_has_no_warning(intervention_factory, editor):
    intervention = intervention_factory(
        name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_3_PLUS
    )
    factories.StudyFactory(intervention=intervention)
    factories.StudyFactory(intervention=intervention, level=StudyLevel.LEVEL_2)
    assert warnings_on_opening(intervention, editor) == []


def test_the_warning_follows_a_save_once_and_leaves_the_save_alone(intervention_factory, editor):
    intervention = intervention_factory(
        name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_3_PLUS
    )
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, extra_study(data), **A_STUDY)

    response = editor.post(url, {**data, "_continue": "Save and continue editing"}, follow=True)

    warning = (
        "Nurse Visits is rated 3+, but it has only 1 study at level 2 or above counting towards "
        "it; a 3+ needs a further one."
    )
    assert messages(response).count(warning) == 1
    assert intervention.studies.count() == 1


def test_the_rule_reads_unsaved_studies_and_findings(reading):
    intervention = Intervention(name="Nurse Visits", evidence_rating=EvidenceRating.LEVEL_4)
    long_term = Finding(outcome=reading, direction=Direction.FAVOURABLE, months_after_end=24)
    studies = [
        (Study(level=StudyLevel.LEVEL_4, counts_towards_rating=True), [long_term]),
        (Study(level=StudyLevel.LEVEL_4, counts_towards_rating=True), [long_term]),
    ]
    assert intervention.rating_warnings(studies) == []
    assert len(intervention.rating_warnings(studies[:1])) == 1


def test_uk_tested_follows_from_the_studies_once_there_are_any(intervention, editor):
    factories.StudyFactory(intervention=intervention, country="United States")
    factories.StudyFactory(intervention=intervention, country="Wales")
    url = change_url(intervention)

    page = parse(editor.get(url))
    row = page.find("div", class_="field-uk_tested_from_studies")
    assert "Yes: study 2 is a counting study in the UK. This follows from its studies." in row.text
    data = open_form(editor, url, FORM)
    assert "uk_tested" not in data

    # Sent anyway, the value is ignored: the studies decide.
    response = editor.post(url, {**data, "studies-1-country": "France", "uk_tested": "on"})
    assert response.status_code == 302, error_messages(response)
    intervention.refresh_from_db()
    assert not intervention.uk_tested
    row = parse(editor.get(url)).find("div", class_="field-uk_tested_from_studies")
    assert "No: no counting study was done in the UK." in row.text


def test_uk_tested_is_editable_while_there_are_no_studies(intervention, editor):
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    assert parse(editor.get(url)).find_all("div", class_="field-uk_tested_from_studies") == []
    response = editor.post(url, {**data, "uk_tested": "on"})
    assert response.status_code == 302, error_messages(response)
    intervention.refresh_from_db()
    assert intervention.uk_tested


def studied(findings_each: int, studies: int) -> Intervention:
    intervention = factories.InterventionFactory()
    for _ in range(studies):
        study = factories.StudyFactory(intervention=intervention)
        for _ in range(findings_each):
            factories.FindingFactory(study=study)
    return intervention


def change_form_queries(editor, intervention: Intervention) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert editor.get(change_url(intervention)).status_code == 200
    return len(queries)


def test_the_change_form_reads_each_studys_findings_in_one_query(editor):
    few, many = studied(3, studies=2), studied(3, studies=12)
    change_form_queries(editor, few)  # The session, the user and the content types.
    few_queries, many_queries = change_form_queries(editor, few), change_form_queries(editor, many)
    # The outcomes are read once for every finding's list of them, each finding knows its
    # study, and the other clearinghouses' ratings are one query: only each study's findings
    # cost a query.
    assert many_queries - few_queries == 10
    assert few_queries == 16


def test_two_studies_swap_numbers_in_one_save(intervention, editor):
    first = factories.StudyFactory(intervention=intervention, number=1)
    second = factories.StudyFactory(intervention=intervention, number=2)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, "studies-0", number="2")
    fill(data, "studies-1", number="1")

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (2, 1)
    assert [entry.number for entry in first.history.order_by("history_id")] == [1, 2]


def test_a_removed_studys_number_is_free_for_the_others_in_the_same_save(intervention, editor):
    kept = factories.StudyFactory(intervention=intervention, number=1)
    removed = factories.StudyFactory(intervention=intervention, number=2)
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    fill(data, "studies-0", number="2")
    data["studies-1-DELETE"] = "on"
    fill(data, extra_study(data), **A_STUDY, number="1")

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    kept.refresh_from_db()
    assert kept.number == 2
    assert list(intervention.studies.values_list("number", flat=True)) == [1, 2]
    assert not Study.objects.filter(pk=removed.pk).exists()
    assert Study.history.filter(id=removed.pk, history_type="-").get().number == 2


def test_an_editor_records_implementation_and_cost_which_the_page_then_shows(
    intervention, editor, visitor
):
    url = change_url(intervention)
    data = open_form(editor, url, FORM)
    data.update(
        delivery="Twelve weekly group sessions.",
        training="Three days' training for practitioners.",
        fidelity="A licence from the developer; supervision each month.",
        cost_description="Set-up costs cover the training.",
        unit_cost="1250.50",
    )
    response = editor.post(url, data)
    assert response.status_code == 302, error_messages(response)
    intervention.refresh_from_db()
    assert intervention.unit_cost == Decimal("1250.50")
    page = parse(visitor.get(intervention.get_absolute_url()))
    section = page.section("Implementation and cost").text
    for text in ("Twelve weekly group sessions.", "Three days' training", "£1,250.50"):
        assert text in section, text
