"""The facts osaid-guard reasons with, as frozen values.

Every stage of a decision hands the next one immutable data, so a fact can be
cached, compared and shown as evidence without anyone changing it underneath.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Category(str, Enum):
    """What a licence lets you do, from most to least open.

    The order matters: an ``AND`` of licences is as restrictive as its most
    restrictive part, an ``OR`` as open as its most open choice.
    """

    PUBLIC_DOMAIN = "public-domain"
    PERMISSIVE = "permissive"
    COPYLEFT = "copyleft"
    RESTRICTS_USE = "restricts-use"
    """Use-based restrictions: RAIL-style acceptable-use clauses, user or revenue caps."""
    NON_COMMERCIAL = "non-commercial"
    """Non-commercial or research-only terms."""
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Position in the open-to-closed order (0 is the most open)."""
        return _CATEGORY_ORDER.index(self)


_CATEGORY_ORDER = tuple(Category)


class Restriction(str, Enum):
    """A way a licence takes away one of the OSAID freedoms (use, study, modify, share)."""

    ACCEPTABLE_USE = "acceptable-use"
    """A list of forbidden uses (RAIL licences, Llama and Gemma policies)."""
    USER_CAP = "user-cap"
    """A cap on users or revenue above which another licence is needed."""
    NON_COMMERCIAL = "non-commercial"
    RESEARCH_ONLY = "research-only"
    NO_DERIVATIVES = "no-derivatives"
    FIELD_OF_USE = "field-of-use"
    """Use limited to one purpose, such as computational analysis of data."""


@dataclass(frozen=True)
class License:
    """What is known of one licence (or licence exception)."""

    id: str
    """SPDX id (``Apache-2.0``) or a ``LicenseRef-…`` for licences SPDX lacks."""
    name: str
    category: Category
    osi_approved: bool
    """Listed as OSI-approved in the SPDX License List."""
    fsf_libre: bool
    """Listed as free by the FSF in the SPDX License List."""
    open_data: bool
    """An open licence for data and weights (the MOF's open-data list and peers)."""
    restrictions: tuple[Restriction, ...]
    url: str | None
    """Where the licence text can be read."""
    authority: str
    """Where these facts come from: ``spdx``, ``scancode`` or ``osaid-guard`` (our table)."""
    is_exception: bool = False
    reference: str | None = None
    """For facts from our own table: the public source they were taken from."""

    @property
    def restricts_use(self) -> bool:
        """True when the licence limits who may use it, for what, or how."""
        return bool(self.restrictions) or self.category in (
            Category.RESTRICTS_USE,
            Category.NON_COMMERCIAL,
        )

    @property
    def is_open(self) -> bool:
        """OSI-approved, or an open-data licence without use restrictions."""
        return self.osi_approved or (self.open_data and not self.restricts_use)


@dataclass(frozen=True)
class LicenseInfo:
    """What a model card's licence fields say, read and classified.

    Properties of an SPDX expression are those of its best choice for ``OR``
    and of its most restrictive part for ``AND``; ``WITH`` keeps the licence's
    properties (an exception only adds permissions).
    """

    input: str
    """The value as the card gave it (the first non-empty of license, license_name, license_link)."""
    expression: str
    """Normalised SPDX expression; ``NOASSERTION`` when nothing usable was given."""
    licenses: tuple[License, ...]
    """Each distinct licence and exception in the expression, in order of appearance."""
    category: Category
    osi_approved: bool
    open_data: bool
    is_open: bool
    """Open under OSAID terms: OSI-approved or unrestricted open data (for OR: any choice)."""
    restrictions: tuple[Restriction, ...]
    source: str
    """Which card field decided, and how it was read: ``FIELD:HOW`` where FIELD is
    ``license``, ``license_name`` or ``license_link`` and HOW is ``hub-id``,
    ``spdx`` (an id or expression), ``name`` (free text), ``url`` or ``file``;
    or ``missing`` when the card declares no licence."""
    url: str | None = None
    """The licence text, when the expression is a single licence."""
    candidates: tuple[str, ...] = ()
    """For an ambiguous family (Hub ``bsd``, ``cc``, ``gpl``, …): the licences it may mean."""
    license_file: str | None = None
    """A repository file that holds the licence text (``license_link: LICENSE``), to be read."""
    notes: tuple[str, ...] = ()
    """Human-readable remarks: ambiguity, deprecated ids, unrecognised names."""

    @property
    def restricts_use(self) -> bool:
        """True when every way to take the licence limits use."""
        return bool(self.restrictions) or self.category in (
            Category.RESTRICTS_USE,
            Category.NON_COMMERCIAL,
        )

    @property
    def ambiguous(self) -> bool:
        """True when the value names a family of licences rather than one."""
        return bool(self.candidates)

    @property
    def ids(self) -> tuple[str, ...]:
        """The licence ids in the expression (exceptions excluded)."""
        return tuple(lic.id for lic in self.licenses if not lic.is_exception)


# --- a model and the evidence about it ------------------------------------------------------


@dataclass(frozen=True)
class ModelRef:
    """The question's subject: a repository at a revision on an endpoint, or a directory on disk."""

    repo_id: str
    revision: str | None = None
    """Branch, tag or commit; the default branch when None."""
    repo_type: str = "model"
    endpoint: str | None = None
    """The Hub endpoint; huggingface_hub's (``HF_ENDPOINT``) when None."""
    local_path: str | None = None
    """A model directory on disk, read instead of the Hub."""

    def __str__(self) -> str:
        if self.local_path is not None:
            return self.local_path
        return f"{self.repo_id}@{self.revision}" if self.revision else self.repo_id


