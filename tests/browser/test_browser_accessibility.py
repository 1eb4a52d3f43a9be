"""axe-core finds no accessibility violation on any kind of page."""

import decimal

import pytest
from django.urls import reverse

from catalogue.models import ChildOutcome, Direction, StudyDesign, StudyLevel
from projects.models import Organisation, Project
from tests.support.factories import FindingFactory, StudyFactory

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
        "partner list": reverse("projects:partner-list"),
        "partner list searched": reverse("projects:partner-list") + "?q=" + "x" * 300,
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
        "open data": reverse("portal:data"),
        "report a problem": reverse("feedback:report") + f"?page={project.get_absolute_url()}",
        "suggest a programme": reverse("feedback:suggest"),
        "send evidence": reverse("feedback:send-evidence", args=[catalogue["fnp"].slug]),
        "help": reverse("portal:help"),
        "glossary": reverse("portal:glossary"),
        "privacy": reverse("portal:privacy"),
        "cookies": reverse("portal:cookies"),
        "contact": reverse("portal:contact"),
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
    "partner list",
    "partner list searched",
    "outcome",
    "ratings",
    "search results",
    "search with nothing found",
    "search with an error",
    "not found",
    "admin login",
    "compare",
    "accessibility statement",
    "open data",
    "report a problem",
    "suggest a programme",
    "send evidence",
    "help",
    "glossary",
    "privacy",
    "cookies",
    "contact",
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


PHONE_WIDTH = 375
DESKTOP_WIDTH = 1280


@pytest.fixture
def studied(catalogue):
    """Family Nurse Partnership with what its page shows at its fullest: implementation,
    cost, and three studies with findings, one of them reporting little."""
    fnp = catalogue["fnp"]
    maltreatment = ChildOutcome.objects.get(slug="preventing-child-maltreatment")
    mental_health = ChildOutcome.objects.get(
        slug="supporting-childrens-mental-health-and-wellbeing"
    )
    fnp.delivery = "Weekly, then fortnightly, home visits of about an hour."
    fnp.training = "Nurses train for four days and have weekly supervision."
    fnp.cost_description = "Mostly the nurses' time, over two and a half years."
    fnp.unit_cost = decimal.Decimal("3560")
    fnp.save()
    first = StudyFactory(
        intervention=fnp,
        citation="Robling, M. et al. (2016). Effectiveness of a nurse-led intensive "
        "home-visitation programme for first-time teenage mothers (Building Blocks): "
        "a pragmatic randomised controlled trial. The Lancet, 387(10014), 146–155.",
        doi="10.1016/S0140-6736(15)00392-X",
        registry_ids="ISRCTN23019866",
        independent=True,
        population_ages="Mothers aged 19 or under, from pregnancy until the child is two",
        population_need="Targeted selected",
        ethnicity="",
        measures="Child protection records; Ages and Stages Questionnaire",
        limitations="Usual care in England already offered mothers a good deal of support.",
    )
    for outcome, direction, months in (
        (maltreatment, Direction.NO_EFFECT, 0),
        (mental_health, Direction.FAVOURABLE, 12),
    ):
        FindingFactory(
            study=first,
            outcome=outcome,
            sub_outcome="Fewer referrals to children's social care",
            measure="Referrals recorded by the local authority over the two years",
            statement="A long statement of what was found, with a figure of 9.18 points and "
            "a confidence interval from 1.2 to 17.1, long enough to wrap in a narrow cell.",
            direction=direction,
            effect_size=decimal.Decimal("0.12"),
            improvement_index=5,
            months_after_end=months,
        )
    second = StudyFactory(
        intervention=fnp,
        design=StudyDesign.QED,
        level=StudyLevel.LEVEL_2,
        country="United States",
        sample_intervention=None,
        sample_comparison=None,
    )
    FindingFactory(study=second, outcome=maltreatment, direction=Direction.UNFAVOURABLE)
    StudyFactory(intervention=fnp, counts_towards_rating=False, level=StudyLevel.BELOW_2)
    fnp.refresh_from_db()
    return fnp


@pytest.mark.parametrize(
    "width",
    [pytest.param(PHONE_WIDTH, id="phone"), pytest.param(DESKTOP_WIDTH, id="desktop")],
)
def test_axe_finds_no_violations_on_an_intervention_page_with_studies(width, new_context, studied):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(studied.get_absolute_url())
    assert page.locator("section#study-3").count() == 1
    violations = axe_playwright.Axe().run(page).response["violations"]
    assert violations == [], f"intervention with studies at {width}px:\n{describe(violations)}"


def test_an_intervention_page_with_studies_does_not_scroll_sideways_on_a_phone(
    new_context, studied
):
    page = new_context(viewport={"width": PHONE_WIDTH, "height": 800}).new_page()
    page.goto(studied.get_absolute_url())
    page_width, window = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert page_width <= window, f"{page_width}px wide in a {window}px window"
    # The findings table is wider than the phone: it scrolls inside its own region.
    region = page.locator("section#study-1 .table-scroll")
    inner, outer = region.evaluate("(node) => [node.scrollWidth, node.clientWidth]")
    assert inner > outer
