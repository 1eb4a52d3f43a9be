"""Documents built to harm the site (issue 14): ZIP containers whose members inflate far
beyond any real document are refused with a message, without being inflated first."""

import contextlib
import io
import random
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Document
from projects.validators import odt_mimetype, validate_document
from tests.projects.test_uploads import DOCX_BYTES, ODT_BYTES, XLSX_BYTES, stored_files, upload
from tests.support.admin_pages import error_messages

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MB = 1024 * 1024
# More than ten times the 25 MB a document may be, yet only some 300 KB once deflated.
BOMB_MB = 300


def zip_with(name: str, start: bytes, zeros_mb: int, others: dict[str, str]) -> bytes:
    """A ZIP whose member name holds start and then zeros_mb megabytes of zeros, written a
    megabyte at a time so that the test itself never holds the inflated member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w") as member:
            member.write(start)
            for _ in range(zeros_mb):
                member.write(bytes(MB))
        for other, text in others.items():
            archive.writestr(other, text)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def odt_bomb() -> bytes:
    return zip_with("mimetype", ODT_MIMETYPE, BOMB_MB, {"content.xml": "<office:document/>"})


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return zip_with(
        "word/document.xml", b"<w:document>", BOMB_MB, {"[Content_Types].xml": "<Types/>"}
    )


@pytest.fixture
def project(project_factory):
    return project_factory(title="Restart", slug="restart", summary="What Restart asks.")


def refused(content: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as raised:
        validate_document(SimpleUploadedFile(name, content))
    return raised.value.messages[0]


INFLATES = "far more than any real document"


def test_an_odt_bomb_is_refused_through_the_admin_without_being_inflated(
    project, group_editor, odt_bomb
):
    assert len(odt_bomb) < 2 * MB
    tracemalloc.start()
    try:
        response = upload(group_editor, project, "report.odt", odt_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    (message,) = error_messages(response)
    assert INFLATES in message
    # The inflated member alone would be 300 MB; the request needs a small fraction of that.
    assert peak < 30 * MB, f"{peak / MB:.0f} MB"
    assert not Document.objects.exists()
    assert stored_files() == []


def test_a_docx_bomb_is_refused_through_the_admin(project, group_editor, docx_bomb):
    response = upload(group_editor, project, "report.docx", docx_bomb)
    assert response.status_code == 200
    assert INFLATES in error_messages(response)[0]
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", ["report.odt", "report.docx", "report.xlsx"])
def test_validate_document_names_what_the_members_would_unpack_to(name, odt_bomb):
    # filesizeformat keeps "300.0 MB" together with a no-break space.
    message = refused(odt_bomb, name).replace("\xa0", " ")
    assert message.startswith(f"The file unpacks to {BOMB_MB}.0 MB, far more than")
    assert INFLATES in message


def test_members_that_add_up_past_ten_times_the_size_limit_are_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 4096
    # The text packs some sixty times, as repetitive XML does, far below the ratio limit,
    # yet unpacks to some 90 KB, more than ten times the limit.
    text = "".join(f"<w:p><w:r><w:t>Paragraph {n % 100}</w:t></w:r></w:p>" for n in range(2000))
    members = {"[Content_Types].xml": "<Types/>", "word/document.xml": text}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    content = buffer.getvalue()
    assert len(content) <= settings.DOCUMENT_MAX_BYTES
    assert INFLATES in refused(content, "report.docx")


def test_one_member_compressed_beyond_any_real_document_is_refused():
    # 4 MB of zeros: well within the total, but deflated about a thousand times.
    bomb = zip_with("word/document.xml", b"<w:document>", 4, {"[Content_Types].xml": "<Types/>"})
    message = refused(bomb, "report.docx")
    assert "compressed more than 500 times" in message


def test_a_real_document_members_ratio_is_accepted():
    # 4 MB of varied XML, as a long document is: far below the ratio limit.
    text = "".join(f"<w:p><w:r><w:t>Paragraph {n}</w:t></w:r></w:p>" for n in range(100_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", text)
    validate_document(SimpleUploadedFile("report.docx", buffer.getvalue()))


def test_the_odt_mimetype_is_read_a_few_bytes_at_most():
    bomb = zip_with("mimetype", ODT_MIMETYPE, 100, {})
    tracemalloc.start()
    try:
        mimetype = odt_mimetype(io.BytesIO(bomb))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert mimetype != ODT_MIMETYPE
    assert peak < 5 * MB, f"{peak / MB:.0f} MB"


def test_an_odt_whose_mimetype_cannot_be_inflated_is_refused_as_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODT_MIMETYPE * 4)
    content = buffer.getvalue()
    # Spoil the deflated data that follows the member's local header.
    start = 30 + len("mimetype")
    damaged = content[:start] + b"\xff" * 8 + content[start + 8 :]
    assert "it may be damaged or renamed" in refused(damaged, "report.odt")


@pytest.mark.parametrize(("name", "content"), [("a.odt", ODT_BYTES), ("a.docx", DOCX_BYTES)])
def test_ordinary_office_documents_are_still_accepted(name, content):
    validate_document(SimpleUploadedFile(name, content))


def test_a_damaged_container_of_any_kind_is_refused_not_an_error():
    # Bytes changed at random in real containers: each is accepted or refused with a
    # message, whatever part of the ZIP structure the change spoils.
    rng = random.Random(14)
    originals = [("a.docx", DOCX_BYTES), ("a.odt", ODT_BYTES), ("a.xlsx", XLSX_BYTES)]
    for _ in range(20_000):
        name, original = rng.choice(originals)
        content = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            content[rng.randrange(len(content))] = rng.randrange(256)
        with contextlib.suppress(ValidationError):
            validate_document(SimpleUploadedFile(name, bytes(content)))
