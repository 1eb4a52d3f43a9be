"""The strict Content-Security-Policy breaks nothing: public pages and the admin's forms,
scripts included, run in Chromium without a single violation of it."""

import pytest
from django.urls import reverse

from projects.models import Project
from tests.support.factories import UserFactory

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

EDITOR_PASSWORD = "a long and unguessable password"  # UserFactory's


def record_violations(page) -> list[str]:
    """What the browser refused under the policy, as it reports it on the console."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_public_pages_run_without_a_policy_violation(page, catalogue):
    refused = record_violations(page)
    project = Project.objects.published().first()
    for address in [
        "/",
        "/projects/",
        project.get_absolute_url(),
        "/interventions/?min_evidence=3",
        catalogue["fnp"].get_absolute_url(),
        "/search/?q=domestic",
        "/ratings/",
    ]:
        response = page.goto(address)
        assert response.ok, address
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert refused == []


def test_the_admins_scripts_run_without_a_policy_violation(new_context, seeded):
    UserFactory(username="editor", is_staff=True, is_superuser=True)
    editor = new_context().new_page()
    refused = record_violations(editor)
    editor.goto(reverse("admin:login"))
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill(EDITOR_PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    project = Project.objects.first()
    editor.goto(reverse("admin:projects_project_change", args=[project.pk]))
    # The inlines' "Add another" link exists only once the admin's scripts have run.
    questions = editor.locator("[name^='research_questions-'][name$='-text']")
    shown = questions.count()
    editor.get_by_text("Add another Research question").click()
    expect(questions).to_have_count(shown + 1)
    editor.goto(reverse("admin:projects_project_history", args=[project.pk]))
    assert refused == []
