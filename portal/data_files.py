"""The bulk downloads at /data/: what each file holds (one definition of its columns, which
both writes the file and makes the data dictionary), how they are built on disk, and how a
request finds the files of the current content.

The files are built once for each content version (core.cache), never per request: into a
temporary directory, renamed into place whole, so that no reader sees half a file. The
first request after a change starts the build in a thread of its process, behind a lock
in the shared cache that keeps two processes from building at once, and every request is
answered at once with the previous files until the new ones are in place: at 100k
interventions a build takes minutes, longer than a request may last. Rows are read in
chunks and written as they are read, the JSON file too, so memory stays flat however
many records."""

import csv
import datetime
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.urls import reverse
from redis.exceptions import RedisError

from catalogue import spreadsheet, study_spreadsheet
from catalogue.models import (
    AgeGroup,
    ChildOutcome,
    DeliveryModel,
    Direction,
    ExternalRating,
    Finding,
    Intervention,
    LevelOfNeed,
    OutcomeEvidence,
    ReviewItem,
    ReviewStage,
    ReviewStageEntry,
    Setting,
    Study,
    StudyDesign,
    StudyLevel,
    evidence_sentence,
)
from core.addresses import absolute_url
from core.cache import content_version
from projects.models import (
    Document,
    Organisation,
    Partnership,
    Project,
    ResearchQuestion,
    Role,
    Status,
    StudyType,
)
from ratings.crosswalk import Clearinghouse, Tier
from ratings.scales import CostRating, EvidenceRating

logger = logging.getLogger(__name__)

CHUNK = 2000
LICENCE_NAME = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Column:
    """One column of a file (or field of a JSON record): its name, type, meaning and
    allowed values, and, for the files written here, how a row's value is read."""

    name: str
    type: str
    meaning: str
    values: str = ""
    read: Callable[[dict], object] | None = None


def codes(choices) -> str:
    return ", ".join(f"`{value}`" for value in choices)


EVIDENCE_CODES = ", ".join(rating.label for rating in EvidenceRating)
COST_CODES = ", ".join(rating.label for rating in CostRating)
LIST = "text: codes separated by `;`"

INTERVENTION_COLUMNS = [
    Column("name", "text", "The intervention's name.", "at most 200 characters"),
    Column("slug", "text", "Its address on the site, /interventions/<slug>/.", "a slug"),
    Column("summary", "text", "One or two plain sentences about it."),
    Column("evidence_rating", "code", "Its evidence rating.", EVIDENCE_CODES + ", or empty"),
    Column(
        "mixed_findings",
        "boolean",
        "Some studies show no effect or a negative one.",
        "`true`, `false`",
    ),  # fmt: skip
    Column("cost_rating", "code", "Its cost rating; lower is cheaper.", COST_CODES + " or empty"),
    Column("outcomes", LIST, "The child outcomes it has evidence for.", "child outcome slugs"),
    Column("provider", "text", "Who provides it.", "at most 200 characters"),
    Column("website", "web address", "The provider's site.", "a full address, or empty"),
    Column("age_groups", LIST, "The ages it is for.", codes(AgeGroup.values)),
    Column("setting", LIST, "Where it is delivered.", codes(Setting.values)),
    Column("delivery_model", LIST, "How it is delivered.", codes(DeliveryModel.values)),
    Column("level_of_need", LIST, "The level of need it is for.", codes(LevelOfNeed.values)),
    Column("country", "text", "Its country of origin.", "at most 100 characters"),
    Column(
        "evidence_summary",
        "text",
        "What the rating rests on, in a sentence; the import ignores it.",
    ),  # fmt: skip
]

