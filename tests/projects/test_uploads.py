"""Uploads through the project admin's documents: only real PDF, DOCX, ODT, XLSX and CSV
files up to the size limit, stored under safe and unique names, downloaded by title."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse

from projects.models import Document
from projects.validators import DOCUMENT_TYPES
from tests.support.admin_pages import error_messages, form_on, open_form
from tests.support.factories import PDF_BYTES


def zip_of(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
DOCX_BYTES = zip_of(
    {
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body/></w:document>',
    }
)
XLSX_BYTES = zip_of(
    {
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"/>',
    }
)
# The "mimetype" member comes first and says what kind of OpenDocument this is.
ODT_BYTES = zip_of(
    {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": "<office:document-content/>",
    }
)
ODS_BYTES = zip_of(
    {
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": "<office:document-content/>",
    }
)
CSV_BYTES = "name,setting\nFamily Check-Up,Children’s centre\nRestart,School\n".encode()


def refused_content(extension: str) -> str:
    return (
        f"The file is named {extension} but its content is not a "
        f"{extension.lstrip('.').upper()} document: it may be damaged or renamed. Save it again "
        "in that format and upload it."
    )


def not_published(name: str) -> str:
    return f"“{name}” is not a file type we publish: upload a PDF, DOCX, ODT, XLSX or CSV file."


def stored_files() -> list[str]:
    """Every file under MEDIA_ROOT, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def project(project_factory):
    return project_factory(title="Restart", slug="restart", summary="What Restart asks.")


def change_url(project) -> str:
    return reverse("admin:projects_project_change", args=[project.pk])


def with_upload(data: dict, upload, title: str = "Final report") -> dict:
    """The form data with a new document in the inline's empty row."""
    row = f"documents-{data['documents-INITIAL_FORMS']}"
    return {**data, f"{row}-title": title, f"{row}-kind": "report", f"{row}-file": upload}


def upload(client, project, name: str, content: bytes, title: str = "Final report"):
    url = change_url(project)
    data = open_form(client, url, "project_form")
    return client.post(url, with_upload(data, SimpleUploadedFile(name, content), title))


