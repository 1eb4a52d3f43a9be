"""The demonstration catalogue `make run` adds beside the seed: enough generated records to
try every filter, named so that nobody takes them for real, said so on every public page
while they are there, added once however often `make run` runs, and never by a
production install."""

import io
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import Intervention
from projects.models import Project, Status
from tests.support.pages import parse

BANNER = "Demonstration records."
DEMO_SIZE = {"projects": 40, "interventions": 150}


def seed_demo(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    call_command("load_seed", stdout=io.StringIO())


@pytest.fixture
def demo(seeded):
    seed_demo("--once", **DEMO_SIZE)


def public_pages() -> list[str]:
    project = Project.objects.published().order_by("pk").first()
    intervention = Intervention.objects.published().in_guidebook().order_by("pk").first()
    return [
        reverse("portal:home"),
        reverse("portal:search") + "?q=family",
        reverse("portal:accessibility"),
        reverse("projects:project-list"),
        project.get_absolute_url(),
        project.partnerships.first().organisation.get_absolute_url(),
        reverse("catalogue:guidebook"),
        reverse("catalogue:other-programmes"),
        intervention.get_absolute_url(),
        reverse("catalogue:outcome-detail", args=["preventing-child-maltreatment"]),
        reverse("catalogue:compare") + f"?compare={intervention.slug}",
        reverse("ratings:explained"),
    ]


def test_every_public_page_says_it_shows_demonstration_records(demo, visitor):
    for address in public_pages():
        response = visitor.get(address)
        assert response.status_code == 200, address
        (banner,) = parse(response).find_all("div", class_="demo-banner")
        assert banner.text.startswith(BANNER), address
        assert "python manage.py seed_demo --clear" in banner.text


def test_the_demo_records_are_named_as_made_up(demo):
    demo_interventions = Intervention.objects.filter(slug__startswith="demo-")
    assert demo_interventions.count() == DEMO_SIZE["interventions"]
    assert all(
        name.startswith("Demo ") for name in demo_interventions.values_list("name", flat=True)
    )
    titles = Project.objects.filter(slug__startswith="demo-").values_list("title", flat=True)
    assert len(titles) == DEMO_SIZE["projects"]
    assert all(" Demo " in title for title in titles)


def test_there_is_enough_to_try_every_filter_of_the_guidebook(demo):
    listed = Intervention.objects.published().in_guidebook()
    assert {i.evidence_rating for i in listed} >= {20, 25, 30, 35, 40, 45}
    assert {i.cost_rating for i in listed} >= {1, 2, 3, 4, 5}
    assert len({slug for i in listed for slug in i.outcomes.slugs()}) == 7


def test_running_it_again_adds_nothing(demo):
    before = (Project.objects.count(), Intervention.objects.count())
    assert "none added" in seed_demo("--once", **DEMO_SIZE)
    assert (Project.objects.count(), Intervention.objects.count()) == before


def test_without_demonstration_records_no_page_carries_the_banner(
    seeded, intervention_factory, visitor
):
    intervention_factory(name="A real programme", evidence_rating=30)
    for address in public_pages():
        assert BANNER not in visitor.get(address).text, address


def test_clearing_them_takes_the_banner_away_at_once(demo, visitor):
    assert BANNER in visitor.get(reverse("portal:home")).text
    seed_demo("--clear", projects=0, interventions=0)
    assert not Project.objects.filter(slug__startswith="demo-").exists()
    assert BANNER not in visitor.get(reverse("portal:home")).text


def test_the_admin_carries_no_banner(demo, editor):
    assert BANNER not in editor.get(reverse("admin:index")).text


def test_loading_the_seed_again_keeps_an_editors_change(seeded):
    project = Project.objects.filter(status=Status.IN_PROGRESS).first()
    project.status = Status.PAUSED
    project.save()
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    assert "loaded already" in out.getvalue()
    project.refresh_from_db()
    assert project.status == Status.PAUSED


def make_dry_run(*args: str) -> str:
    """The commands make would run, without running them."""
    result = subprocess.run(
        ["make", "--always-make", "--dry-run", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_adds_the_demonstration_catalogue_once_and_demo_no_leaves_it_out():
    assert "seed_demo --once --projects 40 --interventions 150" in make_dry_run("run")
    assert "seed_demo" not in make_dry_run("run", "DEMO=no")
    assert "seed_demo" not in make_dry_run("install")
    assert "load_seed" in make_dry_run("install")
