"""Real-browser tests: Debian's headless Chromium, driven by Playwright's sync API, against
pytest-django's live server. One browser for the session, a fresh context for each test.

Leave them out with `pytest -m "not browser"`."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings

from catalogue.models import ChildOutcome
from projects.models import Project
from ratings.scales import CostRating, EvidenceRating
from tests.support.factories import InterventionFactory

# Debian's Chromium; CHROMIUM_PATH=/nowhere runs the suite as a machine without it would.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 10_000


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: runs in headless Chromium; leave out with -m 'not browser'"
    )


@pytest.fixture(scope="session", autouse=True)
def live_server_settings(tmp_path_factory):
    """Settings for the session's live server, which starts before any test's own."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    # Its request threads live as long as the browser keeps a connection alive; with
    # persistent database connections one would still hold the test database when the
    # session drops it.
    database = connections["default"].settings_dict
    max_age, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0
    # whitenoise warns, and warnings fail the suite, when STATIC_ROOT does not exist.
    with override_settings(
        STATIC_ROOT=static_root,
        STORAGES={
            **settings.STORAGES,
            # Each test's own settings do the same; the manifest storage needs collectstatic.
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield
    database["CONN_MAX_AGE"] = max_age


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install playwright"
    )
    # Playwright's sync API keeps an event loop running in the test thread from now on, and
    # Django's ORM refuses to run beside one unless told that this is safe, as it is here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()
        # While an event loop runs, Django keeps this thread's connections apart from the
        # usual ones; close them now, or they would hold the test database open at the end.
        connections.close_all()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def new_context(browser, live_server):
    """Open fresh browser contexts (no cookies, no history) on the live server."""
    contexts = []

    def new(**options):
        context = browser.new_context(
            base_url=live_server.url, **{"viewport": DESKTOP, "accept_downloads": True, **options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def seeded(transactional_db, live_server) -> None:
    """The seed content, loaded for each test: the live server needs committed data."""
    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture
def catalogue(seeded) -> dict:
    """A few interventions on the seed's child outcomes, one studied by a seed project."""
    maltreatment = ChildOutcome.objects.get(slug="preventing-child-maltreatment")
    mental_health = ChildOutcome.objects.get(
        slug="supporting-childrens-mental-health-and-wellbeing"
    )
    crime = ChildOutcome.objects.get(slug="preventing-crime-violence-and-antisocial-behaviour")
    made = {
        "fnp": InterventionFactory(
            name="Family Nurse Partnership",
            summary="Home visits by specially trained nurses for young first-time mothers.",
            description="Nurses visit from early pregnancy until the child is two.\n\n"
            "- Weekly or fortnightly visits\n- A structured programme",
            evidence_rating=EvidenceRating.LEVEL_4_PLUS,
            mixed_findings=True,
            cost_rating=CostRating.HIGH,
            outcomes=[(maltreatment, "Fewer reports of maltreatment by age 15."), mental_health],
            age_groups=["prenatal", "0-2"],
            level_of_need=["targeted-selected"],
            setting=["home"],
            delivery_model=["individual"],
            provider="FNP National Unit",
            website="https://fnp.example.org/",
            uk_tested=True,
            uk_available=True,
        ),
        "incredible": InterventionFactory(
            name="Incredible Years",
            summary="Group sessions that help parents manage their young children's behaviour.",
            evidence_rating=EvidenceRating.LEVEL_3,
            cost_rating=CostRating.MEDIUM_LOW,
            outcomes=[maltreatment],
            age_groups=["3-5"],
            setting=["community"],
        ),
        "weaker": InterventionFactory(
            name="Parents Plus",
            summary="A video-based parenting course run by practitioners in local services.",
            evidence_rating=EvidenceRating.LEVEL_2_PLUS,
            cost_rating=CostRating.LOW,
            outcomes=[maltreatment],
        ),
        "crime": InterventionFactory(
            name="Functional Family Therapy",
            summary="Family therapy for young people at risk of offending, at home or in clinic.",
            evidence_rating=EvidenceRating.LEVEL_4,
            cost_rating=CostRating.MEDIUM_HIGH,
            outcomes=[crime],
        ),
        "not effective": InterventionFactory(
            name="Scared Straight",
            summary="Prison visits meant to deter young people from crime.",
            evidence_rating=EvidenceRating.NOT_EFFECTIVE,
            cost_rating=CostRating.LOW,
            outcomes=[crime],
        ),
    }
    project = Project.objects.get(slug="domestic-abuse-interventions-in-childrens-social-care")
    project.interventions.add(made["fnp"])
    return made
