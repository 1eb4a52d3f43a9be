"""The shared cache of public pages: visitors are served from it, any change to the
content empties it at once, editors never see a cached page, and a revisit can get a 304."""

import time

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from catalogue.models import Intervention
from catalogue.services import import_interventions
from config.settings import redis_cache
from core.cache import CachedPage, PublicPageCacheMiddleware, content_version
from projects.models import Project, Status
from tests.support.factories import StudyFactory
from tests.support.pages import main, parse
from tests.support.servers import (
    Instance,
    collect_static,
    production_environment,
    redis_is_up,
    shared_database_url,
)


def status_line(response) -> str:
    return main(response).find("dl", class_="facts").text


def test_a_visitors_second_request_is_served_from_the_cache(
    project_factory, visitor, django_assert_num_queries
):
    project = project_factory()
    first = visitor.get(project.get_absolute_url())
    with django_assert_num_queries(0):
        again = visitor.get(project.get_absolute_url())
    assert again.content == first.content


def test_a_cached_page_keeps_its_headers(project_factory, visitor):
    project = project_factory()
    first = visitor.get(project.get_absolute_url())
    again = visitor.get(project.get_absolute_url())
    assert again.status_code == 200
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "X-Frame-Options"):
        assert again[header] == first[header]


def test_a_page_past_its_time_in_the_cache_is_made_again(project_factory, visitor, settings):
    """Each process keeps its own copy of the pages it served; it expires with the shared one."""
    settings.PAGE_CACHE_SECONDS = 1
    project = project_factory()
    visitor.get(project.get_absolute_url())
    visitor.get(project.get_absolute_url())
    project.title = "Renamed without a signal"
    Project.objects.filter(pk=project.pk).update(title=project.title)
    time.sleep(1.1)
    assert project.title in visitor.get(project.get_absolute_url()).text


def test_with_the_page_cache_off_every_request_makes_the_page(project_factory, visitor, settings):
    settings.PAGE_CACHE_SECONDS = 0
    project = project_factory()
    visitor.get(project.get_absolute_url())
    project.title = "Renamed without a signal"
    Project.objects.filter(pk=project.pk).update(title=project.title)
    again = visitor.get(project.get_absolute_url())
    assert project.title in again.text
    assert "public" not in again.get("Cache-Control", "")


def test_a_saved_change_is_on_the_next_public_request(project_factory, visitor):
    project = project_factory(status=Status.IN_PROGRESS)
    assert "In progress" in status_line(visitor.get(project.get_absolute_url()))
    project.status = Status.PAUSED
    project.save()
    assert "Paused" in status_line(visitor.get(project.get_absolute_url()))


def test_a_change_to_a_related_record_empties_the_cache_too(
    project_factory, organisation_factory, visitor
):
    project = project_factory()
    visitor.get(project.get_absolute_url())
    organisation = organisation_factory(name="Newly joined partner")
    project.partnerships.create(organisation=organisation)
    assert "Newly joined partner" in main(visitor.get(project.get_absolute_url())).text


