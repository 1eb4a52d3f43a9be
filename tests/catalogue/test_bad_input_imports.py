"""Bad files given to the guidebook import (issue 14): a cell no database column can hold
is an error by row and column before anything is written; the admin's import is bounded to
what a request does well within the server's timeout, and files it stages do not pile up."""

import datetime
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from catalogue import admin as catalogue_admin
from catalogue.models import Intervention
from tests.catalogue.test_guidebook_csv_export import SPLIT_FORMULAS
from tests.catalogue.test_import_interventions import HEADER, both_exports, run, snapshot
from tests.support.admin_pages import error_messages
from tests.support.pages import form_data, parse

IMPORT = "admin:catalogue_intervention_import"
GOOD = "Good one,good-one,A programme.,3,false,2,school"


@pytest.fixture
def school(child_outcome_factory):
    return child_outcome_factory(name="School achievement", slug="school")


@pytest.fixture
def existing(intervention_factory, school):
    return intervention_factory(name="Existing", slug="existing", summary="As it was.")


def csv_bytes(*lines: str) -> bytes:
    return "\r\n".join([HEADER, *lines, ""]).encode()


def upload(data: bytes, name: str = "interventions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def staged() -> list[str]:
    """The files the admin's import has staged and not yet removed."""
    if not default_storage.exists(catalogue_admin.IMPORT_FOLDER):
        return []
    return sorted(default_storage.listdir(catalogue_admin.IMPORT_FOLDER)[1])


def error_rows(response) -> list[list[str]]:
    """The import page's table of errors: row, column and problem."""
    assert response.status_code == 200, response.status_code
    (table,) = [
        table
        for table in parse(response).find_all("table")
        if [heading.text for heading in table.find_all("th")] == ["Row", "Column", "Problem"]
    ]
    return [[cell.text for cell in row.find_all("td")] for row in table.find_all("tr")[1:]]


def run_command(path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_interventions", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue()


NUL_ROWS = {
    "name": ("Bad\x00name,bad,A programme.,3,false,2,school", "name"),
    "summary": ("Bad,bad,A pro\x00gramme.,3,false,2,school", "summary"),
    "a lone NUL": ("Bad,bad,\x00,3,false,2,school", "summary"),
}


@pytest.mark.parametrize(("line", "column"), NUL_ROWS.values(), ids=NUL_ROWS)
def test_a_nul_byte_in_a_cell_is_an_error_by_row_and_column_in_the_command(
    tmp_path, existing, line, column
):
    before = snapshot()
    path = tmp_path / "interventions.csv"
    path.write_bytes(csv_bytes(GOOD, line))
    err = run_command(path)
    assert err.startswith(f"interventions.csv: row 3, column {column}: ")
    assert "NUL" in err
    assert snapshot() == before


def test_a_nul_byte_is_shown_in_the_admin_preview_and_nothing_can_be_confirmed(existing, editor):
    before = snapshot()
    data = csv_bytes(GOOD, "Existing,existing,Now with a \x00 in it.,3,false,2,school")
    response = editor.post(reverse(IMPORT), {"file": upload(data)})
    ((row, column, problem),) = error_rows(response)
    assert (row, column) == ("3", "summary")
    assert "NUL" in problem
    assert parse(response).find_all("input", name="confirm") == []
    assert staged() == []
    assert snapshot() == before


def test_a_cell_longer_than_the_csv_reader_takes_is_an_error_by_row(tmp_path, existing):
    before = snapshot()
    path = tmp_path / "interventions.csv"
    path.write_bytes(csv_bytes(GOOD, f"Long,long,{'x' * 200_000},3,false,2,school"))
    err = run_command(path)
    assert err.startswith("interventions.csv: row 3: ")
    assert snapshot() == before


def test_an_export_with_quoted_items_in_its_cells_imports_back_unchanged(
    intervention_factory, visitor, tmp_path
):
    intervention_factory(slug="semicolons", **SPLIT_FORMULAS)
    intervention_factory(
        slug="line-break",
        summary="First line\n=cmd|' /C calc'!A0;'=already quoted; ' spaced",
        country="UK; @SUM(1)",
    )
    before = snapshot()
    path = tmp_path / "export.csv"
    path.write_bytes(both_exports(visitor))
    out, _ = run(path)
    assert out == "Created 0, updated 0, left 2 unchanged.\n"
    assert snapshot() == before


# The admin's row limit.


@pytest.fixture
def limit(monkeypatch) -> int:
    """A small row limit, so that a test need not make thousands of rows."""
    monkeypatch.setattr(catalogue_admin, "IMPORT_MAX_ROWS", 3)
    return 3


def rows(count: int) -> list[str]:
    return [f"Programme {n},programme-{n},Summary {n}.,3,false,2,school" for n in range(count)]


def test_a_file_of_more_rows_than_the_admin_imports_is_refused_with_a_form_error(
    school, editor, limit
):
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(*rows(limit + 1)))})
    assert response.status_code == 200
    (message,) = error_messages(response)
    assert message.startswith("The file has 4 rows; the admin imports at most 3 at a time.")
    assert "Split it into files of at most 3 rows" in message
    assert "import_interventions" in message
    assert parse(response).find_all("input", name="confirm") == []
    assert staged() == []
    assert not Intervention.objects.exists()


