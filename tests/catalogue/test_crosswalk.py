"""The crosswalk in the catalogue: other clearinghouses' ratings on an intervention's page
beside ours, the guidebook's `rated_by` filter and its cards' note where tiers disagree,
the editors' form that keeps each rating on its clearinghouse's scale, and the demo."""

import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from catalogue.models import ExternalRating, Intervention
from ratings.crosswalk import Clearinghouse, Tier
from ratings.scales import EvidenceRating
from tests.catalogue.test_guidebook_facets import shown_counts
from tests.support.admin_pages import error_messages, open_form
from tests.support.factories import ExternalRatingFactory
from tests.support.guidebook import (
    exported_slugs,
    filter_error,
    guidebook_url,
    listed_slugs,
    parse_query,
)
from tests.support.pages import main, parse

CEBC = Clearinghouse.CEBC.label
WWC = Clearinghouse.WWC.label
NOT_APPLIED = "This filter was not applied."


def crosswalk(response):
    return main(response).section("Other clearinghouses' ratings")


def table_rows(section) -> list[list[str]]:
    return [
        [cell.text for cell in row.find_all("th") + row.find_all("td")]
        for row in section.find("tbody").find_all("tr")
    ]


@pytest.fixture
def rated(intervention_factory) -> Intervention:
    """Rated 3 by us (the second tier), and by two other clearinghouses."""
    intervention = intervention_factory(name="Family Check-Up", evidence_rating=30)
    ExternalRatingFactory(
        intervention=intervention,
        clearinghouse=Clearinghouse.CEBC,
        rating="Well-Supported by Research Evidence",
        area="Behavioural management",
        checked_on=datetime.date(2026, 9, 1),
        url="https://www.cebc4cw.org/program/family-check-up/",
    )
    ExternalRatingFactory(
        intervention=intervention,
        clearinghouse=Clearinghouse.WWC,
        rating="Potentially positive effects",
        area="",
        checked_on=datetime.date(2026, 8, 15),
        url="https://ies.ed.gov/ncee/wwc/Intervention/123",
    )
    return intervention


def test_the_page_shows_each_clearinghouses_rating_as_they_word_it(rated, visitor):
    section = crosswalk(visitor.get(rated.get_absolute_url()))
    table = section.find("table")
    assert table.find("caption").text == "Other clearinghouses' ratings of Family Check-Up"
    assert [cell.text for cell in table.find("thead").find_all("th")] == [
        "Clearinghouse", "Their rating", "Common tier", "Area rated", "Checked", "Their page",
    ]  # fmt: skip
    assert table_rows(section) == [
        [CEBC, "Well-Supported by Research Evidence", "Highest tier", "Behavioural management",
         "1 September 2026", f"Rating on their site: {CEBC}, Behavioural management"],
        [WWC, "Potentially positive effects", "Second tier", "Not stated", "15 August 2026",
         f"Rating on their site: {WWC}"],
    ]  # fmt: skip
    links = [row.find_all("a")[-1] for row in table.find("tbody").find_all("tr")]
    assert [link.attrs["href"] for link in links] == [
        "https://www.cebc4cw.org/program/family-check-up/",
        "https://ies.ed.gov/ncee/wwc/Intervention/123",
    ]
    assert [link.visible_text for link in links] == ["Rating on their site"] * 2


def test_the_page_says_their_criteria_differ_and_links_to_the_crosswalk(rated, visitor):
    section = crosswalk(visitor.get(rated.get_absolute_url()))
    assert "so their ratings are not directly comparable with ours" in section.text
    explained = reverse("ratings:explained")
    assert f"{explained}#crosswalk" in section.links().values()
    # Each tier links to the clearinghouse's scale on the ratings page.
    tiers = [row.find_all("td")[1].find("a").attrs["href"] for row in section.find_all("tr")[1:]]
    assert tiers == [f"{explained}#crosswalk-cebc", f"{explained}#crosswalk-wwc"]


