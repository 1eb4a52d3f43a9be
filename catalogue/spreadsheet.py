"""The guidebook's CSV format, shared by the export and the import so that an export
imports back unchanged. docs/data.md defines the columns."""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import models

from ratings.scales import CostRating, EvidenceRating

from .models import (
    RESERVED_SLUGS,
    AgeGroup,
    DeliveryModel,
    LevelOfNeed,
    OutcomeEvidence,
    Setting,
    evidence_sentence,
)

REQUIRED_COLUMNS = [
    "name",
    "slug",
    "summary",
    "evidence_rating",
    "mixed_findings",
    "cost_rating",
    "outcomes",
]
OPTIONAL_COLUMNS = [
    "provider",
    "website",
    "age_groups",
    "setting",
    "delivery_model",
    "level_of_need",
    "country",
]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# The export adds what the import does not read, as it ignores any column it does not know.
EXPORT_ONLY_COLUMNS = ["evidence_summary"]
EXPORT_COLUMNS = COLUMNS + EXPORT_ONLY_COLUMNS
LIST_COLUMNS = {
    "age_groups": AgeGroup,
    "setting": Setting,
    "delivery_model": DeliveryModel,
    "level_of_need": LevelOfNeed,
}
# The intervention's fields a row sets: every column but the outcomes, which are links.
FIELD_COLUMNS = [column for column in COLUMNS if column != "outcomes"]
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0", ""}

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where else a spreadsheet may start a cell within one of ours: one that splits on
# semicolons splits our lists and any text with a semicolon, and once it has misread the
# quoting of a line it starts a new row at a line break inside a cell.
ITEM_BREAKS = re.compile(r"([;\r\n])")


def starts_formula(item: str) -> bool:
    # Past any spaces a spreadsheet may trim, and the quote that opens a quoted cell.
    return item.lstrip(' "').startswith(FORMULA_STARTS)


def quote_item(item: str) -> str:
    # An item that already looks quoted is quoted again, so that the import gives it back.
    quote = starts_formula(item) or unquote_item(item) != item
    return "'" + item if quote else item