@dataclass(frozen=True)
class Fact:
    """One piece of evidence, with where it was read and at which commit."""

    key: str
    """What the fact is about; see docs/assessment.md for the vocabulary."""
    value: object
    source: str
    """Provenance: ``card:license``, ``tag:license:mit``, ``file:LICENSE``, ``api:siblings``, ``policy:attest``."""
    commit: str | None = None


class EvidenceProblem(str, Enum):
    """Why evidence is missing."""

    UNREACHABLE = "unreachable"
    """Network error, timeout, rate limit or server error: may work later."""
    NOT_FOUND = "not-found"
    """The repository, revision or file does not exist."""
    FORBIDDEN = "forbidden"
    """Gated or private, and this token may not read it."""
    UNREADABLE = "unreadable"
    """It was read, but it is malformed (binary card, YAML that is not a mapping, …)."""
    PLUGIN = "plugin"
    """A plugin failed or returned garbage: the decision fails closed."""


@dataclass(frozen=True)
class EvidenceError:
    """Evidence that could not be gathered, and why."""

    source: str
    kind: EvidenceProblem
    message: str


@dataclass(frozen=True)
class DatasetRecord:
    """What is known of one declared training dataset."""

    repo_id: str
    facts: tuple[Fact, ...] = ()
    errors: tuple[EvidenceError, ...] = ()


@dataclass(frozen=True)
class ModelRecord:
    """Everything gathered about one model: its facts, its datasets and its base models."""

    ref: ModelRef
    commit: str | None
    facts: tuple[Fact, ...] = ()
    errors: tuple[EvidenceError, ...] = ()
    datasets: tuple[DatasetRecord, ...] = ()
    bases: tuple[ModelRecord, ...] = ()

    def all(self, key: str) -> tuple[Fact, ...]:
        """Every fact with this key, in the order the sources gave them."""
        return tuple(fact for fact in self.facts if fact.key == key)

    def first(self, key: str) -> Fact | None:
        """The first fact with this key (sources earlier in the order win)."""
        return next((fact for fact in self.facts if fact.key == key), None)


# --- judgement --------------------------------------------------------------------------------


class Status(str, Enum):
    """Whether one OSAID element or MOF component is satisfied."""

    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Component:
    """One OSAID element or MOF component, judged, with the evidence used."""

    name: str
    status: Status
    why: str
    evidence: tuple[str, ...] = ()
    """Provenance of the facts used."""
    license: str | None = None
    """The licence the component is under, as an SPDX expression, when it matters."""


@dataclass(frozen=True)
class Finding:
    """Something noteworthy the assessment found: a contradiction, laundering, unreadable data."""

    kind: str
    """``license-conflict``, ``license-laundering``, ``unreadable-card``, ``lineage-cycle``, …"""
    message: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """A model's openness, component by component, and its base models' assessments."""

    ref: ModelRef
    commit: str | None
    license: LicenseInfo | None
    """The weights' licence, or None when nothing usable was declared."""
    license_evidence: tuple[str, ...]
    osaid: tuple[Component, ...]
    osaid_compliant: bool | None
    """True when every element is met, False when one is unmet, None when none is unmet but one is unknown."""
    mof_components: tuple[Component, ...]
    mof_class: int | None
    """1, 2 or 3 (1 is the most open), None when unclassified."""
    mof_blockers: tuple[str, ...]
    """Components that keep the model from the next class up."""
    datasets: tuple[tuple[str, LicenseInfo | None, str], ...]
    """Each declared dataset: id, licence, and a status word (open, not-open, unknown, missing)."""
    findings: tuple[Finding, ...]
    errors: tuple[EvidenceError, ...]
    bases: tuple[Assessment, ...] = ()
    base_relation: str | None = None


# --- decision ---------------------------------------------------------------------------------


class Decision(str, Enum):
    """The answer to "may this organisation use this model at this commit?"."""

    ALLOW = "allow"
    WARN = "warn"
    """Denied by the policy, but the policy's mode is warn: the download goes on."""
    DENY = "deny"


@dataclass(frozen=True)
class Reason:
    """One reason behind a verdict, with a stable rule id and a hint on how to proceed."""

    rule: str
    """Stable id: ``OG1xx`` licences, ``OG2xx`` OSAID/MOF, ``OG3xx`` data, ``OG4xx`` lineage,
    ``OG5xx`` evidence, ``OG6xx`` repository lists and exceptions."""
    message: str
    hint: str = ""
    denies: bool = True
    """False for reasons that explain an allow (an exception, an allow-list)."""


@dataclass(frozen=True)
class Verdict:
    """The decision for one model at one commit, under one policy."""

    ref: ModelRef
    commit: str | None
    decision: Decision
    reasons: tuple[Reason, ...]
    assessment: Assessment | None
    policy_fingerprint: str
    notes: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """True unless the model must not be used (a deny; a warn lets the download go on)."""
        return self.decision is not Decision.DENY

    @property
    def denials(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.denies)


# --- reports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where in a code base (or policy) a finding belongs."""

    file: str
    line: int = 1
    column: int = 1
    detail: str = ""
    """What is there: the call or config key, a notebook cell."""


@dataclass(frozen=True)
class ReportItem:
    """One decided model and the places that refer to it."""

    verdict: Verdict
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True)
class Report:
    """What ``check``, ``scan`` and ``audit`` hand to a report format (a plugin's too)."""

    command: str
    items: tuple[ReportItem, ...]
    unresolved: tuple[tuple[Location, str], ...] = ()
    """Model references that could not be resolved without running the code: where, and the expression."""
    policy_file: str | None = None

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        return tuple(item.verdict for item in self.items)