STUDY_COLUMNS = [
    Column("intervention", "text", "The slug of the intervention the study is of."),
    Column("study", "integer", "The study's number on that intervention.", "from 1"),
    Column("citation", "text", "Authors, year, title and where published."),
    Column("year", "integer", "The year it was published.", "or empty"),
    Column("design", "code", "The study's design.", codes(StudyDesign.values)),
    Column(
        "level",
        "code",
        "The level of evidence it reached.",
        ", ".join(f"`{level.code}`" for level in StudyLevel),
    ),  # fmt: skip
    Column("counts_towards_rating", "boolean", "The rating rests on it.", "`true`, `false`"),
    Column(
        "independent", "boolean", "Conducted independently of the provider.", "`true`, `false`"
    ),  # fmt: skip
    Column("country", "text", "Where it was conducted.", "or empty"),
    Column("sample_intervention", "integer", "The intervention group's size.", "or empty"),
    Column("sample_comparison", "integer", "The comparison group's size.", "or empty"),
    Column("ethnicity", "text", "Ethnicity as the study reports it.", "empty if not reported"),
    Column("doi", "text", "The study's DOI.", "or empty"),
    Column(
        "outcome",
        "text",
        "The child outcome of this row's finding.",
        "a child outcome slug; empty on a study with no findings",
    ),  # fmt: skip
    Column("sub_outcome", "text", "The finding in a few words."),
    Column("statement", "text", "What was found."),
    Column("direction", "code", "The finding's direction.", codes(Direction.values)),
    Column(
        "months_after_end",
        "integer",
        "When it was measured, in months after the intervention ended; 12 or more is long term.",
        "or empty",
    ),  # fmt: skip
    Column(
        "effect_size",
        "decimal",
        "The effect size, where known.",
        "such as `0.35`; a negative one is written `'-0.2` (the formula guard)",
    ),  # fmt: skip
    Column("registry_ids", "text", "ISRCTN or ClinicalTrials.gov IDs.", "separated by `;`"),
    Column("rating_note", "text", "Why it does or does not count towards the rating."),
    Column("population_ages", "text", "The ages as evaluated."),
    Column("population_need", "text", "The level of need as evaluated."),
    Column("measures", "text", "The instruments the outcomes were measured with."),
    Column("limitations", "text", "The study's limitations."),
    Column("measure", "text", "The finding's measure."),
    Column(
        "improvement_index",
        "integer",
        "The improvement index, where known.",
        "from -50 to 50, or empty",
    ),  # fmt: skip
]


def joined(values: Iterable[str]) -> str:
    return ";".join(values)


def page_address(name: str, *args) -> str:
    return absolute_url(reverse(name, args=args))


def month(value: datetime.date | None) -> str:
    return f"{value:%Y-%m}" if value else ""


DATE = "date, `YYYY-MM-DD`, or empty"
PROJECT_COLUMNS = [
    Column(
        "id",
        "integer",
        "The project's stable id; never changes or is reused.",
        read=lambda row: row["pk"],
    ),  # fmt: skip
    Column(
        "slug", "text", "Its address on the site, /projects/<slug>/.", read=lambda row: row["slug"]
    ),  # fmt: skip
    Column("title", "text", "The project's title.", read=lambda row: row["title"]),
    Column("summary", "text", "One or two plain sentences.", read=lambda row: row["summary"]),
    Column(
        "study_type",
        "code",
        "The kind of study.",
        codes(StudyType.values),
        read=lambda row: row["study_type"],
    ),  # fmt: skip
    Column(
        "status", "code", "Where it stands.", codes(Status.values), read=lambda row: row["status"]
    ),  # fmt: skip
    Column("start_date", "date", "When it started.", DATE, read=lambda row: row["start_date"]),
    Column(
        "estimated_completion",
        "month",
        "When it is expected to finish.",
        "`YYYY-MM`, or empty",
        read=lambda row: month(row["estimated_completion"]),
    ),  # fmt: skip
    Column(
        "due_date", "date", "When its final report is due.", DATE, read=lambda row: row["due_date"]
    ),  # fmt: skip
    Column(
        "completed_on",
        "month",
        "When it was completed.",
        "`YYYY-MM`, or empty",
        read=lambda row: month(row["completed_on"]),
    ),  # fmt: skip
    Column(
        "delivery_partners",
        "list",
        "Its delivery partners.",
        "organisation slugs separated by `;`",
        read=lambda row: joined(row["partners"][Role.DELIVERY]),
    ),  # fmt: skip
    Column(
        "evaluation_partners",
        "list",
        "Its evaluation partners.",
        "organisation slugs separated by `;`",
        read=lambda row: joined(row["partners"][Role.EVALUATION]),
    ),  # fmt: skip
    Column(
        "interventions",
        "list",
        "The published interventions it studies.",
        "intervention slugs separated by `;`",
        read=lambda row: joined(row["interventions"]),
    ),  # fmt: skip
    Column(
        "url",
        "web address",
        "The project's page.",
        read=lambda row: page_address("projects:project-detail", row["slug"]),
    ),  # fmt: skip
    Column(
        "updated",
        "date and time",
        "When it was last changed.",
        "ISO 8601, UTC",
        read=lambda row: row["updated"].isoformat(),
    ),  # fmt: skip
]

