"""Read a model card: its YAML metadata and the prose sections and links that are evidence.

Cards are written by people, so nothing here trusts their shape: a card that is
binary, enormous, or whose metadata is not a mapping yields an error fact
("unreadable card"), never an exception. PyYAML comes with huggingface_hub,
which parses the same front matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from osaid_guard.model import EvidenceError, EvidenceProblem, Fact

MAX_CARD_BYTES = 1_000_000
"""Cards larger than this are not parsed (the largest real cards are a few hundred KB)."""
EXCERPT = 2000
"""Characters of a prose section kept as evidence."""

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
_MD_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\((https?://[^)\s]+)\)")  # text may hold a badge image
_BARE_URL = re.compile(r"(?<![(\[])\bhttps?://[^\s)<>\]\"']+")
_ARXIV = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)(\d{4}\.\d{4,5})", re.I)
_CODE_HOSTS = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[^/\s]+/[^/\s#?]+"
)
_PAPER_HOSTS = re.compile(
    r"^https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|doi\.org|openreview\.net|aclanthology\.org|"
    r"proceedings\.(?:mlr\.press|neurips\.cc)|papers\.nips\.cc|huggingface\.co/papers)/"
)
_MOT_BADGE = re.compile(r"mof-class(?P<class>[123])-(?P<status>qualified|inprogress|notmet)", re.I)
_MOT_LINK = re.compile(r"https?://mot\.isitopen\.ai/model/\d+")
_PLACEHOLDER = re.compile(r"\[more information needed\]|\{\{.*?\}\}|<!--.*?-->", re.I | re.S)

SECTIONS = {
    "training_data": ("training data", "pretraining data", "pre-training data", "training dataset", "data"),
    "training_procedure": ("training procedure", "preprocessing", "training details", "training"),
    "evaluation": ("evaluation", "results", "benchmarks", "testing data"),
    "model_sources": ("model sources",),
}
"""Fact keys of the prose sections, and the headings (lowercase, prefix-matched) that carry them."""


@dataclass(frozen=True)
class Card:
    """A parsed card: metadata (or why it could not be read), sections and links."""

    metadata: Mapping[str, object] | None
    problem: str | None
    sections: Mapping[str, str]
    links: tuple[tuple[str, str], ...]
    """(link text, URL) pairs, markdown links and bare URLs."""
    text: str


def parse_card(raw: bytes | str) -> Card:
    """Parse a README.md; problems are reported in :attr:`Card.problem`, never raised."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_CARD_BYTES:
            return _unreadable(f"the card is {len(raw):,} bytes; larger than {MAX_CARD_BYTES:,} is not read")
        if b"\0" in raw[:8192]:
            return _unreadable("the card is binary, not text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            return _unreadable(f"the card is not UTF-8 text ({error.reason} at byte {error.start})")
    else:
        text = raw
    metadata, problem, body = _front_matter(text)
    return Card(metadata, problem, _sections(body), _links(body), body)


def _unreadable(problem: str) -> Card:
    return Card(None, problem, {}, (), "")


def _front_matter(text: str) -> tuple[Mapping[str, object] | None, str | None, str]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, None, text
    import yaml

    body = text[match.end() :]
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        return None, f"the card's YAML metadata is invalid{where}: {getattr(error, 'problem', error)}", body
    if data is None:
        return {}, None, body
    if not isinstance(data, dict):
        return None, f"the card's YAML metadata is a {type(data).__name__}, not a mapping", body
    return data, None, body


def _sections(body: str) -> dict[str, str]:
    """Each known section's text: up to the next heading of its level, or of another known section."""
    found: dict[str, str] = {}
    headings = [(heading, _section_key(heading.group(2))) for heading in _HEADING.finditer(body)]
    for index, (heading, key) in enumerate(headings):
        if key is None or key in found:
            continue
        level = len(heading.group(1))
        end = next(
            (later.start() for later, other in headings[index + 1 :] if len(later.group(1)) <= level or other),
            len(body),
        )
        content = _PLACEHOLDER.sub("", body[heading.end() : end]).strip()
        if content:
            found[key] = content[:EXCERPT]
    return found


def _section_key(heading: str) -> str | None:
    title = re.sub(r"[^a-z -]", "", heading.lower()).strip()
    for key, names in SECTIONS.items():
        if any(title == name or title.startswith(name + " ") for name in names):
            return key
    return None


def _links(body: str) -> tuple[tuple[str, str], ...]:
    links = [(match.group(1), match.group(2)) for match in _MD_LINK.finditer(body)]
    seen = {url for _, url in links}
    links += [("", url) for url in _BARE_URL.findall(body) if url not in seen]
    return tuple(dict.fromkeys(links))


def substantive(text: str, words: int = 25) -> bool:
    """Whether a prose section says something (not a template placeholder)."""
    return len(re.findall(r"\w+", _PLACEHOLDER.sub("", text))) >= words


# --- facts -----------------------------------------------------------------------------------------

_METADATA_STRINGS = ("license", "license_name", "license_link", "library_name", "pipeline_tag", "base_model_relation")


def metadata_facts(
    metadata: Mapping[str, object], commit: str | None, source: str = "card"
) -> tuple[list[Fact], list[EvidenceError]]:
    """Facts from the card's YAML metadata (or the Hub API's ``cardData``, its parsed copy)."""
    facts: list[Fact] = []
    errors: list[EvidenceError] = []
    for key in _METADATA_STRINGS:
        if key in metadata and metadata[key] is not None:
            facts.append(Fact(key, metadata[key], f"{source}:{key}", commit))
    for key in ("datasets", "base_model"):
        value = metadata.get(key)
        if value is None:
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items):
            errors.append(
                EvidenceError(
                    f"{source}:{key}",
                    EvidenceProblem.UNREADABLE,
                    f"{key} is {type(value).__name__} {str(value)[:60]!r}; expected a repository id or a list of them",
                )
            )
            continue
        singular = "dataset" if key == "datasets" else key
        facts += [Fact(singular, item.strip(), f"{source}:{key}", commit) for item in dict.fromkeys(items)]
    model_index = metadata.get("model-index")
    if model_index:
        facts.append(Fact("evaluation_results", "model-index", f"{source}:model-index", commit))
        facts += [
            Fact("evaluation_dataset", name, f"{source}:model-index", commit) for name in _eval_datasets(model_index)
        ]
    return facts, errors