def test_where_their_tier_differs_from_ours_a_sentence_says_so(rated, visitor):
    section = crosswalk(visitor.get(rated.get_absolute_url()))
    assert section.find("p", class_="crosswalk__differs").text == (
        "Our rating, 3, is in the common tier “Second tier”; this rating is in another: "
        f"{CEBC}’s “Well-Supported by Research Evidence” for Behavioural management "
        "(Highest tier)."
    )


def test_two_differing_ratings_are_named_in_one_sentence(rated, visitor):
    rated.evidence_rating = EvidenceRating.LEVEL_2
    rated.save()
    section = crosswalk(visitor.get(rated.get_absolute_url()))
    assert section.find("p", class_="crosswalk__differs").text == (
        "Our rating, 2, is in the common tier “Insufficient evidence”; these ratings are in "
        f"another: {CEBC}’s “Well-Supported by Research Evidence” for Behavioural "
        f"management (Highest tier); {WWC}’s “Potentially positive effects” (Second tier)."
    )


@pytest.mark.parametrize("ours", [EvidenceRating.LEVEL_3_PLUS, None])
def test_no_difference_is_claimed_where_tiers_agree_or_we_have_not_rated_it(
    intervention_factory, visitor, ours
):
    intervention = intervention_factory(evidence_rating=ours)
    ExternalRatingFactory(
        intervention=intervention,
        clearinghouse=Clearinghouse.BLUEPRINTS,
        rating="Model Plus" if ours is None else "Promising",
    )
    section = crosswalk(visitor.get(intervention.get_absolute_url()))
    assert section.find_all("p", class_="crosswalk__differs") == []
    assert len(table_rows(section)) == 1


def test_an_intervention_no_other_clearinghouse_rated_has_no_such_section(
    intervention_factory, visitor
):
    page = main(visitor.get(intervention_factory().get_absolute_url()))
    assert "Other clearinghouses' ratings" not in page.headings()


def test_a_new_rating_shows_at_once_though_the_page_was_cached(rated, visitor):
    visitor.get(rated.get_absolute_url())
    ExternalRatingFactory(
        intervention=rated, clearinghouse=Clearinghouse.EEF, rating="No impact", area="Reading"
    )
    section = crosswalk(visitor.get(rated.get_absolute_url()))
    assert [row[0] for row in table_rows(section)] == [CEBC, Clearinghouse.EEF.label, WWC]


# The guidebook's `rated_by`.


@pytest.fixture
def rated_elsewhere(intervention_factory) -> dict[str, Intervention]:
    """Five interventions by name, each rated by the clearinghouses its name says."""
    made = {}
    for name, evidence, houses in [
        ("Cebc only", 30, ["cebc"]),
        ("Wwc only", 30, ["wwc"]),
        ("Cebc and eef", 40, ["cebc", "eef"]),
        ("Cebc, rated 4", 40, ["cebc"]),
        ("No other", 40, []),
    ]:
        made[name] = intervention_factory(name=name, evidence_rating=evidence)
        for house in houses:
            scale = Clearinghouse(house).scale.ratings
            ExternalRatingFactory(
                intervention=made[name], clearinghouse=house, rating=next(iter(scale))
            )
    return made


def names(response) -> list[str]:
    slugs = listed_slugs(response)
    return [Intervention.objects.get(slug=slug).name for slug in slugs]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("rated_by=cebc", ["Cebc and eef", "Cebc only", "Cebc, rated 4"]),
        ("rated_by=cebc&rated_by=wwc", ["Cebc and eef", "Cebc only", "Cebc, rated 4", "Wwc only"]),
        ("rated_by=cebc&min_evidence=4", ["Cebc and eef", "Cebc, rated 4"]),
        ("rated_by=eef&rated_by=xchange", ["Cebc and eef"]),
        ("rated_by=%20CEBC%20&evidence=3", ["Cebc only"]),
        ("rated_by=blueprints", []),
        ("rated_by=", ["Cebc and eef", "Cebc only", "Cebc, rated 4", "No other", "Wwc only"]),
    ],
)
def test_rated_by_is_ord_within_and_anded_with_the_other_filters(
    rated_elsewhere, visitor, query, listed
):
    assert names(visitor.get(guidebook_url(query))) == listed
    assert sorted(exported_slugs(visitor, query)) == sorted(
        rated_elsewhere[name].slug for name in listed
    )


