"""Atom feeds: new and changed research projects, and new and changed interventions for any
guidebook filter, linked from the filtered page so a person can follow it."""

import datetime
import xml.etree.ElementTree as ElementTree

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Intervention
from projects.models import Project
from ratings.scales import EvidenceRating
from tests.support.pages import main, parse

ATOM = "{http://www.w3.org/2005/Atom}"
# Full addresses are built from the configured site address, whatever the Host.
SITE = settings.SITE_URL


def read_feed(response) -> ElementTree.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def entry_titles(feed: ElementTree.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def changed(record, days_ago: int) -> None:
    """Backdate the record's last change, which auto_now would not allow."""
    type(record).objects.filter(pk=record.pk).update(
        updated=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_project_feed_lists_published_projects_most_recently_changed_first(
    project_factory, visitor
):
    for title, days_ago in [("Changed last week", 7), ("Changed today", 0), ("Changed in May", 90)]:
        changed(project_factory(title=title), days_ago)
    changed(project_factory(title="A draft", published=False), 0)
    feed = read_feed(visitor.get(reverse("projects:project-feed")))
    assert feed.findtext(f"{ATOM}title") == "Research projects: new and changed"
    assert entry_titles(feed) == ["Changed today", "Changed last week", "Changed in May"]


def test_project_feed_entries_link_to_the_project_and_say_what_it_is(project_factory, visitor):
    project = project_factory(
        title="Restart", study_type="pilot", status="planned", summary="Does Restart help?"
    )
    entry = next(read_feed(visitor.get(reverse("projects:project-feed"))).iter(f"{ATOM}entry"))
    assert entry.find(f"{ATOM}link").attrib["href"] == SITE + project.get_absolute_url()
    assert entry.findtext(f"{ATOM}summary") == "Pilot study / Planned. Does Restart help?"
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == Project.objects.get(pk=project.pk).updated


@pytest.mark.parametrize("feed", ["projects:project-feed", "catalogue:guidebook-feed"])
def test_an_entrys_id_stays_when_its_slug_changes(
    feed, project_factory, intervention_factory, visitor
):
    """A feed reader knows an entry by its id: a new address must not make it new."""
    record = project_factory() if feed.startswith("projects") else intervention_factory()

    def entry() -> ElementTree.Element:
        return next(read_feed(visitor.get(reverse(feed))).iter(f"{ATOM}entry"))

    before = entry().findtext(f"{ATOM}id")
    record.slug = "a-new-address"
    record.save()
    after = entry()
    assert after.findtext(f"{ATOM}id") == before
    assert str(record.pk) in before and "a-new-address" not in before
    assert after.find(f"{ATOM}link").attrib["href"] == SITE + record.get_absolute_url()


def test_every_page_tells_feed_readers_about_the_project_feed(visitor, db):
    for url in (reverse("portal:home"), reverse("projects:project-list"), reverse("portal:search")):
        links = parse(visitor.get(url)).find_all("link", rel="alternate")
        assert reverse("projects:project-feed") in [link.attrs["href"] for link in links], url


@pytest.fixture
def guidebook(intervention_factory, child_outcome_factory) -> dict[str, Intervention]:
    maltreatment = child_outcome_factory(name="Preventing maltreatment")
    crime = child_outcome_factory(name="Preventing crime")
    made = {
        "strong": intervention_factory(
            name="Strong and on maltreatment",
            evidence_rating=EvidenceRating.LEVEL_3_PLUS,
            outcomes=[maltreatment],
        ),
        "level 4": intervention_factory(
            name="Level 4 on maltreatment and crime",
            evidence_rating=EvidenceRating.LEVEL_4,
            outcomes=[maltreatment, crime],
        ),
        "weak": intervention_factory(
            name="Weaker on maltreatment",
            evidence_rating=EvidenceRating.LEVEL_2_PLUS,
            outcomes=[maltreatment],
        ),
        "other outcome": intervention_factory(
            name="Strong on crime only",
            evidence_rating=EvidenceRating.LEVEL_4_PLUS,
            outcomes=[crime],
        ),
        "draft": intervention_factory(
            name="Draft on maltreatment",
            evidence_rating=EvidenceRating.LEVEL_4_PLUS,
            outcomes=[maltreatment],
            published=False,
        ),
    }
    changed(made["strong"], 10)
    changed(made["level 4"], 1)
    return made


FILTERS = {"min_evidence": "3", "outcome": "preventing-maltreatment"}


def test_guidebook_feed_lists_only_interventions_matching_the_filters(guidebook, visitor):
    feed = read_feed(visitor.get(reverse("catalogue:guidebook-feed"), FILTERS))
    assert entry_titles(feed) == [
        "Level 4 on maltreatment and crime (evidence 4)",
        "Strong and on maltreatment (evidence 3+)",
    ]


def test_guidebook_feed_title_says_which_filters_it_follows(guidebook, visitor):
    feed = read_feed(visitor.get(reverse("catalogue:guidebook-feed"), FILTERS))
    assert feed.findtext(f"{ATOM}title") == (
        "Guidebook: new and changed interventions "
        "(Evidence rating at least: 3; Child outcome: Preventing maltreatment)"
    )


def test_guidebook_feed_links_back_to_the_filtered_guidebook(guidebook, visitor):
    feed = read_feed(visitor.get(reverse("catalogue:guidebook-feed"), FILTERS))
    links = {link.attrib["rel"]: link.attrib["href"] for link in feed.findall(f"{ATOM}link")}
    assert links["alternate"] == (
        SITE + reverse("catalogue:guidebook") + "?min_evidence=3&outcome=preventing-maltreatment"
    )
    assert links["self"] == (
        SITE
        + reverse("catalogue:guidebook-feed")
        + "?min_evidence=3&outcome=preventing-maltreatment"
    )


def test_unfiltered_guidebook_feed_lists_every_published_guidebook_intervention(
    guidebook, intervention_factory, visitor
):
    intervention_factory(name="Not effective", evidence_rating=EvidenceRating.NOT_EFFECTIVE)
    feed = read_feed(visitor.get(reverse("catalogue:guidebook-feed")))
    assert feed.findtext(f"{ATOM}title") == "Guidebook: new and changed interventions"
    assert sorted(entry_titles(feed)) == [
        "Level 4 on maltreatment and crime (evidence 4)",
        "Strong and on maltreatment (evidence 3+)",
        "Strong on crime only (evidence 4+)",
        "Weaker on maltreatment (evidence 2+)",
    ]


def test_the_filtered_guidebook_links_to_the_feed_of_the_same_filters(guidebook, visitor):
    response = visitor.get(reverse("catalogue:guidebook"), {**FILTERS, "sort": "name", "page": 1})
    page = parse(response)
    feed_link = main(response).links()[
        "Follow new and changed interventions matching these filters (Atom feed)"
    ]
    # Sorting and paging change how a page looks, not which interventions a feed follows.
    assert feed_link == (
        reverse("catalogue:guidebook-feed") + "?min_evidence=3&outcome=preventing-maltreatment"
    )
    discovery = [
        link.attrs["href"]
        for link in page.find_all("link", rel="alternate")
        if link.attrs["title"] == "New and changed interventions matching these filters"
    ]
    assert discovery == [feed_link]
    cards = [title.text for title in main(response).find_all("h3", class_="card__title")]
    feed = read_feed(visitor.get(feed_link))
    assert sorted(title.rsplit(" (evidence", 1)[0] for title in entry_titles(feed)) == sorted(cards)


@pytest.mark.parametrize(
    "query",
    [
        {"min_evidence": "7"},
        {"outcome": "no-such-outcome"},
        {"evidence": "3", "cost": "99"},
        {"sort": "sideways"},
    ],
)
def test_an_invalid_filter_in_the_feed_is_a_400_on_the_sites_page(query, guidebook, visitor):
    response = visitor.get(reverse("catalogue:guidebook-feed"), query)
    assert response.status_code == 400
    page = main(response)
    assert page.find("h1").text == "We could not understand that request"
    assert page.find("form", role="search").attrs["action"] == reverse("portal:search")
    assert page.links()["Go to the home page"] == reverse("portal:home")


def test_the_feed_link_leaves_out_a_filter_the_page_could_not_apply(guidebook, visitor):
    response = visitor.get(reverse("catalogue:guidebook"), {**FILTERS, "max_cost": "cheap"})
    assert "This filter was not applied." in main(response).text
    feed_link = main(response).links()[
        "Follow new and changed interventions matching these filters (Atom feed)"
    ]
    assert feed_link == (
        reverse("catalogue:guidebook-feed") + "?min_evidence=3&outcome=preventing-maltreatment"
    )
    assert visitor.get(feed_link).status_code == 200
