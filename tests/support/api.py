"""Read the JSON API as a client does: a record by its address, a list page by page."""

from django.test import Client

# The lists of the API, each with its records at <name>/<id>/.
LISTS = ["interventions", "studies", "findings", "outcomes", "projects", "organisations"]
ALL_LISTS = [*LISTS, "review-items"]


def record(client: Client, url: str) -> dict:
    """The JSON of a record that must be found."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def walk(client: Client, url: str) -> list[dict]:
    """Every record of the list at url, in order, following each page's `next` link."""
    records = []
    while url:
        body = record(client, url)
        records += body["results"]
        url = body["next"]
    return records


def ids(records: list[dict]) -> list[int]:
    return [each["id"] for each in records]