def test_each_clearinghouse_option_shows_its_count_with_the_other_filters_kept(
    rated_elsewhere, visitor
):
    counts = shown_counts(visitor.get(guidebook_url("min_evidence=4&rated_by=eef")))
    assert {code: counts["rated_by", code] for code in Clearinghouse.values} == {
        "blueprints": 0, "cebc": 2, "iv-e": 0, "wwc": 0, "eef": 1, "xchange": 0,
    }  # fmt: skip
    # And the evidence options count those rated by EEF.
    assert counts["min_evidence", "3"] == 1


def test_each_clearinghouse_chosen_is_a_filter_in_force_removed_alone(rated_elsewhere, visitor):
    response = visitor.get(guidebook_url("rated_by=cebc&rated_by=wwc&min_evidence=3"))
    box = main(response).find("div", class_="active-filters")
    links = {
        link.spoken_text: link.attrs["href"]
        for link in box.find("ul").find_all("a")
        if "×" in link.text
    }
    assert list(links) == [
        "Evidence rating at least: 3 (remove this filter)",
        f"Also rated by: {CEBC} (remove this filter)",
        f"Also rated by: {WWC} (remove this filter)",
    ]
    without_cebc = links[f"Also rated by: {CEBC} (remove this filter)"]
    assert parse_query(urlsplit(without_cebc).query) == {
        "rated_by": ["wwc"],
        "min_evidence": ["3"],
    }
    assert names(visitor.get(guidebook_url(urlsplit(without_cebc).query))) == ["Wwc only"]


def test_the_next_page_keeps_rated_by(intervention_factory, visitor):
    for number in range(25):
        ExternalRatingFactory(intervention=intervention_factory(name=f"Programme {number:02d}"))
    intervention_factory(name="Programme not rated elsewhere")
    page = main(visitor.get(guidebook_url("rated_by=cebc")))
    following = page.find("a", rel="next").attrs["href"]
    assert parse_query(urlsplit(following).query) == {"rated_by": ["cebc"], "page": ["2"]}
    assert names(visitor.get(guidebook_url(urlsplit(following).query))) == [
        f"Programme {number:02d}" for number in range(20, 25)
    ]


def test_the_feed_follows_rated_by(rated_elsewhere, visitor):
    response = visitor.get(reverse("catalogue:guidebook-feed") + "?rated_by=wwc")
    assert response.status_code == 200
    feed = parse(response).find("feed")
    (title,) = [child for child in feed.children if getattr(child, "tag", "") == "title"]
    assert title.text == f"Guidebook: new and changed interventions (Also rated by: {WWC})"
    assert [entry.find("title").text for entry in feed.find_all("entry")] == [
        "Wwc only (evidence 3)"
    ]


def test_an_unknown_clearinghouse_is_reported_beside_the_filter(rated_elsewhere, visitor):
    response = visitor.get(guidebook_url("rated_by=nice&min_evidence=4"))
    assert response.status_code == 200
    error = filter_error(main(response), "Also rated by")
    assert error == (
        "“nice” is not a clearinghouse; choose from blueprints, cebc, iv-e, wwc, eef or "
        f"xchange. {NOT_APPLIED}"
    )
    assert names(response) == ["Cebc and eef", "Cebc, rated 4", "No other"]
    csv = visitor.get(guidebook_url("rated_by=nice&format=csv"))
    assert csv.status_code == 400
    assert "rated_by: “nice” is not a clearinghouse" in csv.content.decode()
    assert visitor.get(reverse("catalogue:guidebook-feed") + "?rated_by=nice").status_code == 400


NOTE = "Rated differently by another clearinghouse"


def card_notes(response) -> dict[str, bool]:
    return {card.find("h3").text: NOTE in card.text for card in main(response).find_all("article")}