def _eval_datasets(model_index: object) -> list[str]:
    names: list[str] = []
    for model in model_index if isinstance(model_index, list) else []:
        for result in model.get("results", []) if isinstance(model, dict) else []:
            dataset = result.get("dataset") if isinstance(result, dict) else None
            if isinstance(dataset, dict):
                name = dataset.get("type") or dataset.get("name")
                if isinstance(name, str):
                    names.append(name)
    return list(dict.fromkeys(names))


def text_facts(card: Card, commit: str | None, source: str = "card") -> list[Fact]:
    """Facts from the card's prose: sections, code and paper links, arXiv ids, the MOT badge."""
    facts = [Fact(key, text, f"{source}:section:{key}", commit) for key, text in card.sections.items()]
    facts.append(Fact("model_card", len(card.text), f"{source}:text", commit))
    for text, url in card.links:
        clean = url.rstrip(".,;")
        code = _CODE_HOSTS.match(clean)
        if code:
            facts.append(Fact("code_repository", code.group(0), f"{source}:link", commit))
        if _PAPER_HOSTS.match(clean):
            kind = "technical_report" if "report" in text.lower() else "paper"
            facts.append(Fact(kind, clean, f"{source}:link", commit))
        elif "technical report" in text.lower() or "tech report" in text.lower():
            facts.append(Fact("technical_report", clean, f"{source}:link", commit))
        if _MOT_LINK.match(clean):
            facts.append(Fact("mot_url", clean, f"{source}:link", commit))
    for arxiv_id in dict.fromkeys(_ARXIV.findall(card.text)):
        facts.append(Fact("arxiv", arxiv_id, f"{source}:text", commit))
    badge = _MOT_BADGE.search(card.text)
    if badge:
        facts.append(Fact("mot_badge", f"class{badge['class']}-{badge['status'].lower()}", f"{source}:badge", commit))
    return _dedupe(facts)


def _dedupe(facts: Iterable[Fact]) -> list[Fact]:
    return list({(fact.key, str(fact.value)): fact for fact in facts}.values())
