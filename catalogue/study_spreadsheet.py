"""The studies' CSV format, one row per finding, shared by export_studies and
import_studies so that an export imports back unchanged. docs/data.md defines the columns.

The cells are read here into plain values; whether those values break a rule of the
models (a length, a range, an empty required text) is left to the models themselves
(catalogue.services.ModelRules), so that each rule is written once."""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import models

from .models import Direction, Finding, StudyDesign, StudyLevel
from .spreadsheet import (
    FALSE_WORDS,
    NUL_MESSAGE,
    TRUE_WORDS,
    Echo,
    RowError,
    decode,
    neutralise,
    numbered_rows,
    unneutralise,
)

# Which study a row belongs to: its intervention's slug and its number on it.
KEY_COLUMNS = ["intervention", "study"]
# A study's own columns, which every row of the study repeats alike.
STUDY_COLUMNS = [
    "citation", "year", "design", "level", "counts_towards_rating", "independent",
    "country", "sample_intervention", "sample_comparison", "ethnicity", "doi",
]  # fmt: skip
FINDING_COLUMNS = [
    "outcome", "sub_outcome", "statement", "direction", "months_after_end", "effect_size",
]  # fmt: skip
REQUIRED_COLUMNS = KEY_COLUMNS + STUDY_COLUMNS + FINDING_COLUMNS
# The rest of a study and of a finding, so that an export loses nothing; a file may leave
# them out.
OPTIONAL_STUDY_COLUMNS = [
    "registry_ids", "rating_note", "population_ages", "population_need", "measures",
    "limitations",
]  # fmt: skip
OPTIONAL_FINDING_COLUMNS = ["measure", "improvement_index"]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_STUDY_COLUMNS + OPTIONAL_FINDING_COLUMNS

# Each column but `study` (the number) and `outcome` (a slug) is the field of its name.
STUDY_FIELDS = STUDY_COLUMNS + OPTIONAL_STUDY_COLUMNS
FINDING_FIELDS = [column for column in FINDING_COLUMNS if column != "outcome"]
FINDING_FIELDS += OPTIONAL_FINDING_COLUMNS
FIELD_OF_COLUMN = {"study": "number"}
COLUMN_OF_FIELD = {name: column for column, name in FIELD_OF_COLUMN.items()}
INTEGER_COLUMNS = {
    "study", "year", "sample_intervention", "sample_comparison", "months_after_end",
    "improvement_index",
}  # fmt: skip
BOOLEAN_COLUMNS = {"counts_towards_rating", "independent"}

# Plain numbers only: int() and Decimal() also take "1_000", "NaN", "1e3" and other digits.
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def words(text: str) -> str:
    """A vocabulary cell, to compare without case, hyphens, underscores or extra spaces."""
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def parse_design(text: str) -> str:
    for design in StudyDesign:
        if words(text) in {words(design.value), words(design.label)}:
            return design.value
    raise ValueError(f"“{text}” is not a design; use {', '.join(StudyDesign.values)}")


def parse_level(text: str) -> int:
    try:
        return StudyLevel.from_code(text).value
    except ValueError:
        raise ValueError(f"“{text}” is not a level; use 2, 3, 4 or below 2") from None


def parse_direction(text: str) -> str:
    for direction in Direction:
        if words(text) == words(direction.value):
            return direction.value
    raise ValueError(f"“{text}” is not a direction; use {', '.join(Direction.values)}")


def parse_integer(text: str) -> int | None:
    if not text:
        return None
    if not INTEGER.fullmatch(text):
        raise ValueError(f"“{text}” is not a whole number")
    return int(text)


def parse_decimal(text: str) -> Decimal | None:
    if not text:
        return None
    if not DECIMAL.fullmatch(text):
        raise ValueError(f"“{text}” is not a number such as 0.25 or -0.1")
    return Decimal(text)


def parse_boolean(text: str) -> bool:
    if text.lower() not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"“{text}” is not true or false")
    return text.lower() in TRUE_WORDS


def parse_text(text: str) -> str:
    return text


def required(parse: Callable, what: str) -> Callable:
    def parse_required(text: str):
        if not text:
            raise ValueError(f"{what} is required")
        return parse(text)

    return parse_required


PARSERS: dict[str, Callable] = {
    **{column: parse_integer for column in INTEGER_COLUMNS},
    **{column: parse_boolean for column in BOOLEAN_COLUMNS},
    "study": required(parse_integer, "a study number"),
    "design": required(parse_design, f"a design ({', '.join(StudyDesign.values)})"),
    "level": required(parse_level, "a level (2, 3, 4 or below 2)"),
    "direction": required(parse_direction, f"a direction ({', '.join(Direction.values)})"),
    "effect_size": parse_decimal,
}


@dataclass
class ParsedFinding:
    """A row's finding: the fields read from it by field name, and (bad) the fields whose
    cell could not be read, which the models' checks leave out."""

    row: int
    outcome: str
    fields: dict
    bad: set[str]


@dataclass
class ParsedStudy:
    """A study as its first row gives it, with a finding from each of its rows."""

    row: int
    intervention: str
    fields: dict
    bad: set[str]
    findings: list[ParsedFinding] = field(default_factory=list)

    @property
    def number(self) -> int | None:
        return self.fields.get("number")

    @property
    def label(self) -> str:
        return f"{self.intervention} study {self.number}"


@dataclass
class ParsedStudies:
    studies: list[ParsedStudy] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def shown(text: str) -> str:
    """A cell quoted in a message, cut short if long."""
    if not text:
        return "empty"
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