def test_a_card_notes_where_another_clearinghouse_rates_it_in_another_tier(
    intervention_factory, visitor
):
    def rated(name: str, ours: int | None, *theirs: tuple[str, str]) -> None:
        intervention = intervention_factory(name=name, evidence_rating=ours)
        for house, rating in theirs:
            ExternalRatingFactory(intervention=intervention, clearinghouse=house, rating=rating)

    rated("Agrees", 45, ("cebc", "Well-Supported by Research Evidence"), ("blueprints", "Model"))
    rated("Higher elsewhere", 30, ("cebc", "Well-Supported by Research Evidence"))
    rated(
        "Not yet rated by us, alike",
        None,
        ("wwc", "Positive effects"),
        ("eef", "Positive impact, very high or high security (4 or 5 padlocks)"),
    )
    rated("Not yet rated by us, apart", None, ("wwc", "Positive effects"), ("eef", "No impact"))
    rated("Rated here alone", 30)
    assert card_notes(visitor.get(guidebook_url())) == {
        "Agrees": False,
        "Higher elsewhere": True,
        "Not yet rated by us, alike": False,
        "Not yet rated by us, apart": True,
        "Rated here alone": False,
    }


# Editors.

FORM = "intervention_form"


def change_url(intervention: Intervention) -> str:
    return reverse("admin:catalogue_intervention_change", args=[intervention.pk])


def with_external_rating(data: dict, **values: str) -> dict:
    """Add another clearinghouse's rating to the change form, as "Add another" does."""
    index = int(data["external_ratings-TOTAL_FORMS"])
    data["external_ratings-TOTAL_FORMS"] = str(index + 1)
    fields = {
        "id": "",
        "clearinghouse": "cebc",
        "rating": "Well-Supported by Research Evidence",
        "area": "Child welfare",
        "checked_on": "2026-09-01",
        "url": "https://www.cebc4cw.org/program/family-check-up/",
        **values,
    }
    data.update({f"external_ratings-{index}-{name}": value for name, value in fields.items()})
    return data


def test_an_editor_adds_another_clearinghouses_rating_on_the_change_form(
    intervention_factory, editor, visitor
):
    intervention = intervention_factory(name="Family Check-Up", evidence_rating=30)
    url = change_url(intervention)
    data = with_external_rating(open_form(editor, url, FORM), url="www.cebc4cw.org/program/fcu/")

    response = editor.post(url, data)

    assert response.status_code == 302, error_messages(response)
    (stored,) = intervention.external_ratings.all()
    # An address typed without its scheme is taken as https.
    assert (stored.clearinghouse, stored.rating, stored.url) == (
        "cebc",
        "Well-Supported by Research Evidence",
        "https://www.cebc4cw.org/program/fcu/",
    )
    assert (
        crosswalk(visitor.get(intervention.get_absolute_url())).find("tbody").text.startswith(CEBC)
    )


@pytest.mark.parametrize(
    ("clearinghouse", "rating"),
    [
        ("cebc", "Well supported"),  # not word for word
        ("wwc", "Well-Supported by Research Evidence"),  # another clearinghouse's word
        ("eef", ""),
        ("nice", "Recommended"),
    ],
)
def test_a_rating_not_on_that_clearinghouses_scale_is_refused_with_its_scale(
    intervention_factory, editor, clearinghouse, rating
):
    intervention = intervention_factory()
    url = change_url(intervention)
    data = with_external_rating(
        open_form(editor, url, FORM), clearinghouse=clearinghouse, rating=rating
    )

    response = editor.post(url, data)

    assert response.status_code == 200
    errors = error_messages(response)
    if clearinghouse not in Clearinghouse.values:
        assert errors == ["Select a valid choice. nice is not one of the available choices."]
    elif rating:
        scale = Clearinghouse(clearinghouse)
        assert errors == [
            f"Choose one of {scale.label}'s ratings: " + "; ".join(scale.scale.ratings) + "."
        ]
    else:
        assert errors == ["This field is required."]
    assert not ExternalRating.objects.exists()


