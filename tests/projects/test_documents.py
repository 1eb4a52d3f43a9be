"""Documents on a project page: real files are linked with type and size, and download."""

from django.core.files.base import ContentFile
from django.urls import reverse

from tests.support.factories import PDF_BYTES
from tests.support.pages import main


def download_url(document) -> str:
    return reverse("projects:document-download", args=[document.project.slug, document.pk])


def test_document_with_a_file_is_linked_with_its_type_and_size(document_factory, visitor):
    document = document_factory(title="Study protocol", kind="protocol")
    page = main(visitor.get(document.project.get_absolute_url()))
    documents = page.section("Documents")
    link = documents.find("a")
    assert link.text == "Study protocol"
    assert link.attrs["href"] == download_url(document)
    assert documents.find("span", class_="documents__meta").text == (
        f"Protocol, PDF, {len(PDF_BYTES)} bytes"
    )


def test_uploaded_size_is_recorded_from_the_file(document_factory):
    assert document_factory().size == len(PDF_BYTES)


def test_download_sends_the_file_as_an_attachment_named_after_its_title(document_factory, visitor):
    document = document_factory(title="Final report: Restart programme", kind="report")
    response = visitor.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == (
        'attachment; filename="final-report-restart-programme.pdf"'
    )
    assert response["Content-Type"] == "application/pdf"


def test_document_without_a_file_shows_no_link_and_cannot_be_downloaded(document_factory, visitor):
    document = document_factory(title="Protocol on its way", without_file=True)
    page = main(visitor.get(document.project.get_absolute_url()))
    documents = page.section("Documents")
    assert documents.find_all("a") == []
    assert documents.items() == ["Protocol on its way Protocol, not yet available to download"]
    assert visitor.get(download_url(document)).status_code == 404


def test_document_whose_file_went_missing_is_404_not_an_error(document_factory, visitor):
    document = document_factory()
    document.file.storage.delete(document.file.name)
    assert visitor.get(download_url(document)).status_code == 404


def test_documents_of_an_unpublished_project_are_404_for_visitors(
    document_factory, project_factory, visitor, outsider, editor
):
    document = document_factory(project=project_factory(published=False))
    assert visitor.get(download_url(document)).status_code == 404
    assert outsider.get(download_url(document)).status_code == 404
    response = editor.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_document_is_only_found_under_its_own_project(document_factory, project_factory, visitor):
    document = document_factory()
    other = project_factory()
    url = reverse("projects:document-download", args=[other.slug, document.pk])
    assert visitor.get(url).status_code == 404


def test_project_without_documents_has_no_documents_heading(project_factory, visitor):
    assert "Documents" not in main(visitor.get(project_factory().get_absolute_url())).headings()


def test_larger_files_are_sized_in_kilobytes(document_factory, visitor):
    document = document_factory(file=ContentFile(b"%PDF-" + b"0" * 2043, name="report.pdf"))
    page = main(visitor.get(document.project.get_absolute_url()))
    assert page.section("Documents").find("span", class_="documents__meta").text == (
        "Protocol, PDF, 2.0 KB"
    )
