import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests import factories

# The production storage needs a manifest written by collectstatic; tests render pages without one.
PLAIN_STATIC_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


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
