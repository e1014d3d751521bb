"""Evidence that outlives the process: fetched metadata, stored per commit, for offline decisions.

Records (the facts), not verdicts, are stored: a changed policy applies to a cached
model without the network. A commit never changes, so a record never goes stale.
Files live under ``$HF_HOME/osaid-guard/records/`` and are written atomically (a
temporary file renamed into place), so a process killed midway leaves either the
old file or the new one, never a torn one; concurrent writers of the same commit
write the same content. A file that cannot be read is ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from osaid_guard.model import DatasetRecord, EvidenceError, EvidenceProblem, Fact, ModelRecord, ModelRef

FORMAT = 1


def store_root() -> Path:
    """Where records are kept: ``OSAID_GUARD_STORE``, else ``$HF_HOME/osaid-guard/records``."""
    explicit = os.environ.get("OSAID_GUARD_STORE")
    if explicit:
        return Path(explicit)
    from huggingface_hub import constants

    return Path(constants.HF_HOME) / "osaid-guard" / "records"


def _path(endpoint: str | None, repo_type: str, repo_id: str, commit: str) -> Path:
    from huggingface_hub import constants

    host = hashlib.sha256((endpoint or constants.ENDPOINT).rstrip("/").encode()).hexdigest()[:12]
    return store_root() / host / f"{repo_type}s--{repo_id.replace('/', '--')}" / f"{commit}.json"


def save(record: ModelRecord) -> None:
    """Store a record fetched online; only records read at a commit are kept. Failures are not fatal."""
    if record.commit is None or not record.ref.repo_id or _incomplete(record):
        return
    path = _path(record.ref.endpoint, record.ref.repo_type, record.ref.repo_id, record.commit)
    data = json.dumps({"format": FORMAT, "record": _encode(record)}, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        return  # a read-only or full disk costs the offline fallback, nothing else


def _incomplete(record: ModelRecord) -> bool:
    """A record missing evidence for a transient reason is not kept: a later check may do better."""
    transient = any(error.kind is EvidenceProblem.UNREACHABLE for error in record.errors)
    return (
        transient
        or any(_incomplete(base) for base in record.bases)
        or any(error.kind is EvidenceProblem.UNREACHABLE for dataset in record.datasets for error in dataset.errors)
    )


def load(endpoint: str | None, repo_type: str, repo_id: str, commit: str) -> ModelRecord | None:
    """The stored record of a repository at a commit, or None (absent, unreadable, other format)."""
    path = _path(endpoint, repo_type, repo_id, commit)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        return _decode(data["record"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _value(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return [_value(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(key): _value(item) for key, item in value.items()}
    return str(value)


def _encode(record: ModelRecord) -> dict[str, Any]:
    return {
        "ref": {
            "repo_id": record.ref.repo_id,
            "revision": record.ref.revision,
            "repo_type": record.ref.repo_type,
            "endpoint": record.ref.endpoint,
        },
        "commit": record.commit,
        "facts": [_encode_fact(fact) for fact in record.facts],
        "errors": [_encode_error(error) for error in record.errors],
        "datasets": [
            {
                "repo_id": d.repo_id,
                "facts": [_encode_fact(f) for f in d.facts],
                "errors": [_encode_error(e) for e in d.errors],
            }
            for d in record.datasets
        ],
        "bases": [_encode(base) for base in record.bases],
    }


def _encode_fact(fact: Fact) -> dict[str, Any]:
    return {"key": fact.key, "value": _value(fact.value), "source": fact.source, "commit": fact.commit}


def _encode_error(error: EvidenceError) -> dict[str, Any]:
    return {"source": error.source, "kind": error.kind.value, "message": error.message}


def _decode(data: dict[str, Any]) -> ModelRecord:
    ref = data["ref"]
    return ModelRecord(
        ref=ModelRef(ref["repo_id"], ref["revision"], ref["repo_type"], ref["endpoint"]),
        commit=data["commit"],
        facts=tuple(_decode_fact(fact) for fact in data["facts"]),
        errors=tuple(_decode_error(error) for error in data["errors"]),
        datasets=tuple(
            DatasetRecord(
                d["repo_id"], tuple(_decode_fact(f) for f in d["facts"]), tuple(_decode_error(e) for e in d["errors"])
            )
            for d in data["datasets"]
        ),
        bases=tuple(_decode(base) for base in data["bases"]),
    )


def _decode_fact(data: dict[str, Any]) -> Fact:
    value = data["value"]
    return Fact(data["key"], tuple(value) if isinstance(value, list) else value, data["source"], data["commit"])


def _decode_error(data: dict[str, Any]) -> EvidenceError:
    return EvidenceError(data["source"], EvidenceProblem(data["kind"]), data["message"])
