"""core.addresses.record_url: a record's address reversed once a process, the same as
reverse() gives under the script prefix and URLconf in force."""

import pytest
from django.urls import reverse, set_script_prefix

from core.addresses import record_url


def test_a_records_address_is_the_one_reverse_gives(intervention_factory):
    intervention = intervention_factory(slug="family-check-up")
    assert intervention.get_absolute_url() == "/interventions/family-check-up/"
    assert record_url("projects:project-detail", "restart") == reverse(
        "projects:project-detail", args=["restart"]
    )


@pytest.fixture
def under_a_prefix():
    set_script_prefix("/portal/")
    yield
    set_script_prefix("/")


def test_the_address_follows_the_script_prefix(db, under_a_prefix):
    """A site served under a path (SCRIPT_NAME) links there, though the address was kept."""
    assert record_url("projects:project-detail", "restart") == "/portal/projects/restart/"
    set_script_prefix("/")
    assert record_url("projects:project-detail", "restart") == "/projects/restart/"


def test_a_changed_urlconf_is_not_answered_from_before(settings):
    assert record_url("catalogue:outcome-detail", "sleep") == "/outcomes/sleep/"
    settings.ROOT_URLCONF = "tests.core.urls_under_catalogue"
    assert record_url("catalogue:outcome-detail", "sleep") == "/catalogue/outcomes/sleep/"
