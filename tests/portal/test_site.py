"""Site-wide guards: the URL contract (docs/urls.md), one <h1> on every public page, and
breadcrumbs on every page below the home page."""

import json

import pytest
from django.urls import URLResolver, get_resolver, reverse

from catalogue.models import ChildOutcome
from tests.support.pages import parse


def test_urls_follow_the_published_contract():
    assert reverse("portal:home") == "/"
    assert reverse("projects:project-list") == "/projects/"
    assert reverse("projects:project-detail", args=["a-study"]) == "/projects/a-study/"
    assert reverse("projects:related-list", args=["a-study"]) == "/projects/a-study/related/"
    assert reverse("projects:partner-list") == "/partners/"
    assert reverse("projects:partner-detail", args=["refuge"]) == "/partners/refuge/"
    assert reverse("admin:index") == "/admin/"
    assert reverse("catalogue:guidebook") == "/interventions/"
    assert reverse("catalogue:intervention-detail", args=["fnp"]) == "/interventions/fnp/"
    assert reverse("catalogue:outcome-detail", args=["crime"]) == "/outcomes/crime/"
    assert reverse("ratings:explained") == "/ratings/"


# Routes whose answer is not a page for people: each must say why it is left out.
NOT_PAGES = {
    "portal:sitemap": "XML for search engines",
    "portal:sitemap-section": "XML for search engines",
    "portal:robots": "plain text for crawlers",
    "portal:favicon": "a redirect to the site's icon",
    # Editors' pages beside the admin, in its style (tests/editors/test_password_reset.py).
    **{
        name: "the editors' password reset"
        for name in [
            "admin_password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
        ]
    },
    "projects:project-feed": "an Atom feed",
    "catalogue:guidebook-feed": "an Atom feed",
    "catalogue:under-review-feed": "an Atom feed",
    "projects:document-download": "a file",
    "catalogue:intervention-badge": "an SVG image",
    "portal:data-file": "a downloadable file",
    # The JSON API: data for programs; its pages for people are at api:docs.
    **{
        f"api:{name}": "JSON for programs"
        for name in [
            "root",
            "openapi",
            "not-found",
            "interventions-history",
            *(
                f"{endpoint}-{kind}"
                for endpoint in [
                    "interventions",
                    "studies",
                    "findings",
                    "outcomes",
                    "projects",
                    "organisations",
                    "review-items",
                ]
                for kind in ("list", "detail")
            ),
        ]
    },
}


def public_routes() -> list[str]:
    """The name of every public route in the URLconf, the admin's left out."""
    names = []

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


