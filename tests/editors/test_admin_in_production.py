"""The editors' main flows driven over HTTP against a running site, outside any test
transaction, as production runs them: each request commits or rolls back on its own.

On PostgreSQL the site is gunicorn in production mode; on SQLite, Django's live server.
A test inside a transaction cannot see what fails in autocommit (a row lock taken
outside a transaction, say), so these flows are checked here as well as in-process."""

import datetime
import re

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.urls import reverse

from catalogue.models import (
    Direction,
    Intervention,
    ReviewItem,
    ReviewStage,
    StudyDesign,
    StudyLevel,
)
from feedback.models import ReaderReport, State
from projects.models import Project, Status
from tests.support.browsing import Browser, page_errors
from tests.support.pages import form_data, parse
from tests.support.servers import (
    Instance,
    collect_static,
    production_environment,
    redis_is_up,
    set_production_password,
    shared_database_url,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and unguessable password"
ADMIN = "/" + settings.ADMIN_URL
REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Static files collected once for the module's servers, as production collects them."""
    root = tmp_path_factory.mktemp("static")
    collect_static(production_environment("sqlite:///:memory:", root))
    return root


@pytest.fixture
def site(request, tmp_path, static_root):
    """The base address of a running site that shares the tests' database.

    A new server for each test: the tests' database is emptied between tests, and a
    server kept running would remember rows that are gone (content types, for one)."""
    if connection.vendor != "postgresql":
        yield request.getfixturevalue("live_server").url
        return
    if not redis_is_up():
        pytest.skip("production shares its cache between workers in Redis, on 127.0.0.1:6379")
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = production_environment(
        shared_database_url(),
        static_root,
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        REDIS_URL=REDIS_URL,
    )
    instance = Instance(env, workers=2)
    yield instance.base
    instance.stop()


def account(user_factory, username: str, **fields):
    user = user_factory(username=username, **fields)
    if connection.vendor == "postgresql":
        set_production_password(user, PASSWORD)
    else:
        # Django's live server runs in the tests' process, with their fast hasher.
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


@pytest.fixture
def editor(site, user_factory) -> Browser:
    account(user_factory, "editor", is_staff=True, is_superuser=True)
    browser = Browser(site)
    browser.log_in(ADMIN, "editor", PASSWORD)
    return browser


@pytest.fixture
def proofreader(site, user_factory) -> Browser:
    """Staff who may change projects but not publish them."""
    user = account(user_factory, "proofreader", is_staff=True)
    group = Group.objects.create(name="Proofreaders")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="projects",
            codename__in=["view_project", "change_project", "view_historicalproject"],
        )
    )
    user.groups.add(group)
    browser = Browser(site)
    browser.log_in(ADMIN, "proofreader", PASSWORD)
    return browser


def status_shown(html: str) -> str:
    return re.search(r"<dt>Status</dt><dd>([^<]*)</dd>", html).group(1)


def row_of(data: dict, pk: int) -> str:
    (name,) = [name for name, value in data.items() if name.endswith("-id") and value == str(pk)]
    return name.removesuffix("-id")


def test_an_editor_changes_status_and_dates_from_the_project_list(editor, site, project_factory):
    project = project_factory(
        title="Restart", status=Status.IN_PROGRESS, estimated_completion=datetime.date(2023, 4, 1)
    )
    other = project_factory(title="Advocacy", status=Status.PLANNED)
    changelist = reverse("admin:projects_project_changelist")
    data = editor.form(changelist, "changelist-form")
    row = row_of(data, project.pk)
    data.update({f"{row}-status": Status.PAUSED, f"{row}-estimated_completion": "2023-09"})

    reply = editor.open(changelist, {**data, "_save": "Save"})
    assert reply.status == 302, page_errors(parse(reply.text))

    project.refresh_from_db()
    assert (project.status, project.estimated_completion) == (
        Status.PAUSED,
        datetime.date(2023, 9, 1),
    )
    assert project.history.count() == 2
    other.refresh_from_db()
    assert other.history.count() == 1
    assert status_shown(Browser(site).open(project.get_absolute_url()).text).endswith("Paused")