class RowReader:
    """Read one row's cells into fields, noting each cell that cannot be read."""

    def __init__(self, number: int, values: dict[str, str]):
        self.number, self.values = number, values
        self.errors: list[RowError] = []
        # A cell with a NUL character is told once, and read as nothing else.
        self.nul = {column for column in COLUMNS if "\x00" in values[column]}
        for column in sorted(self.nul, key=COLUMNS.index):
            self.fail(column, NUL_MESSAGE)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def check_known(self, column: str, known: Container[str], what: str) -> None:
        """The cell is the slug of a stored record."""
        slug = self.values[column]
        if column in self.nul:
            return
        if not slug:
            self.fail(column, f"an {what} slug is required")
        elif slug not in known:
            self.fail(column, f"unknown {what}: {shown(slug)}")

    def read(self, columns: list[str]) -> tuple[dict, set[str]]:
        """The fields of these columns (by field name) and the fields whose cell is bad."""
        fields, bad = {}, set()
        for column in columns:
            name = FIELD_OF_COLUMN.get(column, column)
            if column in self.nul:
                bad.add(name)
                continue
            try:
                fields[name] = PARSERS.get(column, parse_text)(self.values[column])
            except ValueError as error:
                self.fail(column, str(error))
                bad.add(name)
        return fields, bad


def read_studies_csv(
    data: bytes, interventions: Container[str], outcomes: Container[str]
) -> ParsedStudies:
    """Check every row of a studies CSV, collecting every error by row and column, and
    gather its rows into studies, each with its findings in the file's order."""
    result = ParsedStudies()
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

    studies: dict[tuple, ParsedStudy] = {}
    first_cells: dict[tuple, dict[str, str]] = {}
    rows = 0
    for number, raw in numbered_rows(reader, result.errors):
        rows += 1
        if None in raw:
            result.errors.append(RowError(number, "", "this row has more cells than the header"))
            continue
        values = {column: unneutralise((raw.get(column) or "").strip()) for column in COLUMNS}
        row = RowReader(number, values)
        nul = row.nul

        slug = values["intervention"]
        row.check_known("intervention", interventions, "intervention")
        key_fields, key_bad = row.read(["study"])
        # A number that cannot be read still groups its rows, so each error is told once.
        key = (slug, key_fields["number"] if not key_bad else ("unread", values["study"]))

        study = studies.get(key)
        if study is None:
            fields, bad = row.read(STUDY_FIELDS)
            study = studies[key] = ParsedStudy(
                number, slug, {**key_fields, **fields}, bad | key_bad
            )
            first_cells[key] = {column: values[column] for column in STUDY_FIELDS}
        else:
            for column in STUDY_FIELDS:
                first = first_cells[key][column]
                if values[column] == first or column in nul:
                    continue
                fields, bad = row.read([column])
                if not bad and (column in study.bad or fields[column] != study.fields[column]):
                    row.fail(
                        column,
                        f"{shown(values[column])} here but {shown(first)} on row {study.row}, "
                        "this study's first row: every row of a study repeats its columns alike",
                    )

        finding_columns = FINDING_COLUMNS + OPTIONAL_FINDING_COLUMNS
        # A row with every finding cell empty gives its study no finding: how a study
        # without findings is written.
        if any(values[column] for column in finding_columns) or nul & set(finding_columns):
            row.check_known("outcome", outcomes, "outcome")
            fields, bad = row.read(FINDING_FIELDS)
            study.findings.append(ParsedFinding(number, values["outcome"], fields, bad))
        result.errors.extend(row.errors)
    result.studies = list(studies.values())
    if not rows and not result.errors:
        result.errors.append(RowError(2, "", "the file has a header but no rows"))
    return result


# The stored fields the export reads: plain values, not model instances, for speed.
STUDY_EXPORT_FIELDS = ["pk", "intervention__slug", "number", *STUDY_FIELDS]
FINDING_EXPORT_FIELDS = ["study_id", "outcome__slug", *FINDING_FIELDS]
EXPORT_CHUNK = 2000


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def export_row(study: dict, finding: dict | None) -> list[str]:
    """One finding of a study, or a study without findings, read with the EXPORT_FIELDS,
    as a CSV row."""
    values = {
        **{name: cell(study[name]) for name in STUDY_FIELDS},
        "intervention": study["intervention__slug"],
        "study": cell(study["number"]),
        "level": StudyLevel(study["level"]).code,
        **{name: "" for name in ["outcome", *FINDING_FIELDS]},
    }
    if finding is not None:
        values.update({name: cell(finding[name]) for name in FINDING_FIELDS})
        values["outcome"] = finding["outcome__slug"]
    return [neutralise(values[column]) for column in COLUMNS]


def export_lines(studies: models.QuerySet) -> Iterator[str]:
    """The studies CSV, ordered by intervention slug and number, a chunk of studies at a
    time so that memory stays flat however many: one query for each chunk's findings."""
    # Every cell quoted, as the guidebook's CSV is.
    writer = csv.writer(Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow(COLUMNS)
    rows = (
        studies.order_by("intervention__slug", "number")
        .values(*STUDY_EXPORT_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        findings = defaultdict(list)
        # In the order the site lists them (Finding's ordering), which the import keeps.
        for finding in (
            Finding.objects.filter(study_id__in=[study["pk"] for study in chunk])
            .order_by("study_id", "outcome__position", "pk")
            .values(*FINDING_EXPORT_FIELDS)
        ):
            findings[finding["study_id"]].append(finding)
        yield "".join(
            writer.writerow(export_row(study, finding))
            for study in chunk
            for finding in findings[study["pk"]] or [None]
        )
