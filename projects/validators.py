"""Which documents editors may upload: by name and by content, up to a size."""

import csv
import io
import zipfile
import zlib
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


# Deflate cannot pack more than some 1,030 bytes into one, and the XML of real documents
# packs 5 to 20 times; a workbook of one value repeated over many rows reaches 100 to 200
# (so that Apache POI's limit of 100 refuses some real ones). Only a member made of
# repetition and little else, a zip bomb, comes near 500.
ZIP_MAX_RATIO = 500
# Below this a member's ratio says nothing: a few repeated bytes pack well and cost nothing.
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# What reading a damaged, encrypted or oddly compressed container or member can raise.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
)


def zip_members(head: bytes, file) -> list[zipfile.ZipInfo] | None:
    """The members of a ZIP container (DOCX, XLSX and ODT are ZIPs), or None."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return archive.infolist()
    except ZIP_ERRORS:
        return None


def refuse_zip_bomb(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a container whose members would unpack to far more than a document holds,
    judged by the sizes its directory declares, before any member is unpacked."""
    total = sum(member.file_size for member in members)
    limit = 10 * settings.DOCUMENT_MAX_BYTES
    packed_too_tight = [
        member
        for member in members
        if member.file_size > ZIP_RATIO_FROM_BYTES
        and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
    ]
    harm = (
        "it may be damaged or made to harm the site. Save it again from your word processor "
        "or spreadsheet and upload it."
    )
    if total > limit:
        raise ValidationError(
            f"The file unpacks to {filesizeformat(total)}, far more than any real document "
            f"of at most {filesizeformat(settings.DOCUMENT_MAX_BYTES)} does: {harm}",
            code="file_inflates",
        )
    if packed_too_tight:
        raise ValidationError(
            f"The file's part “{packed_too_tight[0].filename}” is compressed more than "
            f"{ZIP_MAX_RATIO} times, far more than any real document is: {harm}",
            code="file_inflates",
        )


def odt_mimetype(file) -> bytes:
    """The start of an ODT's mimetype member, read no further than its value can be."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            if "mimetype" not in archive.namelist():
                return b""
            with archive.open("mimetype") as member:
                # One byte more than the value, so that a longer member does not match.
                return member.read(len(ODT_MIMETYPE) + 1).strip()
    except ZIP_ERRORS:
        return b""


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
    members = zip_members(head, file)
    if members is None:
        return False
    refuse_zip_bomb(members)
    names = {member.filename for member in members}
    if extension == ".docx":
        return "[Content_Types].xml" in names and "word/document.xml" in names
    if extension == ".xlsx":
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    if extension == ".odt":
        return odt_mimetype(file) == ODT_MIMETYPE
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