def test_a_stale_list_edit_is_refused_in_production_too(editor, site, project_factory):
    project = project_factory(title="Restart", status=Status.IN_PROGRESS)
    changelist = reverse("admin:projects_project_changelist")
    data = editor.form(changelist, "changelist-form")
    Project.objects.filter(pk=project.pk).update(version=project.version + 1)
    row = row_of(data, project.pk)
    reply = editor.open(changelist, {**data, f"{row}-status": Status.PAUSED, "_save": "Save"})
    assert reply.status == 200
    assert any("Someone else saved this" in error for error in page_errors(parse(reply.text)))
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS


def test_an_editor_saves_the_change_form(editor, site, project_factory):
    project = project_factory(title="Restart", status=Status.IN_PROGRESS)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = editor.form(url, "project_form")
    reply = editor.open(url, {**data, "status": Status.DISCONTINUED, "_save": "Save"})
    assert reply.status == 302, page_errors(parse(reply.text))
    project.refresh_from_db()
    assert project.status == Status.DISCONTINUED
    assert status_shown(Browser(site).open(project.get_absolute_url()).text).endswith(
        "Discontinued"
    )


def test_an_editor_reverts_a_project_from_its_history(editor, site, project_factory):
    project = project_factory(title="Restart", status=Status.IN_PROGRESS)
    url = reverse("admin:projects_project_change", args=[project.pk])
    editor.open(url, {**editor.form(url, "project_form"), "status": Status.PAUSED})
    project.refresh_from_db()
    assert project.status == Status.PAUSED

    revert = reverse(
        "admin:projects_project_simple_history", args=[project.pk, project.history.earliest().pk]
    )
    reply = editor.open(
        revert, {**editor.form(revert, "historicalproject_form"), "_save": "Revert"}
    )
    assert reply.status == 302, page_errors(parse(reply.text))
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS
    assert project.history.count() == 3
    assert status_shown(Browser(site).open(project.get_absolute_url()).text).endswith("In progress")


def test_reverting_without_the_right_to_publish_leaves_a_withdrawn_project_withdrawn(
    proofreader, site, project_factory
):
    project = project_factory(title="Restart", published=True)
    project.published = False
    project.save()
    revert = reverse(
        "admin:projects_project_simple_history", args=[project.pk, project.history.earliest().pk]
    )
    data = proofreader.form(revert, "historicalproject_form")
    reply = proofreader.open(revert, {**data, "_save": "Revert"})
    assert reply.status == 302, page_errors(parse(reply.text))
    project.refresh_from_db()
    assert not project.published
    assert Browser(site).open(project.get_absolute_url()).status == 410


@pytest.mark.parametrize(
    ("action", "before", "after", "public_status"),
    [("publish", False, True, 200), ("unpublish", True, False, 410)],
)
def test_an_editor_publishes_and_unpublishes_in_bulk(
    editor, site, project_factory, action, before, after, public_status
):
    chosen = [project_factory(published=before) for _ in range(2)]
    left = project_factory(published=before)
    visitor = Browser(site)
    for project in chosen:
        visitor.open(project.get_absolute_url())  # cached as it was, where public
    changelist = reverse("admin:projects_project_changelist")
    data = editor.form(changelist, "changelist-form")
    data.update(action=action, _selected_action=[str(p.pk) for p in chosen], index="0")

    reply = editor.follow(editor.open(changelist, data))
    assert f"{action.capitalize()}ed 2 projects." in reply.text

    assert [Project.objects.get(pk=p.pk).published for p in chosen] == [after, after]
    assert Project.objects.get(pk=left.pk).published == before
    for project in chosen:
        assert visitor.open(project.get_absolute_url()).status == public_status