def test_bulk_publishing_empties_the_cache(intervention_factory, editor, visitor):
    draft = intervention_factory(name="Held back", published=False)
    # The study its rating rests on, without which it could not be published.
    StudyFactory(intervention=draft)
    assert "Held back" not in visitor.get(reverse("catalogue:guidebook")).content.decode()
    editor.post(
        reverse("admin:catalogue_intervention_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert "Held back" in visitor.get(reverse("catalogue:guidebook")).content.decode()


def test_editors_are_never_served_a_cached_page(project_factory, editor, visitor):
    project = project_factory(status=Status.IN_PROGRESS)
    visitor.get(project.get_absolute_url())
    # A write that bypasses the models' signals leaves the visitors' cached copy alone...
    Project.objects.filter(pk=project.pk).update(status=Status.PAUSED)
    assert "In progress" in status_line(visitor.get(project.get_absolute_url()))
    # ...but an editor, who is logged in, always sees what is stored.
    assert "Paused" in status_line(editor.get(project.get_absolute_url()))


def test_a_revisit_with_the_etag_gets_a_304(project_factory, visitor):
    project = project_factory()
    first = visitor.get(project.get_absolute_url())
    assert first["ETag"] and first["Last-Modified"]
    revisit = visitor.get(project.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert revisit.status_code == 304
    assert revisit.content == b""
    since = visitor.get(
        project.get_absolute_url(), headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert since.status_code == 304


def test_after_a_change_the_old_etag_gets_the_new_page(project_factory, visitor):
    project = project_factory(status=Status.IN_PROGRESS)
    first = visitor.get(project.get_absolute_url())
    project.status = Status.PAUSED
    project.save()
    revisit = visitor.get(project.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert revisit.status_code == 200
    assert "Paused" in status_line(revisit)


def test_errors_and_pages_with_cookies_are_not_cached(visitor, db):
    assert visitor.get("/projects/no-such-project/").status_code == 404
    login = Client().get(reverse("admin:login"))
    assert "Cache-Control" not in login or "public" not in login["Cache-Control"]


def test_facet_counts_follow_a_change(intervention_factory, visitor):
    intervention_factory(name="First", evidence_rating=30)
    url = reverse("catalogue:guidebook") + "?min_evidence=3"
    assert "1 intervention" in main(visitor.get(url)).find("h2", class_="results-count").text
    Intervention.objects.create(
        name="Second", slug="second", summary="S.", evidence_rating=40, published=True
    )
    assert "2 interventions" in main(visitor.get(url)).find("h2", class_="results-count").text


def save_a_project(project_factory, **fixtures) -> None:
    project = project_factory(status=Status.IN_PROGRESS)
    project.status = Status.PAUSED
    project.save()


def delete_a_project(project_factory, **fixtures) -> None:
    project_factory().delete()


def unpublish_in_bulk(project_factory, editor, **fixtures) -> None:
    project = project_factory()
    changelist = reverse("admin:projects_project_changelist")
    data = {"action": "unpublish", "_selected_action": [str(project.pk)], "index": "0"}
    assert editor.post(changelist, data).status_code == 302


def import_a_file(project_factory, **fixtures) -> None:
    result = import_interventions(
        data=b"name,slug,summary,evidence_rating,mixed_findings,cost_rating,outcomes\n"
        b"New one,new-one,A new programme.,3,false,2,\n"
    )
    assert result.ok, result.errors


@pytest.mark.parametrize(
    "change", [save_a_project, delete_a_project, unpublish_in_bulk, import_a_file]
)
def test_the_content_version_is_raised_again_once_a_change_is_committed(
    change, project_factory, editor, django_capture_on_commit_callbacks
):
    """A page made from the rows as they were, between the change and its commit, must not
    be kept under the new version."""
    with django_capture_on_commit_callbacks() as committed:
        change(project_factory=project_factory, editor=editor)
        before_commit = content_version()
    for callback in committed:
        callback()
    assert content_version() > before_commit


@pytest.mark.django_db(transaction=True)
def test_a_page_made_while_a_change_commits_is_not_served_after_it(
    project_factory, settings, tmp_path
):
    if connection.vendor != "postgresql" or not redis_is_up():
        pytest.skip("two processes sharing a database and a cache need PostgreSQL and Redis")
    redis_url = "redis://127.0.0.1:6379/11"
    redis.Redis.from_url(redis_url).flushdb()
    settings.CACHES = {"default": redis_cache(redis_url)}
    project = project_factory(status=Status.IN_PROGRESS)
    env = production_environment(shared_database_url(), tmp_path / "static", REDIS_URL=redis_url)
    collect_static(env)
    site = Instance(env)
    try:
        url = project.get_absolute_url()
        assert "In progress" in status_line_of(site.get(url))
        with transaction.atomic():
            project.status = Status.PAUSED
            project.save()
            # A visitor asks before the change is committed, and sees the page as it was.
            assert "In progress" in status_line_of(site.get(url))
        assert "Paused" in status_line_of(site.get(url))
    finally:
        site.stop()


def status_line_of(html: str) -> str:
    return parse(html).find("dl", class_="facts").text


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("/", "/?x=2"),
        ("/?x=1", "/?utm_source=newsletter&x=3"),
        ("/sitemap.xml", "/sitemap.xml?junk"),
        ("/projects/?status=planned&x=1", "/projects/?y=2&status=planned&q="),
        ("/interventions/?sort=cost&min_evidence=3", "/interventions/?min_evidence=3&sort=cost"),
    ],
)
def test_parameters_a_page_does_not_read_share_its_cached_copy(
    first, then, project_factory, visitor, django_assert_num_queries
):
    project_factory()
    visitor.get(first)
    with django_assert_num_queries(0):
        assert visitor.get(then).status_code == 200


def test_a_page_is_made_for_the_parameters_it_reads(project_factory, visitor):
    project_factory(title="Planned one", status=Status.PLANNED)
    project_factory(title="Paused one", status=Status.PAUSED)
    assert "Paused one" not in visitor.get("/projects/?status=planned").text
    assert "Planned one" not in visitor.get("/projects/?status=paused").text


def test_a_page_asked_with_a_value_that_is_not_valid_is_not_kept(
    intervention_factory, visitor, django_assert_max_num_queries
):
    intervention_factory()
    visitor.get("/interventions/?evidence=junk")
    with django_assert_max_num_queries(100) as made:
        visitor.get("/interventions/?evidence=junk")
    assert len(made.captured_queries) > 0


def test_a_made_up_session_cookie_is_served_the_cached_page(
    project_factory, visitor, django_assert_num_queries
):
    project = project_factory()
    visitor.get(project.get_absolute_url())
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "madeupsessionkey" * 2
    # One look-up shows the session does not exist; the page itself comes from the cache.
    with django_assert_num_queries(1):
        assert visitor.get(project.get_absolute_url()).status_code == 200


def test_a_real_session_is_never_served_from_the_cache(project_factory, editor, visitor):
    project = project_factory(title="As it was")
    visitor.get(project.get_absolute_url())
    Project.objects.filter(pk=project.pk).update(title="Renamed without a signal")
    assert "Renamed without a signal" in editor.get(project.get_absolute_url()).text


@pytest.mark.skipif(not redis_is_up(), reason="counts Redis's keys; needs Redis on 127.0.0.1")
def test_junk_query_strings_do_not_grow_the_cache(project_factory, visitor, settings):
    redis_url = "redis://127.0.0.1:6379/11"
    server = redis.Redis.from_url(redis_url)
    server.flushdb()
    settings.CACHES = {"default": redis_cache(redis_url)}
    project_factory()
    for number in range(200):
        assert visitor.get(f"/?x={number}").status_code == 200
        assert visitor.get(f"/sitemap.xml?{number}").status_code == 200
    pages = [key for key in server.keys("*") if b"page:" in key]
    assert len(pages) == 2


def test_each_process_keeps_a_bounded_number_of_bytes_of_pages():
    middleware = PublicPageCacheMiddleware(lambda request: None)
    large = CachedPage(1, time.time() + 60, b"x" * (middleware.LOCAL_PAGE_MAX_BYTES + 1), {})
    middleware.keep_locally("large", large)
    assert middleware.local_pages == {}
    page = CachedPage(1, time.time() + 60, b"x" * middleware.LOCAL_PAGE_MAX_BYTES, {})
    for number in range(1000):
        middleware.keep_locally(f"page-{number}", page)
        assert middleware.local_bytes <= middleware.LOCAL_PAGES_MAX_BYTES
    assert sum(len(kept.content) for kept in middleware.local_pages.values()) == (
        middleware.local_bytes
    )
