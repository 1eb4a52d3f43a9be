"""The API's project list gives the public project list's projects in its order for the
same query, walking every page of both, over generated projects and queries."""

import datetime
import random
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from projects.models import Role, Status, StudyType
from tests.support.api import ids, walk
from tests.support.factories import OrganisationFactory, ProjectFactory
from tests.support.pages import main

PROJECTS_SEED = 20261203
TOPICS = ["Domestic abuse", "Kinship care", "Perpetrators", "Care leavers", "Early help"]
PARTNERS = ["Refuge", "University of Greenwich", "Barnardos", "Coram", "Action for Children"]
TITLE_WORDS = ["Family", "Housing", "Advocacy", "School", "Parenting", "Mentoring", "Trial"]
SEARCH_WORDS = ["family", "housing", "advocacy", "parents", "greenwich", "coram", "nothing"]


def make_projects(seed: int) -> dict:
    """Sixty projects, a sixth of them drafts, over every status, study type, topic and
    partner; some made at the same moment, so that the title settles their order."""
    rng = random.Random(seed)
    partners = [OrganisationFactory(name=name) for name in PARTNERS]
    now = timezone.now()
    made = []
    for number in range(60):
        # Every third shares its moment with the one before.
        step = number - 1 if number % 3 == 2 else number
        moment = now - datetime.timedelta(hours=step * 5)
        words = rng.sample(TITLE_WORDS, 2)
        made.append(
            ProjectFactory(
                title=f"{words[0]} and {words[1].lower()} study {rng.randint(10, 99)}-{number}",
                summary=rng.choice(
                    ["Support for parents.", "Help with housing.", "Advocacy at school.", "."]
                ),
                study_type=rng.choice(StudyType.values),
                status=rng.choice(Status.values),
                topics=rng.sample(TOPICS, rng.randint(0, 2)),
                delivery_partners=rng.sample(partners, rng.randint(0, 2)),
                evaluation_partners=rng.sample(partners, rng.randint(0, 1)),
                created=moment,
                published=number % 6 != 5,
            )
        )
    # A topic and a partner of drafts alone: not a value the list takes.
    ProjectFactory(
        title="Unannounced",
        topics=["Secret topic"],
        delivery_partners=[OrganisationFactory(name="Hidden Partner")],
        published=False,
    )
    published = [project for project in made if project.published]
    assert {project.status for project in published} == set(Status.values)
    assert {project.study_type for project in published} == set(StudyType.values)
    assert {topic.name for p in published for topic in p.topics.all()} == set(TOPICS)
    assert {
        partnership.organisation.name for p in published for partnership in p.partnerships.all()
    } == set(PARTNERS)
    return {"published": published}


@pytest.fixture(scope="module")
def shared_projects(django_db_setup, django_db_blocker) -> dict:
    """The generated projects, made once for the module's tests that only read them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_projects(PROJECTS_SEED)
        transaction.set_rollback(True)


def slug_of(name: str) -> str:
    return name.lower().replace(" ", "-")


ONE_FILTER = [
    "",
    *(f"status={status}" for status in Status.values),
    *(f"study_type={study_type}" for study_type in StudyType.values),
    *(f"topic={slug_of(topic)}" for topic in TOPICS),
    *(f"partner={slug_of(partner)}" for partner in PARTNERS),
    *(f"q={word}" for word in SEARCH_WORDS),
    "q=Family+study",
    "q=FAMILY",
    "status=planned&status=completed&status=paused",
    "study_type=pilot&study_type=efficacy",
    # Empty values, as the list's form sends them for "any".
    "q=&topic=&partner=",
]


def random_queries(count: int) -> list[str]:
    """Queries that set each filter, or not, at random."""
    rng = random.Random(PROJECTS_SEED)
    queries = []
    for _ in range(count):
        pairs = []
        if rng.random() < 0.3:
            pairs.append(("q", rng.choice(SEARCH_WORDS[:-1])))
        if rng.random() < 0.5:
            pairs += [("status", code) for code in rng.sample(Status.values, rng.randint(1, 3))]
        if rng.random() < 0.5:
            types = rng.sample(StudyType.values, rng.randint(1, 3))
            pairs += [("study_type", code) for code in types]
        if rng.random() < 0.4:
            pairs.append(("topic", slug_of(rng.choice(TOPICS))))
        if rng.random() < 0.4:
            pairs.append(("partner", slug_of(rng.choice(PARTNERS))))
        rng.shuffle(pairs)
        queries.append(urlencode(pairs))
    return queries


def listed_slugs(client, query: str) -> list[str]:
    """The slugs of the public project list's cards for query, every page of it."""
    list_url = reverse("projects:project-list")
    url = f"{list_url}?{query}"
    slugs = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = main(response)
        # Every value was valid: none was reported and left out.
        assert page.find_all("p", class_="field-error") == []
        slugs += [
            title.find("a").attrs["href"].split("?")[0].removeprefix("/projects/").removesuffix("/")
            for title in page.find_all("h3", class_="card__title")
        ]
        next_links = page.find_all("a", rel="next")
        url = list_url + next_links[0].attrs["href"] if next_links else None
    return slugs


@pytest.mark.parametrize("query", ONE_FILTER + random_queries(30))
def test_the_project_list_is_the_public_list_for_the_same_query(shared_projects, visitor, query):
    api = walk(visitor, f"/api/v1/projects/?{query}&page_size=7")
    assert [project["slug"] for project in api] == listed_slugs(visitor, query)


def test_the_generated_queries_tell_the_projects_apart(shared_projects, visitor):
    """Most queries find some projects and leave out others, or the test above proves little."""
    everything = len(shared_projects["published"])
    counts = [
        len(walk(visitor, f"/api/v1/projects/?{query}&page_size=100"))
        for query in random_queries(30)
    ]
    assert len(walk(visitor, "/api/v1/projects/?page_size=100")) == everything
    assert sum(0 < count < everything for count in counts) >= 20
    # The public list shows more than one page of them.
    assert everything > settings.PROJECTS_PER_PAGE


def test_the_project_list_is_newest_first_then_by_title(shared_projects, visitor):
    expected = sorted(
        shared_projects["published"],
        key=lambda project: (-project.created.timestamp(), project.title),
    )
    api = walk(visitor, "/api/v1/projects/?page_size=2")
    assert [project["id"] for project in api] == [project.pk for project in expected]
    assert len({project.created for project in expected}) < len(expected)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("topic=secret-topic", "topic"), ("partner=hidden-partner", "partner")],
)
def test_a_value_of_drafts_alone_is_refused_as_the_public_list_reports_it(
    shared_projects, visitor, query, parameter
):
    response = visitor.get(f"/api/v1/projects/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]
    page = main(visitor.get(f"{reverse('projects:project-list')}?{query}"))
    assert page.find_all("p", class_="field-error") != []


def test_a_project_by_role_is_found_through_either_role(shared_projects, visitor):
    refuge = next(
        each
        for each in walk(visitor, "/api/v1/organisations/?page_size=100")
        if each["slug"] == "refuge"
    )
    found = ids(walk(visitor, "/api/v1/projects/?partner=refuge&page_size=100"))
    assert sorted(found) == sorted({each["project_id"] for each in refuge["projects"]})
    assert {each["role"]["code"] for each in refuge["projects"]} == set(Role.values)