def test_the_same_clearinghouse_and_area_twice_is_refused(intervention_factory, editor):
    intervention = intervention_factory()
    ExternalRatingFactory(intervention=intervention, area="Child welfare")
    url = change_url(intervention)
    data = with_external_rating(open_form(editor, url, FORM), rating="Promising Research Evidence")

    response = editor.post(url, data)

    assert response.status_code == 200
    assert error_messages(response)[0] == (
        "Please correct the duplicate data for clearinghouse and area, which must be unique."
    )
    assert intervention.external_ratings.count() == 1


def test_their_ratings_are_kept_out_of_our_public_change_log(intervention_factory, editor, visitor):
    """The change log records changes to our own ratings; theirs carry the date checked."""
    intervention = intervention_factory(evidence_rating=30)
    url = change_url(intervention)
    response = editor.post(url, with_external_rating(open_form(editor, url, FORM)))
    assert response.status_code == 302, error_messages(response)
    data = open_form(editor, url, FORM)
    data["external_ratings-0-rating"] = "Supported by Research Evidence"
    assert editor.post(url, data).status_code == 302

    page = main(visitor.get(intervention.get_absolute_url()))
    assert "Change log" not in page.headings()
    history = editor.get(reverse("admin:catalogue_intervention_history", args=[intervention.pk]))
    assert (
        "Other clearinghouses' ratings changed"
        in parse(history).find("table", id="change-history").text
    )


# The database's own rule, for writes that skip the form (imports, bulk writes).


@pytest.mark.parametrize("bulk", [False, True])
def test_the_database_refuses_a_rating_off_its_clearinghouses_scale(intervention_factory, bulk):
    intervention = intervention_factory()
    off_scale = ExternalRatingFactory.build(
        intervention=intervention, clearinghouse=Clearinghouse.WWC, rating="Model Plus"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        if bulk:
            ExternalRating.objects.bulk_create([off_scale])
        else:
            off_scale.save()
    ExternalRatingFactory(intervention=intervention, clearinghouse="wwc", rating="Mixed effects")
    assert intervention.external_ratings.count() == 1


# The demonstration data.


def test_seed_demo_gives_some_interventions_other_clearinghouses_ratings(seed, visitor):
    call_command(
        "seed_demo", "--projects", "0", "--interventions", "200",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    demo = Intervention.objects.filter(slug__startswith="demo-", published=True)
    rated = demo.filter(external_ratings__isnull=False).distinct()
    assert 0.1 * demo.count() < rated.count() < 0.5 * demo.count()
    assert set(ExternalRating.objects.values_list("clearinghouse", flat=True)) == set(
        Clearinghouse.values
    )
    differing = [
        intervention
        for intervention in rated.in_guidebook().for_cards()
        if intervention.rated_differently()
    ]
    assert 0 < len(differing) < rated.count()
    page = crosswalk(visitor.get(differing[0].get_absolute_url()))
    assert page.find("tbody").find_all("tr")
    counts = shown_counts(visitor.get(guidebook_url()))
    assert all(counts["rated_by", code] > 0 for code in Clearinghouse.values)


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewords_stored_eef_ratings_and_their_history_in_the_eefs_words():
    before = [("catalogue", "0014_external_ratings_and_review_items")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    intervention = old_apps.get_model("catalogue", "Intervention").objects.create(
        name="Reading Recovery", slug="reading-recovery", summary="A programme."
    )
    stored = {
        "intervention_id": intervention.pk,
        "clearinghouse": "eef",
        "rating": "Positive impact, moderate security (3 padlocks)",
        "area": "Literacy",
        "checked_on": datetime.date(2026, 5, 1),
        "url": "https://educationendowmentfoundation.org.uk/projects/reading-recovery/",
    }
    rating = old_apps.get_model("catalogue", "ExternalRating").objects.create(**stored)
    old_apps.get_model("catalogue", "HistoricalExternalRating").objects.create(
        id=rating.pk, history_date=timezone.now(), history_type="+", **stored
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # The EEF's words for three padlocks, on the crosswalk's scale.
    reworded = "Positive impact, moderate to high security (3 padlocks)"
    assert Clearinghouse.EEF.scale.tier(reworded) == Tier.SECOND
    assert ExternalRating.objects.get().rating == reworded
    assert ExternalRating.history.get().rating == reworded
