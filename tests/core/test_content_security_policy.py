"""The Content-Security-Policy header, built once a process: the same header django-csp
builds, a view's own policy still its own, and a changed setting followed."""

from csp.utils import build_policy
from django.test import override_settings

from catalogue.badges import BADGE_POLICY


def test_a_page_gets_the_policy_django_csp_builds(visitor, db):
    response = visitor.get("/accessibility/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_view_with_its_own_policy_keeps_it(intervention_factory, visitor):
    intervention = intervention_factory()
    response = visitor.get(f"/interventions/{intervention.slug}/badge.svg")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == build_policy(config=BADGE_POLICY)
    assert response["Content-Security-Policy"] != build_policy()


def test_a_changed_setting_is_followed(visitor, db):
    visitor.get("/accessibility/")
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://example.org"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        response = visitor.get("/help/")
    assert "img-src https://example.org" in response["Content-Security-Policy"]
    assert (
        "img-src https://example.org" not in visitor.get("/robots.txt")["Content-Security-Policy"]
    )
