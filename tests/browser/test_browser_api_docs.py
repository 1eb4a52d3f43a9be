"""The API's documentation page draws every operation with Swagger UI from the site's own
static files, under the site's strict content policy: nothing refused, no script error,
nothing fetched from another site, and an operation tried out from the page answers."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

LIST_SUMMARY = "Interventions, as the guidebook filters and sorts them"


def record_problems(page) -> list[str]:
    """Console errors, the policy's refusals among them, and uncaught script errors."""
    problems = []

    def console(message):
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def record_requests(page) -> list[str]:
    addresses = []
    page.on("request", lambda request: addresses.append(request.url))
    return addresses


@pytest.fixture
def documented_paths(seeded) -> list[str]:
    return list(Client().get("/api/v1/openapi.json").json()["paths"])


def operation(page, path: str):
    return page.locator(f".opblock-summary:has([data-path='{path}'])")


def test_the_docs_list_every_operation_from_the_sites_own_files(
    page, live_server, documented_paths
):
    problems = record_problems(page)
    requested = record_requests(page)
    response = page.goto("/api/v1/docs/")
    assert response.ok
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(operation(page, "/api/v1/interventions/")).to_contain_text(LIST_SUMMARY)
    for path in documented_paths:
        expect(operation(page, path)).to_have_count(1)
    site = urlsplit(live_server.url)
    elsewhere = [
        address
        for address in requested
        if urlsplit(address)[:2] != site[:2] and not address.startswith("data:")
    ]
    assert elsewhere == []
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in a for a in requested)
    assert problems == []


def test_an_operation_tried_out_from_the_page_answers(page, catalogue):
    problems = record_problems(page)
    page.goto("/api/v1/docs/")
    summary = operation(page, "/api/v1/interventions/")
    summary.click()
    block = page.locator(".opblock", has=summary)
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    answer = block.locator(".live-responses-table tbody .response")
    expect(answer.locator(".response-col_status")).to_have_text("200")
    expect(answer.locator(".response-col_description")).to_contain_text(catalogue["fnp"].name)
    assert problems == []
