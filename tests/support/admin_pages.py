"""Fill in the admin's own forms as an editor's browser does, and read what it answers."""

from django.test import Client

from tests.support.pages import form_data, parse


def form_on(response, form_id: str) -> dict[str, str | list[str]]:
    """What the form with that id would submit as the page shows it."""
    assert response.status_code == 200, response.status_code
    return form_data(parse(response).find("form", id=form_id))


def open_form(client: Client, url: str, form_id: str) -> dict[str, str | list[str]]:
    """Open an admin page and return what its form would submit, unchanged."""
    return form_on(client.get(url), form_id)


def row_prefix(data: dict, pk: int) -> str:
    """The changelist formset prefix ("form-2") of the row that edits record pk."""
    for name, value in data.items():
        if name.startswith("form-") and name.endswith("-id") and value == str(pk):
            return name.removesuffix("-id")
    raise AssertionError(f"no row on the changelist edits record {pk}")


def error_messages(response) -> list[str]:
    """The field and form errors an editor reads on a refused admin form."""
    return [
        item.text
        for box in parse(response).find_all("ul", class_="errorlist")
        for item in box.find_all("li")
    ]


def messages(response) -> list[str]:
    """The admin's messages at the top of the page ("Published 2 projects.")."""
    return [
        item.text
        for box in parse(response).find_all("ul", class_="messagelist")
        for item in box.find_all("li")
    ]