@pytest.fixture
def public_urls(seed, project_factory, document_factory, intervention_factory):
    """Every public page of the URLconf, with the odd and the missing besides."""
    project = project_factory(published=False)
    document_factory(project=project)
    outcome = "preventing-child-maltreatment"
    intervention = intervention_factory(
        mixed_findings=True, outcomes=[ChildOutcome.objects.get(slug=outcome)]
    )
    intervention_factory(evidence_rating=10)
    draft = intervention_factory(published=False)
    seeded = "domestic-abuse-interventions-in-childrens-social-care"
    examples = {
        "portal:home": [reverse("portal:home")],
        "portal:search": [
            reverse("portal:search"),
            reverse("portal:search") + "?q=domestic+abuse",
            reverse("portal:search") + "?q=zebra",
            reverse("portal:search") + "?q=" + "x" * 300,
        ],
        "portal:accessibility": [reverse("portal:accessibility")],
        "projects:project-list": [
            reverse("projects:project-list"),
            reverse("projects:project-list") + "?status=bogus&topic=no-such&q=" + "x" * 300,
        ],
        "projects:project-detail": [
            reverse("projects:project-detail", args=[seeded]),
            reverse("projects:project-detail", args=["no-such-project"]),
        ],
        "projects:related-list": [reverse("projects:related-list", args=[seeded])],
        "projects:partner-list": [
            reverse("projects:partner-list"),
            reverse("projects:partner-list") + "?q=greenwich",
            reverse("projects:partner-list") + "?q=zebra",
            reverse("projects:partner-list") + "?q=" + "x" * 300,
        ],
        "projects:partner-detail": [
            reverse("projects:partner-detail", args=["university-of-greenwich"])
        ],
        "catalogue:guidebook": [
            reverse("catalogue:guidebook"),
            reverse("catalogue:guidebook") + "?evidence=7&max_cost=abc&q=" + "x" * 300,
        ],
        "catalogue:compare": [
            reverse("catalogue:compare"),
            reverse("catalogue:compare") + f"?compare={intervention.slug}&compare=no-such",
        ],
        "catalogue:other-programmes": [reverse("catalogue:other-programmes")],
        "catalogue:intervention-detail": [
            reverse("catalogue:intervention-detail", args=[intervention.slug]),
            reverse("catalogue:intervention-detail", args=[draft.slug]),
        ],
        "catalogue:outcome-detail": [
            reverse("catalogue:outcome-detail", args=[outcome]),
            reverse("catalogue:outcome-detail", args=["no-such"]),
        ],
        "ratings:explained": [reverse("ratings:explained")],
        "api:docs": [reverse("api:docs")],
        "portal:data": [reverse("portal:data")],
        "feedback:report": [
            reverse("feedback:report"),
            reverse("feedback:report") + "?page=/projects/",
            reverse("feedback:report") + "?page=https://elsewhere.example/",
        ],
        "feedback:sent": [reverse("feedback:sent"), reverse("feedback:sent") + "?page=/"],
        "feedback:suggest": [reverse("feedback:suggest")],
        "portal:help": [reverse("portal:help")],
        "portal:glossary": [reverse("portal:glossary")],
        "portal:contact": [reverse("portal:contact")],
        "portal:privacy": [reverse("portal:privacy")],
        "portal:cookies": [reverse("portal:cookies")],
        "feedback:send-evidence": [
            reverse("feedback:send-evidence", args=[intervention.slug]),
            reverse("feedback:send-evidence", args=[draft.slug]),
        ],
        "catalogue:under-review": [
            reverse("catalogue:under-review"),
            reverse("catalogue:under-review") + "?format=xml",
        ],
    }
    routes = set(public_routes()) - set(NOT_PAGES)
    assert routes == set(examples), "every public page needs an example address here"
    return [
        *(url for urls in examples.values() for url in urls),
        # An invalid feed query answers with the 400 page; an unknown address, the 404.
        reverse("catalogue:guidebook-feed") + "?min_evidence=7",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("persona", ["visitor", "outsider", "editor"])
def test_every_public_page_has_exactly_one_h1_and_a_title(public_urls, persona, request):
    client = request.getfixturevalue(persona)
    for url in public_urls:
        page = parse(client.get(url))
        assert len(page.find_all("h1")) == 1, url
        assert page.find("title").text, url
        assert page.find("html").attrs["lang"] == "en-GB"


def test_every_page_below_home_has_breadcrumbs_a_search_engine_reads_too(
    public_urls, visitor, settings
):
    settings.SITE_URL = "https://portal.example"
    checked = 0
    for url in public_urls:
        response = visitor.get(url)
        if url == "/" or response.status_code != 200 or "json" in response["Content-Type"]:
            continue
        page = parse(response)
        trail = page.find("nav", class_="breadcrumbs")
        items = trail.find_all("li")
        assert items[0].find("a").attrs["href"] == "/", url
        assert items[-1].attrs["aria-current"] == "page", url
        (script,) = [
            node
            for node in page.find_all("script", type="application/ld+json")
            if "BreadcrumbList" in node.text
        ]
        listed = json.loads(script.text)["itemListElement"]
        assert [item["name"] for item in listed] == [item.text for item in items], url
        assert listed[0]["item"] == "https://portal.example/"
        assert [item["position"] for item in listed] == list(range(1, len(items) + 1))
        checked += 1
    assert checked >= 25


def test_an_intervention_pages_trail_leads_through_the_guidebook(visitor, intervention_factory):
    intervention = intervention_factory(name="Family Nurse Partnership")
    trail = parse(visitor.get(intervention.get_absolute_url())).find("nav", class_="breadcrumbs")
    assert trail.items() == ["Home", "Guidebook", "Family Nurse Partnership"]
    assert trail.links() == {"Home": "/", "Guidebook": "/interventions/"}


def test_pages_are_readable_on_a_phone(visitor, db):
    viewport = parse(visitor.get(reverse("portal:home"))).find("meta", name="viewport")
    assert "width=device-width" in viewport.attrs["content"]


def test_page_not_found_offers_a_way_back(visitor, db):
    response = visitor.get(reverse("projects:partner-detail", args=["no-such-partner"]))
    assert response.status_code == 404
    links = parse(response).find("main").links()
    assert links["Go to the home page"] == reverse("portal:home")
    assert links["browse research projects"] == reverse("projects:project-list")


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/projects/", "Research projects"),
        ("/interventions/", "Guidebook"),
        ("/ratings/", "What the ratings mean"),
        ("/", None),
        ("/help/", None),
    ],
)
def test_the_main_navigation_marks_the_section_the_page_is(visitor, db, path, current):
    """The header is made once a process for each section: each still marks its own."""
    for _ in range(2):
        nav = parse(visitor.get(path)).find("nav", aria_label="Main")
        marked = [link.text for link in nav.find_all("a", aria_current="page")]
        assert marked == ([current] if current else [])