ORGANISATION_COLUMNS = [
    Column("id", "integer", "The organisation's stable id.", read=lambda row: row["pk"]),
    Column(
        "slug", "text", "Its address on the site, /partners/<slug>/.", read=lambda row: row["slug"]
    ),  # fmt: skip
    Column("name", "text", "The organisation's name.", read=lambda row: row["name"]),
    Column(
        "website", "web address", "Its own site.", "or empty", read=lambda row: row["website"]
    ),  # fmt: skip
    Column(
        "url",
        "web address",
        "Its page on this site.",
        read=lambda row: page_address("projects:partner-detail", row["slug"]),
    ),  # fmt: skip
]

EXTERNAL_RATING_COLUMNS = [
    Column(
        "intervention",
        "text",
        "The slug of the intervention rated.",
        read=lambda row: row["intervention__slug"],
    ),  # fmt: skip
    Column(
        "clearinghouse",
        "code",
        "The clearinghouse that rated it.",
        codes(Clearinghouse.values),
        read=lambda row: row["clearinghouse"],
    ),  # fmt: skip
    Column(
        "rating",
        "text",
        "Its rating, word for word from that clearinghouse's scale.",
        read=lambda row: row["rating"],
    ),  # fmt: skip
    Column(
        "tier",
        "code",
        "The common tier that rating maps to (see /ratings/); criteria "
        "differ between clearinghouses.",
        codes(Tier.values),
        read=lambda row: Clearinghouse(row["clearinghouse"]).scale.tier(row["rating"]).value,
    ),  # fmt: skip
    Column("area", "text", "What it was rated for.", "or empty", read=lambda row: row["area"]),
    Column(
        "checked_on",
        "date",
        "When an editor last checked it.",
        "`YYYY-MM-DD`",
        read=lambda row: row["checked_on"],
    ),  # fmt: skip
    Column(
        "url", "web address", "The rating on the clearinghouse's site.", read=lambda row: row["url"]
    ),  # fmt: skip
]

JSON_SECTIONS = [
    Column(
        "interventions",
        "list",
        "Every published intervention (NL2 and NE ones "
        "included): the interventions CSV's fields, as JSON values, with `id`, `url`, "
        "`description`, `workforce`, `uk_available`, `uk_tested`, `first_published`, "
        "`last_reviewed`, its `outcomes` (`slug`, `impact`), `studies` (the studies "
        "CSV's fields, with `id` and their `findings`) and `external_ratings` (the "
        "external ratings CSV's fields).",
    ),  # fmt: skip
    Column(
        "projects",
        "list",
        "Every published project: the projects CSV's fields, with "
        "`body`, `topics`, `partners` (`organisation`, `role`), `research_questions` "
        "and `documents` (`title`, `kind`, `url`).",
    ),  # fmt: skip
    Column(
        "organisations",
        "list",
        "The partners of published projects: the organisations CSV's fields.",
    ),  # fmt: skip
    Column("outcomes", "list", "The child outcomes: `slug`, `name`, `description`, `url`."),
    Column(
        "review_items",
        "list",
        "Programmes in the review pipeline: `id`, `name`, "
        "`provider`, `intervention` (a slug, or null), `stage` "
        f"({codes(ReviewStage.values)}), `expected` (such as `2027 Q1`), "
        "`public_note` and `stages` (`stage`, `entered_on`, `note`).",
    ),  # fmt: skip
]


