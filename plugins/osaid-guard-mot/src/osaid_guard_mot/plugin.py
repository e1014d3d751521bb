"""The plugin's hooks: its policy table, its evidence source, and its ``osaid-guard mot`` command."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from osaid_guard import hookimpl
from osaid_guard.model import EvidenceError, EvidenceProblem, Fact, ModelRecord, ModelRef
from osaid_guard.policy.model import Policy
from osaid_guard.sources import Context
from osaid_guard_mot import catalogue as catalogues
from osaid_guard_mot.mof import evaluate

NAME = "mot"
CONFIG_KEYS = ("source", "cache-hours")
_lock = threading.Lock()
_loaded: dict[tuple[str, float, bool], catalogues.Catalogue] = {}


def settings(policy: Policy) -> tuple[str, float]:
    """The MOT source and cache lifetime the policy asks for (defaults: the public API, 24 hours)."""
    table: Mapping[str, Any] = policy.plugin_config.get(NAME, {})
    return str(table.get("source", catalogues.DEFAULT_SOURCE)), float(
        table.get("cache-hours", catalogues.DEFAULT_CACHE_HOURS)
    )


def catalogue(source: str, cache_hours: float, offline: bool) -> catalogues.Catalogue:
    """Loaded lazily, once per process and source: decisions that never ask pay nothing."""
    key = (source, cache_hours, offline)
    with _lock:
        if key not in _loaded:
            _loaded[key] = catalogues.load(source, cache_hours, offline)
        return _loaded[key]


def forget() -> None:
    """Drop the loaded catalogues (tests, long-running processes)."""
    with _lock:
        _loaded.clear()


@hookimpl
def osaid_guard_check_config(name: str, table: Mapping[str, Any]) -> list[str] | None:
    if name != NAME:
        return None
    problems = []
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            close = get_close_matches(key, CONFIG_KEYS, n=1)
            problems.append(
                f"{key}: unknown key"
                + (f" (did you mean {close[0]!r}?)" if close else f"; expected {', '.join(CONFIG_KEYS)}")
            )
        elif key == "source":
            if not isinstance(value, str) or not value.strip():
                problems.append(f"source: expected the MOT's URL or a directory of MOT model files, got {value!r}")
            elif not re.match(r"^https?://", value, re.I) and not Path(value).expanduser().is_dir():
                problems.append(f"source: {value!r} is neither an http(s) URL nor a directory")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"cache-hours: expected a number of hours (0 or more), got {value!r}")
    return problems


@hookimpl
def osaid_guard_collect(ref: ModelRef, context: Context, policy: Policy) -> ModelRecord | None:
    """Each MOF component the model's MOT entry lists, with its licence resolved the MOT's way."""
    if not ref.repo_id:
        return None
    source, cache_hours = settings(policy)
    try:
        found = catalogue(source, cache_hours, context.offline).find(ref.repo_id)
    except catalogues.CatalogueError as error:
        return ModelRecord(ref, None, errors=(EvidenceError("plugin:mot", EvidenceProblem.UNREACHABLE, str(error)),))
    if not found:
        return None
    if len(found) > 1:
        where = ", ".join(entry.url or entry.model.source for entry in found)
        message = f"{len(found)} Model Openness Tool entries name {ref.repo_id} ({where}); none is used"
        return ModelRecord(ref, None, errors=(EvidenceError("plugin:mot", EvidenceProblem.UNREADABLE, message),))
    entry = found[0]
    exact = evaluate(entry.model)
    provenance = f"plugin:mot:{entry.url or entry.model.source}"
    facts = [
        Fact("mof_component", (component.name, exact.licenses[component.name] or "", exact.statuses[component.name]),
             provenance)
        for component in entry.model.components
    ]  # fmt: skip
    facts.append(Fact("mot_class", exact.mof_class, provenance))
    if entry.url:
        facts.append(Fact("mot_url", entry.url, provenance))
    return ModelRecord(ref, None, facts=tuple(facts))


@hookimpl
def osaid_guard_commands(subparsers: Any) -> None:
    from osaid_guard_mot.cli import add_commands

    add_commands(subparsers)