BAD_UPLOADS = {
    "program": ("setup.exe", b"MZ\x90\x00\x03", not_published("setup.exe")),
    "no extension": ("report", PDF_BYTES, not_published("report")),
    "web page named pdf": (
        "report.pdf",
        b"<html><body>Report</body></html>",
        refused_content(".pdf"),
    ),
    "text named docx": ("report.docx", b"Just some words.", refused_content(".docx")),
    "spreadsheet named docx": ("report.docx", XLSX_BYTES, refused_content(".docx")),
    "damaged docx": ("report.docx", DOCX_BYTES[: len(DOCX_BYTES) // 2], refused_content(".docx")),
    "document named xlsx": ("figures.xlsx", DOCX_BYTES, refused_content(".xlsx")),
    "spreadsheet named odt": ("report.odt", ODS_BYTES, refused_content(".odt")),
    "empty csv": ("data.csv", b"", "The submitted file is empty."),
    "blank csv": ("data.csv", b"\n\n  \n", refused_content(".csv")),
    "binary named csv": ("data.csv", b"\x00\x01\x02PK\x03\x04", refused_content(".csv")),
}


@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS.values(), ids=BAD_UPLOADS)
def test_bad_upload_is_refused_with_its_rule_and_nothing_else_is_lost(
    name, content, message, project, group_editor
):
    url = change_url(project)
    data = open_form(group_editor, url, "project_form")
    data["summary"] = "What Restart asks, and why it matters."
    response = group_editor.post(url, with_upload(data, SimpleUploadedFile(name, content)))

    assert response.status_code == 200
    assert message in error_messages(response)
    kept = form_on(response, "project_form")
    assert kept["summary"] == "What Restart asks, and why it matters."
    assert kept["documents-0-title"] == "Final report"
    project.refresh_from_db()
    assert project.summary == "What Restart asks."
    assert project.version == 1
    assert not Document.objects.exists()
    assert stored_files() == []


def test_file_over_the_size_limit_is_refused_naming_the_limit(project, group_editor, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    content = PDF_BYTES + b"%" * (2048 - len(PDF_BYTES))
    response = upload(group_editor, project, "report.pdf", content)
    assert response.status_code == 200
    # filesizeformat keeps "2.0 KB" together with a no-break space; a reader sees a space.
    limit, size = (filesizeformat(n).replace("\xa0", " ") for n in (1024, 2048))
    assert error_messages(response) == [
        f"The file is {size}; documents can be at most {limit}. Compress it or split it."
    ]
    assert not Document.objects.exists()
    assert stored_files() == []


def test_file_at_the_size_limit_is_accepted(project, group_editor, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    content = PDF_BYTES + b"%" * (1024 - len(PDF_BYTES))
    response = upload(group_editor, project, "report.pdf", content)
    assert response.status_code == 302, error_messages(response)
    assert Document.objects.get().size == 1024


GOOD_UPLOADS = {
    "pdf": ("Final report.pdf", PDF_BYTES),
    "docx": ("Final report.docx", DOCX_BYTES),
    "odt": ("Final report.odt", ODT_BYTES),
    "xlsx": ("Final report.xlsx", XLSX_BYTES),
    "csv": ("Final report.csv", CSV_BYTES),
    "upper-case extension": ("FINAL REPORT.PDF", PDF_BYTES),
}


@pytest.mark.parametrize(("name", "content"), GOOD_UPLOADS.values(), ids=GOOD_UPLOADS)
def test_accepted_upload_is_stored_and_downloads_with_its_type_and_title(
    name, content, project, group_editor, visitor
):
    response = upload(group_editor, project, name, content, title="Restart: final report")
    assert response.status_code == 302, error_messages(response)

    document = Document.objects.get(project=project)
    extension = Path(name).suffix.lower()
    assert re.fullmatch(
        rf"documents/restart/final-report-[0-9a-f]{{8}}\{extension}", document.file.name
    )
    assert stored_files() == [document.file.name]
    assert document.size == len(content)

    download = visitor.get(document.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == DOCUMENT_TYPES[extension]
    assert download["Content-Disposition"] == (
        f'attachment; filename="restart-final-report{extension}"'
    )


def post_with_raw_file_name(client, url: str, data: dict, field: str, raw_name: str, content):
    """Post data as a browser would with a file whose name it did not clean up."""
    body = encode_multipart(BOUNDARY, {**data, field: SimpleUploadedFile("upload.pdf", content)})
    body = body.replace(b'filename="upload.pdf"', f'filename="{raw_name}"'.encode())
    return client.post(url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def test_stored_names_are_safe_and_unique(project, group_editor):
    url = change_url(project)
    for _ in range(2):
        data = open_form(group_editor, url, "project_form")
        row = f"documents-{data['documents-INITIAL_FORMS']}"
        data.update({f"{row}-title": "My report", f"{row}-kind": "report"})
        response = post_with_raw_file_name(
            group_editor, url, data, f"{row}-file", "../../My Report!.pdf", PDF_BYTES
        )
        assert response.status_code == 302, error_messages(response)

    names = sorted(Document.objects.values_list("file", flat=True))
    assert len(set(names)) == 2
    for name in names:
        assert re.fullmatch(r"documents/restart/my-report-[0-9a-f]{8}\.pdf", name)
    assert stored_files() == names


def test_replacing_a_document_keeps_the_old_file_and_its_name_in_the_history(
    project, editor_account, group_editor, visitor
):
    upload(group_editor, project, "protocol.pdf", PDF_BYTES, title="Protocol")
    document = Document.objects.get()
    old_name = document.file.name

    url = change_url(project)
    data = open_form(group_editor, url, "project_form")
    new_content = PDF_BYTES.replace(b"1.4", b"1.7")
    data["documents-0-file"] = SimpleUploadedFile("protocol v2.pdf", new_content)
    response = group_editor.post(url, data)
    assert response.status_code == 302, error_messages(response)

    document.refresh_from_db()
    assert document.file.name != old_name
    assert re.fullmatch(r"documents/restart/protocol-v2-[0-9a-f]{8}\.pdf", document.file.name)
    assert stored_files() == sorted([old_name, document.file.name])
    assert (Path(settings.MEDIA_ROOT) / old_name).read_bytes() == PDF_BYTES
    assert [record.file for record in document.history.all()] == [document.file.name, old_name]
    assert document.history.first().history_user == editor_account
    download = visitor.get(document.get_absolute_url())
    assert b"".join(download.streaming_content) == new_content


def test_bad_replacement_keeps_the_current_file(project, group_editor):
    upload(group_editor, project, "protocol.pdf", PDF_BYTES, title="Protocol")
    document = Document.objects.get()
    url = change_url(project)
    data = open_form(group_editor, url, "project_form")
    data["documents-0-file"] = SimpleUploadedFile("protocol.pdf", b"not a pdf")
    response = group_editor.post(url, data)
    assert response.status_code == 200
    assert refused_content(".pdf") in error_messages(response)
    assert stored_files() == [Document.objects.get().file.name] == [document.file.name]