def test_a_file_at_the_limit_is_previewed_counting_records_not_lines(school, editor, limit):
    # A summary over two lines is one row, as the import reads it.
    lines = [*rows(limit - 1), 'Two lines,two-lines,"First line,\r\nsecond line.",3,false,2,']
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(*lines))})
    assert error_messages(response) == []
    assert "This file would create 3, update 0 and leave 0 unchanged." in parse(response).text


def test_the_command_imports_any_number_of_rows(tmp_path, school, limit):
    path = tmp_path / "interventions.csv"
    path.write_bytes(csv_bytes(*rows(limit + 2)))
    call_command("import_interventions", str(path), stdout=StringIO(), stderr=StringIO())
    assert Intervention.objects.count() == limit + 2


# Staged files.


def stage(name: str, age: datetime.timedelta) -> None:
    """A file staged by an earlier preview, age ago."""
    default_storage.save(f"{catalogue_admin.IMPORT_FOLDER}/{name}", ContentFile(b"staged"))
    then = time.time() - age.total_seconds()
    os.utime(default_storage.path(f"{catalogue_admin.IMPORT_FOLDER}/{name}"), (then, then))


def preview_token(response) -> str:
    return parse(response).find("input", name="token").attrs["value"]


def test_staging_a_file_removes_staged_files_older_than_an_hour(school, editor):
    old, recent = "a" * 32 + ".csv", "b" * 32 + ".csv"
    stage(old, datetime.timedelta(hours=1, minutes=5))
    stage(recent, datetime.timedelta(minutes=50))
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(GOOD))})
    token = preview_token(response)
    assert staged() == sorted([recent, f"{token}.csv"])


def test_a_preview_that_fails_stages_nothing(school, editor):
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes("Bad,bad,,3,false,2,"))})
    assert error_rows(response)
    assert staged() == []


def test_a_confirmed_import_removes_its_staged_file(school, editor):
    page = parse(editor.post(reverse(IMPORT), {"file": upload(csv_bytes(GOOD))}))
    (confirm,) = [form for form in page.find_all("form") if form.find_all("input", name="confirm")]
    assert len(staged()) == 1
    response = editor.post(reverse(IMPORT), {**form_data(confirm), "confirm": "Confirm import"})
    assert response.status_code == 302
    assert staged() == []
    assert Intervention.objects.get().slug == "good-one"


def test_a_confirm_that_fails_removes_its_staged_file_and_writes_nothing(
    school, editor, monkeypatch
):
    response = editor.post(reverse(IMPORT), {"file": upload(csv_bytes(GOOD))})
    token = preview_token(response)

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(catalogue_admin, "import_interventions", fail)
    with pytest.raises(RuntimeError):
        editor.post(reverse(IMPORT), {"token": token, "confirm": "Confirm import"})
    assert staged() == []
    assert not Intervention.objects.exists()
