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