def test_an_editor_saves_an_intervention_with_a_study_and_a_finding(
    editor, site, intervention_factory, child_outcome_factory
):
    intervention = intervention_factory(name="Family Check-Up", published=False)
    outcome = child_outcome_factory(name="School achievement")
    url = reverse("admin:catalogue_intervention_change", args=[intervention.pk])
    data = editor.form(url, "intervention_form")
    data.update(
        {
            "studies-0-citation": "Smith, J. (2019). A trial of Family Check-Up.",
            "studies-0-design": StudyDesign.RCT,
            "studies-0-level": str(StudyLevel.LEVEL_3),
            "studies-0-counts_towards_rating": "on",
            "studies-0-country": "Wales",
            "studies-0-findings-0-outcome": str(outcome.pk),
            "studies-0-findings-0-sub_outcome": "Improved reading",
            "studies-0-findings-0-direction": Direction.FAVOURABLE,
            # Publishing in the same save: the study just typed is what it rests on.
            "published": "on",
            "_save": "Save",
        }
    )

    reply = editor.open(url, data)

    assert reply.status == 302, page_errors(parse(reply.text))
    intervention.refresh_from_db()
    assert intervention.published
    assert (intervention.study_count, intervention.uk_tested, intervention.version) == (1, True, 2)
    (study,) = intervention.studies.all()
    assert (study.number, study.findings.get().sub_outcome) == (1, "Improved reading")
    latest = intervention.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Study 1 added; 1 finding added to study 1"
    assert Browser(site).open(intervention.get_absolute_url()).status == 200


HEADER = "name,slug,summary,evidence_rating,mixed_findings,cost_rating,outcomes"


def test_an_editor_imports_interventions_from_a_csv(editor, site, intervention_factory):
    existing = intervention_factory(name="Existing", slug="existing", evidence_rating=20)
    content = "\r\n".join(
        [
            HEADER,
            "Existing,existing,Now rated higher.,4,false,3,",
            "New one,new-one,A new programme.,3+,true,2,",
        ]
    ).encode()
    url = reverse("admin:catalogue_intervention_import")
    upload = form_data(parse(editor.open(url).text).find("form", enctype="multipart/form-data"))
    preview = editor.open(url, upload, files={"file": ("interventions.csv", content)})
    shown = parse(preview.text).find("div", id="content").text
    assert "This file would create 1, update 1 and leave 0 unchanged." in shown
    (confirm,) = [
        form
        for form in parse(preview.text).find_all("form")
        if form.find_all("input", name="confirm")
    ]

    reply = editor.follow(editor.open(url, {**form_data(confirm), "confirm": "Confirm import"}))
    assert "Imported: 1 created, 1 updated, 0 unchanged." in reply.text
    existing.refresh_from_db()
    assert existing.evidence_rating == 40
    assert not Intervention.objects.get(slug="new-one").published
    assert "Now rated higher." in Browser(site).open(existing.get_absolute_url()).text


def test_a_reader_reports_a_problem_and_an_editor_answers_it_from_the_inbox(editor, site):
    reader = Browser(site)
    sent = reader.open(
        "/feedback/",
        {"page": "/projects/", "wrong": "A date is wrong.", "email": "", "website": ""},
    )
    assert sent.status == 302, sent.text[:2000]
    # No mail server listens: the report is kept all the same.
    assert "has been sent" in reader.follow(sent).text
    assert not reader.cookies
    report = ReaderReport.objects.get()
    assert (report.page, report.wrong, report.editors_mailed_at) == (
        "/projects/",
        "A date is wrong.",
        None,
    )

    url = reverse("admin:feedback_readerreport_change", args=[report.pk])
    data = editor.form(url, "readerreport_form")
    reply = editor.open(url, {**data, "state": State.DONE, "note": "Fixed.", "_save": "Save"})
    assert reply.status == 302, page_errors(parse(reply.text))
    report.refresh_from_db()
    assert (report.state, report.note, report.wrong) == (State.DONE, "Fixed.", "A date is wrong.")


def test_an_editor_adds_suggestions_to_the_review_pipeline_in_bulk(editor, site):
    Browser(site).open(
        "/interventions/suggest/",
        {"programme": "Roots of Empathy", "provider": "Roots UK", "email": "", "website": ""},
    )
    suggestion = ReaderReport.objects.get()
    changelist = reverse("admin:feedback_readerreport_changelist")
    data = editor.form(changelist, "changelist-form")
    data.update(action="add_to_pipeline", _selected_action=[str(suggestion.pk)], index="0")
    reply = editor.follow(editor.open(changelist, data))
    assert "Added to the review pipeline" in reply.text
    item = ReviewItem.objects.get()
    assert (item.name, item.provider, item.stage, item.published) == (
        "Roots of Empathy",
        "Roots UK",
        ReviewStage.SUGGESTED,
        False,
    )
    suggestion.refresh_from_db()
    assert (suggestion.review_item, suggestion.state) == (item, State.IN_PROGRESS)