def chunked(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def grouped(rows: Iterable[dict], key: str) -> dict[int, list[dict]]:
    groups = defaultdict(list)
    for row in rows:
        groups[row.pop(key)].append(row)
    return groups


def published_projects() -> Iterator[dict]:
    """Published projects as plain rows, a chunk at a time, with their links."""
    rows = (
        Project.objects.published()
        .order_by("slug")
        .values(
            "pk", "slug", "title", "summary", "body", "study_type", "status", "start_date",
            "estimated_completion", "due_date", "completed_on", "updated",
        )
        .iterator(chunk_size=CHUNK)
    )  # fmt: skip
    for chunk in chunked(rows):
        ids = [row["pk"] for row in chunk]
        partners = grouped(
            Partnership.objects.filter(project__in=ids)
            .order_by("role", "organisation__name")
            .values("project_id", "organisation__slug", "role"),
            "project_id",
        )
        studied = grouped(
            Project.interventions.through.objects.filter(
                project__in=ids, intervention__published=True
            )
            .order_by("intervention__slug")
            .values("project_id", "intervention__slug"),
            "project_id",
        )
        questions = grouped(
            ResearchQuestion.objects.filter(project__in=ids).values("project_id", "text"),
            "project_id",
        )
        documents = grouped(
            Document.objects.filter(project__in=ids).values("project_id", "pk", "title", "kind"),
            "project_id",
        )
        topics = grouped(
            Project.topics.through.objects.filter(content_object__in=ids)
            .order_by("tag__name")
            .values("content_object_id", "tag__name"),
            "content_object_id",
        )
        for row in chunk:
            by_role = defaultdict(list)
            for partner in partners[row["pk"]]:
                by_role[partner["role"]].append(partner["organisation__slug"])
            row.update(
                partners=by_role,
                interventions=[link["intervention__slug"] for link in studied[row["pk"]]],
                research_questions=[question["text"] for question in questions[row["pk"]]],
                documents=[
                    {
                        "title": document["title"],
                        "kind": document["kind"],
                        "url": page_address(
                            "projects:document-download", row["slug"], document["pk"]
                        ),
                    }
                    for document in documents[row["pk"]]
                ],
                topics=[topic["tag__name"] for topic in topics[row["pk"]]],
            )
            yield row


def public_organisations():
    return (
        Organisation.objects.with_published_projects()
        .order_by("slug")
        .values("pk", "slug", "name", "website")
    )


def published_external_ratings():
    return (
        ExternalRating.objects.filter(intervention__published=True)
        .order_by("intervention__slug", "clearinghouse", "area", "pk")
        .values("intervention__slug", "clearinghouse", "rating", "area", "checked_on", "url")
    )


def write_columns(handle, columns: list[Column], rows: Iterable[dict]) -> int:
    """Write rows as CSV in the house format (every cell quoted, the formula guard)."""
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
    writer.writerow([column.name for column in columns])
    count = 0
    for row in rows:
        writer.writerow([spreadsheet.neutralise(str(column.read(row) or "")) for column in columns])
        count += 1
    return count


def write_lines(handle, lines: Iterable[str]) -> int:
    """Write a catalogue export's lines, and count its rows as a CSV reader reads them."""
    handle.writelines(lines)
    handle.flush()
    with open(handle.name, encoding="utf-8", newline="") as written:
        return sum(1 for _ in csv.reader(written)) - 1


def write_interventions(handle) -> int:
    return write_lines(
        handle, spreadsheet.export_lines(Intervention.objects.published().order_by("slug"))
    )


def write_studies(handle) -> int:
    return write_lines(handle, study_spreadsheet.export_lines(Study.objects.published()))


def write_projects(handle) -> int:
    return write_columns(handle, PROJECT_COLUMNS, published_projects())


def write_organisations(handle) -> int:
    return write_columns(
        handle, ORGANISATION_COLUMNS, public_organisations().iterator(chunk_size=CHUNK)
    )


def write_external_ratings(handle) -> int:
    return write_columns(
        handle, EXTERNAL_RATING_COLUMNS, published_external_ratings().iterator(chunk_size=CHUNK)
    )


INTERVENTION_FIELDS = [
    "pk", "slug", "name", "summary", "description", "provider", "website", "evidence_rating",
    "mixed_findings", "cost_rating", "age_groups", "setting", "delivery_model", "level_of_need",
    "workforce", "country", "uk_available", "uk_tested", "first_published", "last_reviewed",
    "study_count", "counting_study_count", "independent_study_count", "uk_study_count",
]  # fmt: skip


def study_record(study: dict, findings: dict[int, list[dict]]) -> dict:
    pk = study.pop("pk")
    return {
        "id": pk,
        **study,
        "level": StudyLevel(study["level"]).code,
        "findings": [
            {"id": finding.pop("pk"), "outcome": finding.pop("outcome__slug"), **finding}
            for finding in findings[pk]
        ],
    }


def intervention_records() -> Iterator[dict]:
    """Published interventions with their outcomes, studies, findings and external ratings,
    as JSON records, a chunk at a time."""
    rows = (
        Intervention.objects.published()
        .order_by("slug")
        .values(*INTERVENTION_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    for chunk in chunked(rows):
        ids = [row["pk"] for row in chunk]
        outcomes = grouped(
            OutcomeEvidence.objects.filter(content_object__in=ids)
            .order_by("tag__position", "tag__name")
            .values("content_object_id", "tag__slug", "impact"),
            "content_object_id",
        )
        studies = grouped(
            Study.objects.filter(intervention__in=ids)
            .order_by("number")
            .values("intervention_id", "pk", "number", *study_spreadsheet.STUDY_FIELDS),
            "intervention_id",
        )
        findings = grouped(
            Finding.objects.filter(study__intervention__in=ids)
            .order_by("study_id", "outcome__position", "pk")
            .values("study_id", "pk", "outcome__slug", *study_spreadsheet.FINDING_FIELDS),
            "study_id",
        )
        ratings = grouped(
            ExternalRating.objects.filter(intervention__in=ids).values(
                "intervention_id", "intervention__slug", "clearinghouse", "rating", "area",
                "checked_on", "url",
            ),
            "intervention_id",
        )  # fmt: skip
        for row in chunk:
            evidence, cost = row["evidence_rating"], row["cost_rating"]
            yield {
                "id": row["pk"],
                **{name: row[name] for name in ("slug", "name", "summary", "description")},
                "url": page_address("catalogue:intervention-detail", row["slug"]),
                "evidence_rating": EvidenceRating(evidence).label if evidence is not None else None,
                "mixed_findings": row["mixed_findings"],
                "cost_rating": CostRating(cost).label if cost is not None else None,
                "outcomes": [
                    {"slug": link["tag__slug"], "impact": link["impact"]}
                    for link in outcomes[row["pk"]]
                ],
                **{
                    name: row[name]
                    for name in (
                        "provider",
                        "website",
                        "age_groups",
                        "setting",
                        "delivery_model",
                        "level_of_need",
                        "workforce",
                        "country",
                        "uk_available",
                        "uk_tested",
                        "first_published",
                        "last_reviewed",
                    )
                },  # fmt: skip
                "evidence_summary": evidence_sentence(
                    row["study_count"],
                    row["counting_study_count"],
                    row["independent_study_count"],
                    row["uk_study_count"],
                ),
                "studies": [study_record(study, findings) for study in studies[row["pk"]]],
                "external_ratings": [
                    {column.name: column.read(rating) for column in EXTERNAL_RATING_COLUMNS}
                    for rating in ratings[row["pk"]]
                ],
            }


def project_records() -> Iterator[dict]:
    for row in published_projects():
        yield {
            **{column.name: column.read(row) for column in PROJECT_COLUMNS},
            "body": row["body"],
            "topics": row["topics"],
            "partners": [
                {"organisation": slug, "role": role}
                for role, slugs in row["partners"].items()
                for slug in slugs
            ],
            "research_questions": row["research_questions"],
            "documents": row["documents"],
        }


def outcome_records() -> Iterator[dict]:
    for outcome in ChildOutcome.objects.values("slug", "name", "description"):
        yield {**outcome, "url": page_address("catalogue:outcome-detail", outcome["slug"])}


def review_item_records() -> Iterator[dict]:
    items = (
        ReviewItem.objects.published()
        .order_by("name", "pk")
        .select_related("intervention")
        .iterator(chunk_size=CHUNK)
    )
    while chunk := list(islice(items, CHUNK)):
        stages = grouped(
            ReviewStageEntry.objects.filter(item__in=[item.pk for item in chunk]).values(
                "item_id", "stage", "entered_on", "note"
            ),
            "item_id",
        )
        for item in chunk:
            intervention = item.intervention
            yield {
                "id": item.pk,
                "name": item.name,
                "provider": item.provider,
                "intervention": (
                    intervention.slug if intervention and intervention.published else None
                ),
                "stage": item.stage,
                "expected": item.expected,
                "public_note": item.public_note,
                "stages": stages[item.pk],
            }


def write_catalogue(handle) -> int:
    """The whole catalogue as one JSON object, written a record at a time."""
    sections = {
        "interventions": intervention_records(),
        "projects": project_records(),
        "organisations": (
            {column.name: column.read(row) for column in ORGANISATION_COLUMNS}
            for row in public_organisations().iterator(chunk_size=CHUNK)
        ),
        "outcomes": outcome_records(),
        "review_items": review_item_records(),
    }
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    licence = encoder.encode({"name": LICENCE_NAME, "url": LICENCE_URL})
    handle.write(f'{{"licence": {licence}')
    count = 0
    for name, records in sections.items():
        handle.write(f',\n"{name}": [')
        for index, record in enumerate(records):
            handle.write((",\n" if index else "\n") + encoder.encode(record))
            count += 1
        handle.write("]")
    handle.write("}\n")
    return count


@dataclass(frozen=True)
class DataFile:
    name: str
    title: str
    description: str
    media_type: str
    columns: list[Column]
    write: Callable


DATA_FILES = [
    DataFile(
        "interventions.csv",
        "Interventions",
        "Every published intervention, NL2 and NE ones included, one a row, in the "
        "format `manage.py import_interventions` reads.",
        "text/csv",
        INTERVENTION_COLUMNS,
        write_interventions,
    ),
    DataFile(
        "studies.csv",
        "Studies and findings",
        "The studies of published interventions, one row per finding, in the format "
        "`manage.py import_studies` reads.",
        "text/csv",
        STUDY_COLUMNS,
        write_studies,
    ),
    DataFile(
        "projects.csv",
        "Research projects",
        "Every published research project, one a row.",
        "text/csv",
        PROJECT_COLUMNS,
        write_projects,
    ),
    DataFile(
        "organisations.csv",
        "Organisations",
        "The partners of published research projects, one a row.",
        "text/csv",
        ORGANISATION_COLUMNS,
        write_organisations,
    ),
    DataFile(
        "external-ratings.csv",
        "Other clearinghouses' ratings",
        "Other clearinghouses' ratings of published interventions, in their own words, "
        "each with the common tier it maps to.",
        "text/csv",
        EXTERNAL_RATING_COLUMNS,
        write_external_ratings,
    ),
    DataFile(
        "catalogue.json",
        "The whole catalogue",
        "Interventions with their outcomes, studies, findings and other clearinghouses' "
        "ratings; projects with partners, questions and documents; organisations; child "
        "outcomes; the review pipeline. One JSON object.",
        "application/json",
        JSON_SECTIONS,
        write_catalogue,
    ),
]
DATA_FILE_NAMES = {data_file.name: data_file for data_file in DATA_FILES}


@dataclass(frozen=True)
class BuiltFile:
    data_file: DataFile
    path: Path
    size: int
    rows: int

    @property
    def name(self) -> str:
        return self.data_file.name


@dataclass(frozen=True)
class Build:
    """One set of files, made for one content version."""

    directory: Path
    version: int
    made: datetime.datetime
    files: list[BuiltFile]

    MANIFEST = "manifest.json"

    @classmethod
    def read(cls, directory: Path) -> "Build":
        manifest = json.loads((directory / cls.MANIFEST).read_text())
        return cls(
            directory,
            manifest["version"],
            datetime.datetime.fromisoformat(manifest["made"]),
            [
                BuiltFile(DATA_FILE_NAMES[name], directory / name, entry["size"], entry["rows"])
                for name, entry in manifest["files"].items()
                if name in DATA_FILE_NAMES
            ],
        )

    def file(self, name: str) -> BuiltFile | None:
        return next((built for built in self.files if built.name == name), None)

    def get_absolute_url(self) -> str:
        return reverse("portal:data")

    def citation(self) -> str:
        return (
            f"What Works for Children and Families, evidence portal data "
            f"({self.made:%-d %B %Y}), {absolute_url(self.get_absolute_url())}, "
            f"under the {LICENCE_NAME}."
        )

    def structured_data(self) -> dict:
        """The files as one schema.org Dataset, a distribution each, for search engines."""
        return {
            "@type": "Dataset",
            "name": "Evidence portal: interventions, studies and research projects",
            "description": "The guidebook of interventions for children and families, the "
            "studies and findings their ratings rest on, the centre's research projects "
            "and their partners, and other clearinghouses' ratings, as open data.",
            "license": LICENCE_URL,
            "isAccessibleForFree": True,
            "dateModified": self.made.isoformat(),
            "creditText": self.citation(),
            "distribution": [
                {
                    "@type": "DataDownload",
                    "name": built.name,
                    "description": built.data_file.description,
                    "license": LICENCE_URL,
                    "dateModified": self.made.isoformat(),
                    "contentUrl": absolute_url(reverse("portal:data-file", args=[built.name])),
                    "encodingFormat": built.data_file.media_type,
                    "contentSize": f"{built.size} B",
                }
                for built in self.files
            ],
        }


def data_root() -> Path:
    return Path(settings.DATA_FILES_ROOT or Path(settings.MEDIA_ROOT) / "data")


def latest_build() -> Build | None:
    """The newest complete set of files on disk."""
    try:
        versions = [int(entry.name) for entry in data_root().iterdir() if entry.name.isdigit()]
    except OSError:
        return None  # Not made yet (or not a directory: the build that fails says so).
    for version in sorted(versions, reverse=True):
        try:
            return Build.read(data_root() / str(version))
        except (OSError, ValueError, KeyError):
            continue  # Removed meanwhile, or not ours: the next one down.
    return None


# Builds kept on disk: the newest, and the one before for readers still streaming it.
BUILDS_KEPT = 2


def build_data_files(version: int | None = None) -> Build:
    """Write every file for the content as it is now, under version (the current content
    version by default), and put them in place at once."""
    if version is None:
        version = content_version() or time.time_ns()
    root = data_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".building-{secrets.token_hex(8)}"
    staging.mkdir()
    try:
        entries = {}
        for data_file in DATA_FILES:
            path = staging / data_file.name
            with path.open("w", encoding="utf-8", newline="") as handle:
                rows = data_file.write(handle)
            entries[data_file.name] = {"size": path.stat().st_size, "rows": rows}
        made = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        manifest = {"version": version, "made": made.isoformat(), "files": entries}
        (staging / Build.MANIFEST).write_text(json.dumps(manifest))
        target = root / str(version)
        try:
            os.rename(staging, target)
        except OSError:
            # Another process put the same version in place first: its files serve.
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    remove_old_builds(root)
    return Build.read(target)


def remove_old_builds(root: Path) -> None:
    versions = sorted(int(entry.name) for entry in root.iterdir() if entry.name.isdigit())
    for version in versions[:-BUILDS_KEPT]:
        shutil.rmtree(root / str(version), ignore_errors=True)
    # What a build killed midway (its process ended) left behind; a live one is younger.
    abandoned = time.time() - settings.DATA_FILES_BUILD_SECONDS
    for staging in root.glob(".building-*"):
        with suppress(OSError):
            if staging.stat().st_mtime < abandoned:
                shutil.rmtree(staging, ignore_errors=True)


LOCK_KEY = "data-files-building"
# After a build fails, the lock is held this long, so that the next try waits rather
# than every request starting one.
RETRY_AFTER_FAILURE_SECONDS = 60


@dataclass(frozen=True)
class Served:
    build: Build | None
    # False when the files are older than the content: newer ones are being made.
    current: bool


def current_files() -> Served:
    """The files of the current content, answered at once whatever the size of the
    catalogue. When the content changed since they were made, new files are built in the
    background (by one process at a time) while the previous ones are served; when there
    are none yet, the request that starts the first build waits for it a bounded time
    (DATA_FILES_WAIT_SECONDS)."""
    latest = latest_build()
    try:
        version = content_version()
    except RedisError as error:
        logger.warning("The cache does not answer; serving the files on disk: %s", error)
        version = None
    if latest is not None and (version is None or latest.version >= version):
        return Served(latest, True)
    builder = start_build(version or time.time_ns(), first=latest is None)
    if latest is not None:
        return Served(latest, False)
    first = wait_for_first_build(builder)
    return Served(first, first is not None)


def start_build(version: int, *, first: bool) -> threading.Thread | None:
    """Build the files of version in a thread of this process, unless another process
    holds the lock (it is building them, or its build failed a moment ago)."""
    token = secrets.token_hex(8)
    try:
        locked = cache.add(LOCK_KEY, token, settings.DATA_FILES_BUILD_SECONDS)
    except RedisError:
        # No lock to be had: build only when there are no files at all.
        locked = first
    if not locked:
        return None
    builder = threading.Thread(
        target=build_under_lock, args=(version, token), name="data-files-build", daemon=True
    )
    builder.start()
    return builder


def build_under_lock(version: int, token: str) -> None:
    """Build the files of version, then free the lock (keeping it a minute when the build
    failed, so that the next try waits), in a thread with database connections of its own."""
    try:
        latest = latest_build()
        # Built by another process between the request's look and the lock.
        if latest is None or latest.version < version:
            build_data_files(version)
    except Exception:
        logger.exception("The data files could not be built; the next try is in a minute.")
        with suppress(RedisError):
            if cache.get(LOCK_KEY) == token:
                cache.set(LOCK_KEY, "failed", RETRY_AFTER_FAILURE_SECONDS)
    else:
        with suppress(RedisError):  # The lock's timeout frees it.
            if cache.get(LOCK_KEY) == token:
                cache.delete(LOCK_KEY)
    finally:
        connections.close_all()


def wait_for_first_build(builder: threading.Thread | None) -> Build | None:
    """The first files, when the build this request started makes them within
    DATA_FILES_WAIT_SECONDS; None otherwise. A request that finds another build running
    does not wait: only one request a build holds its worker."""
    if builder is None:
        return None
    builder.join(settings.DATA_FILES_WAIT_SECONDS)
    return latest_build()
