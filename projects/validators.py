"""Which documents editors may upload: by name and by content, up to a size."""

import csv
import io
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}
TYPE_NAMES = "PDF, DOCX, ODT, XLSX or CSV"


def zip_names(head: bytes, file) -> set[str] | None:
    """The member names of a ZIP container (DOCX, XLSX and ODT are ZIPs), or None."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None


def odt_mimetype(file) -> bytes:
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        return archive.read("mimetype").strip() if "mimetype" in archive.namelist() else b""


def looks_like(extension: str, head: bytes, file) -> bool:
    """Whether the file's content is what its name says."""
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".csv":
        if b"\x00" in head:
            return False
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            # The sample may end inside a character; anything earlier must be UTF-8.
            if error.start < len(head) - 3:
                return False
            text = head[: error.start].decode("utf-8-sig")
        return bool(text.strip()) and next(csv.reader(io.StringIO(text)), None) is not None
    names = zip_names(head, file)
    if names is None:
        return False
    if extension == ".docx":
        return "[Content_Types].xml" in names and "word/document.xml" in names
    if extension == ".xlsx":
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    if extension == ".odt":
        return odt_mimetype(file) == b"application/vnd.oasis.opendocument.text"
    return False


def validate_document(file) -> None:
    """Refuse a file that is not a PDF, DOCX, ODT, XLSX or CSV of at most 25 MB, naming
    the rule it broke."""
    if getattr(file, "_committed", False):
        return  # Already stored and checked when it was uploaded.
    extension = PurePosixPath(file.name).suffix.lower()
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            f"“{PurePosixPath(file.name).name}” is not a file type we publish: upload a "
            f"{TYPE_NAMES} file.",
            code="file_type",
        )
    if file.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            f"The file is {filesizeformat(file.size)}; documents can be at most "
            f"{filesizeformat(settings.DOCUMENT_MAX_BYTES)}. Compress it or split it.",
            code="file_size",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(4096)
        matches = looks_like(extension, head, file)
    finally:
        file.seek(position)
    if not matches:
        raise ValidationError(
            f"The file is named {extension} but its content is not a "
            f"{extension.lstrip('.').upper()} document: it may be damaged or renamed. "
            "Save it again in that format and upload it.",
            code="file_content",
        )
