"""axe-core finds no accessibility violation on any kind of page."""

import pytest
from django.urls import reverse

from projects.models import Organisation, Project

pytestmark = pytest.mark.browser

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)

PROJECT = "domestic-abuse-interventions-in-childrens-social-care"


def page_addresses(catalogue) -> dict[str, str]:
    project = Project.objects.get(slug=PROJECT)
    partner = Organisation.objects.get(slug="university-of-greenwich")
    return {
        "home": reverse("portal:home"),
        "project list": reverse("projects:project-list"),
        "guidebook": reverse("catalogue:guidebook"),
        "guidebook filtered": reverse("catalogue:guidebook")
        + "?min_evidence=3&outcome=preventing-child-maltreatment&max_cost=zzz",
        "other programmes": reverse("catalogue:other-programmes"),
        "project page": project.get_absolute_url(),
        "intervention page": catalogue["fnp"].get_absolute_url(),
        "related projects": reverse("projects:related-list", args=[project.slug]),
        "partner": partner.get_absolute_url(),
        "outcome": reverse("catalogue:outcome-detail", args=["preventing-child-maltreatment"]),
        "ratings": reverse("ratings:explained"),
        "search results": reverse("portal:search") + "?q=domestic+abuse",
        "search with nothing found": reverse("portal:search") + "?q=zebra",
        "search with an error": reverse("portal:search") + "?q=" + "x" * 300,
        "not found": "/no-such-page/",
        "admin login": reverse("admin:login"),
        "compare": reverse("catalogue:compare")
        + f"?compare={catalogue['fnp'].slug}&compare={catalogue['incredible'].slug}",
        "accessibility statement": reverse("portal:accessibility"),
    }


PAGES = [
    "home",
    "project list",
    "guidebook",
    "guidebook filtered",
    "other programmes",
    "project page",
    "intervention page",
    "related projects",
    "partner",
    "outcome",
    "ratings",
    "search results",
    "search with nothing found",
    "search with an error",
    "not found",
    "admin login",
    "compare",
    "accessibility statement",
]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']} {node['html'][:160]}" for node in violation["nodes"]]
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(name, page, catalogue):
    address = page_addresses(catalogue)[name]
    page.goto(address)
    violations = axe_playwright.Axe().run(page).response["violations"]
    assert violations == [], f"{name} ({address}):\n{describe(violations)}"