def unquote_item(item: str) -> str:
    quoted = item.startswith("'") and (starts_formula(item[1:]) or item[1:].startswith("'"))
    return item[1:] if quoted else item


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell, or any item a semicolon or line break
    starts within it, as a formula by quoting it with a leading apostrophe."""
    parts = ITEM_BREAKS.split(value)
    # The split keeps each break: items are the even parts, breaks the odd ones.
    parts[::2] = map(quote_item, parts[::2])
    return "".join(parts)


def unneutralise(value: str) -> str:
    parts = ITEM_BREAKS.split(value)
    parts[::2] = map(unquote_item, parts[::2])
    return "".join(parts)


# The stored fields the export reads: plain values, not model instances, for speed.
EXPORT_FIELDS = [
    "pk", "name", "slug", "summary", "evidence_rating", "mixed_findings", "cost_rating",
    "provider", "website", "country", *LIST_COLUMNS,
    "study_count", "counting_study_count", "independent_study_count", "uk_study_count",
]  # fmt: skip
EXPORT_CHUNK = 2000


def export_row(row: dict, outcome_slugs: list[str]) -> list[str]:
    """One intervention, read with EXPORT_FIELDS, as a CSV row."""
    evidence, cost = row["evidence_rating"], row["cost_rating"]
    values = {
        **row,
        "evidence_rating": EvidenceRating(evidence).label if evidence is not None else "",
        "mixed_findings": "true" if row["mixed_findings"] else "false",
        "cost_rating": CostRating(cost).label if cost is not None else "",
        "outcomes": ";".join(outcome_slugs),
        **{name: ";".join(row[name] or []) for name in LIST_COLUMNS},
        "evidence_summary": evidence_sentence(
            row["study_count"],
            row["counting_study_count"],
            row["independent_study_count"],
            row["uk_study_count"],
        ),
    }
    return [neutralise(values[column]) for column in EXPORT_COLUMNS]


class Echo:
    """A file-like object that hands back what is written, for streaming a CSV."""

    def write(self, value: str) -> str:
        return value


def export_lines(interventions: models.QuerySet) -> Iterator[str]:
    """The CSV export, a chunk of rows at a time, so that memory stays flat however many
    rows: one query for each chunk's outcomes."""
    # Every cell quoted: a spreadsheet that splits on commas never splits inside one.
    writer = csv.writer(Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow(EXPORT_COLUMNS)
    rows = interventions.values(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        outcomes = defaultdict(list)
        links = (
            OutcomeEvidence.objects.filter(content_object_id__in=[row["pk"] for row in chunk])
            .order_by("tag__position", "tag__name")
            .values_list("content_object_id", "tag__slug")
        )
        for intervention, slug in links:
            outcomes[intervention].append(slug)
        yield "".join(writer.writerow(export_row(row, outcomes[row["pk"]])) for row in chunk)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    row: int
    fields: dict
    outcome_slugs: list[str]


@dataclass
class ParsedFile:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def count_rows(data: bytes) -> int:
    """How many rows follow the header, counted as read_csv reads them (a cell may hold a
    line break), without checking them."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    count = 0
    try:
        for row in reader:
            count += bool(row)
    except csv.Error:
        pass  # read_csv reports the row it cannot read.
    return max(count - 1, 0)


def numbered_rows(reader: csv.DictReader, errors: list[RowError]) -> Iterator[tuple[int, dict]]:
    """The rows after the header with their numbers, ending with an error at a row the csv
    module cannot read."""
    number = 1
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error:
            # Unclosed quotes make the rest of the file one cell, so they end here too.
            errors.append(
                RowError(
                    number,
                    "",
                    f"this row cannot be read: a cell is longer than "
                    f"{csv.field_size_limit():,} characters, or a quote in it is not closed",
                )
            )
            return


NUL_MESSAGE = (
    "this cell holds a NUL character, which no text can be stored with; delete it "
    "(a spreadsheet may show nothing there)"
)


def decode(data: bytes) -> tuple[str, RowError | None]:
    """The file's text, or an error at the row of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return "", RowError(
            data[: error.start].count(b"\n") + 1,
            "",
            f"the file is not UTF-8 text (byte {error.start} cannot be read); "
            "save it as “CSV UTF-8” and try again",
        )


def read_csv(data: bytes, outcome_slugs: set[str]) -> ParsedFile:
    """Check every row of an uploaded CSV, collecting every error by row and column."""
    result = ParsedFile()
    text, error = decode(data)
    if error:
        result.errors.append(error)
        return result
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        result.errors.append(RowError(1, "", "the file is empty; it needs a header row"))
        return result
    reader.fieldnames = header
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    for column in missing:
        result.errors.append(RowError(1, column, "this column is missing from the header row"))
    if missing:
        return result

    seen_slugs: dict[str, int] = {}
    for number, raw in numbered_rows(reader, result.errors):
        if None in raw:
            result.errors.append(RowError(number, "", "this row has more cells than the header"))
            continue
        values = {key: unneutralise((raw.get(key) or "").strip()) for key in COLUMNS}
        errors = []
        fields = {
            key: values[key]
            for key in ("name", "slug", "summary", "provider", "website", "country")
        }

        def check(column: str, ok: bool, message: str) -> None:
            if not ok:
                errors.append(RowError(number, column, message))  # noqa: B023 - used at once

        for column in COLUMNS:
            check(
                column,
                "\x00" not in values[column],
                NUL_MESSAGE,
            )
        check("name", bool(values["name"]), "a name is required")
        check("name", len(values["name"]) <= 200, "the name is longer than 200 characters")
        check("summary", bool(values["summary"]), "a summary is required")
        slug = values["slug"]
        try:
            validate_slug(slug)
            check("slug", len(slug) <= 200, "the slug is longer than 200 characters")
            check("slug", slug not in RESERVED_SLUGS, f"“{slug}” is the address of another page")
            check(
                "slug",
                slug not in seen_slugs,
                f"“{slug}” is also used on row {seen_slugs.get(slug)}; each slug once",
            )
        except ValidationError:
            check(
                "slug",
                False,
                f"“{slug}” is not a slug: use lower-case letters, numbers and hyphens",
            )
        seen_slugs.setdefault(slug, number)

        fields["evidence_rating"] = None
        if values["evidence_rating"]:
            try:
                fields["evidence_rating"] = EvidenceRating.from_code(
                    values["evidence_rating"]
                ).value
            except ValueError:
                check(
                    "evidence_rating",
                    False,
                    f"“{values['evidence_rating']}” is not an evidence rating "
                    "(2, 2+, 3, 3+, 4, 4+, NL2, NE or empty)",
                )
        mixed = values["mixed_findings"].lower()
        check(
            "mixed_findings",
            mixed in TRUE_WORDS | FALSE_WORDS,
            f"“{values['mixed_findings']}” is not true or false",
        )
        fields["mixed_findings"] = mixed in TRUE_WORDS
        if fields["mixed_findings"] and fields["evidence_rating"] is not None:
            check(
                "mixed_findings",
                fields["evidence_rating"] >= EvidenceRating.LEVEL_2,
                "only a rating of 2 to 4+ can have mixed findings",
            )
        elif fields["mixed_findings"] and not values["evidence_rating"]:
            check("mixed_findings", False, "only a rating of 2 to 4+ can have mixed findings")

        fields["cost_rating"] = None
        if values["cost_rating"]:
            try:
                fields["cost_rating"] = CostRating.from_code(values["cost_rating"]).value
            except ValueError:
                check(
                    "cost_rating",
                    False,
                    f"“{values['cost_rating']}” is not a cost rating (1 to 5, NA or empty)",
                )

        slugs = [item.strip() for item in values["outcomes"].split(";") if item.strip()]
        unknown = [item for item in slugs if item not in outcome_slugs]
        check("outcomes", not unknown, f"unknown outcome: {', '.join(unknown)}")

        if values["website"]:
            try:
                URLValidator()(values["website"])
            except ValidationError:
                check("website", False, f"“{values['website']}” is not a web address")
        check("website", len(values["website"]) <= 200, "longer than 200 characters")
        check("provider", len(values["provider"]) <= 200, "longer than 200 characters")
        check("country", len(values["country"]) <= 100, "longer than 100 characters")

        for column, choices in LIST_COLUMNS.items():
            try:
                fields[column] = [choice.value for choice in choices.from_codes(values[column])]
            except ValueError as error:
                check(
                    column,
                    False,
                    f"unknown value {', '.join(error.args)}; use {', '.join(choices.values)}",
                )

        result.errors.extend(errors)
        if not errors:
            result.rows.append(ParsedRow(number, fields, list(dict.fromkeys(slugs))))
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "", "the file has a header but no rows"))
    return result
