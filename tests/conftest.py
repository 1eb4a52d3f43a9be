import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.support import factories, guidebook
from tests.support.mail import EDITORS_ADDRESS, SmtpServer
from tests.support.servers import free_port

# The seed of the generated guidebook: fixed, so that a failure can be replayed.
GUIDEBOOK_SEED = 20240517
GUIDEBOOK_SIZE = 100

# The production storage needs a manifest written by collectstatic; tests render pages without one.
PLAIN_STATIC_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def pytest_collection_modifyitems(items):
    """Every test outside a transaction gets the database back as the migrations left it.

    Emptying the database after such a test otherwise makes the content types and
    permissions again with new ids, and a later test that restores the migrations' rows
    (with the old ids) fails at its set-up: tests would pass or fail by their order."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction"):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        elif "transactional_db" in item.fixturenames:
            # Asking for the fixture (the browser tests do) rather than the marker.
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True}
            kwargs["serialized_rollback"] = True
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start each test with no cached pages: the database is rolled back, the cache is not.
    Django's own cache of content types is emptied too: a test outside a transaction that
    migrated backwards and forwards can leave it holding ids the restored database has not
    (the admin's log of a save then fails on its foreign key)."""
    cache.clear()
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def generous_limits(settings):
    """Every test's requests come from one address; only tests of the limits meet them."""
    settings.EXPORTS_PER_MINUTE = settings.EXPORTS_AT_ONCE = settings.SEARCHES_PER_MINUTE = 10_000


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Keep uploads and static files of each test in its own temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # whitenoise warns, and warnings fail the suite, when STATIC_ROOT does not exist yet.
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PLAIN_STATIC_STORAGE}
    # A deliberately slow password hash only slows the tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user_factory(db):
    return factories.UserFactory


@pytest.fixture
def organisation_factory(db):
    return factories.OrganisationFactory


@pytest.fixture
def topic_factory(db):
    return factories.TopicFactory


@pytest.fixture
def project_factory(db):
    return factories.ProjectFactory


@pytest.fixture
def partnership_factory(db):
    return factories.PartnershipFactory


@pytest.fixture
def research_question_factory(db):
    return factories.ResearchQuestionFactory


@pytest.fixture
def document_factory(db):
    return factories.DocumentFactory


@pytest.fixture
def tagged_project_factory(db):
    return factories.TaggedProjectFactory


@pytest.fixture
def child_outcome_factory(db):
    return factories.ChildOutcomeFactory


@pytest.fixture
def intervention_factory(db):
    return factories.InterventionFactory


@pytest.fixture
def rating_definition_factory(db):
    return factories.RatingDefinitionFactory


@pytest.fixture
def visitor(db) -> Client:
    """A member of the public, not logged in."""
    return Client()


@pytest.fixture
def outsider(user_factory) -> Client:
    """Someone logged in who is not on the centre's staff."""
    client = Client()
    client.force_login(user_factory(is_staff=False))
    return client


@pytest.fixture
def editor(user_factory) -> Client:
    """A member of the centre's staff who keeps the catalogue current in the admin."""
    client = Client()
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def editor_account_factory(db):
    """Make editors' accounts as `create_editor` does, with a password set afterwards."""

    def make(email: str = "sam.editor@example.org"):
        call_command("create_editor", email, stdout=io.StringIO())
        user = get_user_model().objects.get(username=email)
        user.set_password(factories.EDITOR_PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def editor_account(editor_account_factory):
    """An editor whose rights come from the Editors group alone, not a superuser."""
    return editor_account_factory()


@pytest.fixture
def group_editor(editor_account) -> Client:
    """The editor_account logged in to the admin."""
    client = Client()
    client.force_login(editor_account)
    return client


@pytest.fixture
def seed(db) -> None:
    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture
def guidebook_outcomes(db) -> dict:
    """Seven child outcomes by slug, as the generated guidebook uses them."""
    return guidebook.make_outcomes()


def make_generated_guidebook(outcomes: dict) -> list[guidebook.Entry]:
    entries = guidebook.generate(GUIDEBOOK_SEED, GUIDEBOOK_SIZE, sorted(outcomes))
    published = [entry for entry in entries if entry.published]
    # Every value of every filter occurs among published entries, or a test proves little.
    assert {entry.evidence for entry in published} == {None, *guidebook.EVIDENCE_CODES}
    assert {entry.cost for entry in published} == {None, *guidebook.COST_CODES}
    assert {entry.evidence for entry in published if entry.mixed} == set(guidebook.LEVELS)
    assert set().union(*(entry.outcomes for entry in published)) == set(outcomes)
    assert len(published) < len(entries)
    guidebook.store(entries, outcomes)
    return entries


@pytest.fixture
def generated_guidebook(guidebook_outcomes) -> list[guidebook.Entry]:
    """A hundred interventions over every rating, cost and outcome, some unpublished."""
    return make_generated_guidebook(guidebook_outcomes)


@pytest.fixture(scope="module")
def shared_guidebook(django_db_setup, django_db_blocker) -> list[guidebook.Entry]:
    """The generated guidebook, made once for a module whose tests all read it.

    It is written in a transaction that each test's own transaction nests in, as Django's
    TestCase.setUpTestData does, and rolled back once the module's tests are done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_generated_guidebook(guidebook.make_outcomes())
        transaction.set_rollback(True)


@pytest.fixture
def mail_settings(settings):
    """Django's SMTP backend, as in production, pointed at a port of 127.0.0.1."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5
    settings.FEEDBACK_EMAIL = EDITORS_ADDRESS
    return settings


@pytest.fixture
def smtp_server(mail_settings):
    """A real SMTP server listening where the settings send mail."""
    server = SmtpServer(mail_settings.EMAIL_PORT).start()
    yield server
    server.stop()
