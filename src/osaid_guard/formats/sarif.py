"""SARIF 2.1.0 for GitHub code scanning: one rule per rule id, results where models are referenced.

Results of ``scan`` are located at the file, line and column that name the model; results of
``check`` and ``audit`` at the policy file, so code scanning can show them too. Unresolved
references become notes (rule OG701).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from typing import Any

from osaid_guard import __version__
from osaid_guard.model import Decision, Location, Reason, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/osaid-guard/osaid-guard"
SCAN_RULES = {"OG701": "a model reference could not be resolved without running the code"}


def as_sarif(report: Report) -> str:
    from osaid_guard.decide import RULES

    descriptions = {**RULES, **SCAN_RULES}
    results: list[dict[str, Any]] = []
    used: dict[str, str] = {}
    for item in report.items:
        verdict = item.verdict
        if verdict.decision is Decision.ALLOW:
            continue
        level = "error" if verdict.decision is Decision.DENY else "warning"
        where = item.locations or ((Location(report.policy_file),) if report.policy_file else ())
        name = verdict.ref.repo_id or verdict.ref.local_path or "?"
        at = f"@{verdict.commit[:12]}" if verdict.commit else ""
        for reason in verdict.denials:
            used.setdefault(reason.rule, descriptions.get(reason.rule, reason.message))
            results.append(_result(reason.rule, level, f"{name}{at}: {reason.message}", reason, where))
    for location, expression in report.unresolved:
        used.setdefault("OG701", SCAN_RULES["OG701"])
        message = f"the model named by `{expression}` cannot be known without running the code; check it by hand"
        results.append(_result("OG701", "note", message, None, (location,)))
    rule_ids = sorted(set(descriptions) | set(used))
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    run = {
        "tool": {
            "driver": {
                "name": "osaid-guard",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule_id, descriptions.get(rule_id) or used[rule_id]) for rule_id in rule_ids],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _rule(rule_id: str, description: str) -> dict[str, Any]:
    text = description[0].upper() + description[1:] if description else rule_id
    return {
        "id": rule_id,
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{rule_id}: {text}."},
        "help": {
            "text": f"{text}. See docs/rules.md in osaid-guard for what triggers {rule_id} and how to proceed.",
            "markdown": f"**{rule_id}**: {text}. See `docs/rules.md` for what triggers it and how to proceed.",
        },
        "defaultConfiguration": {"level": "note" if rule_id == "OG701" else "error"},
        "properties": {"tags": ["openness", "license", "compliance"]},
    }


def _result(rule: str, level: str, message: str, reason: Reason | None, where: tuple[Location, ...]) -> dict[str, Any]:
    text = message + (f" (how to proceed: {reason.hint.splitlines()[0]})" if reason is not None and reason.hint else "")
    result: dict[str, Any] = {
        "ruleId": rule,
        "level": level,
        "message": {"text": text},
        "partialFingerprints": {"osaidGuard/v1": hashlib.sha256(f"{rule}|{message}".encode()).hexdigest()[:32]},
    }
    if where:
        result["locations"] = [_physical(location) for location in where]
    return result


def _physical(location: Location) -> dict[str, Any]:
    path = location.file
    if os.path.isabs(path):
        with contextlib.suppress(ValueError):
            path = os.path.relpath(path)
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": path.replace(os.sep, "/"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(1, location.line), "startColumn": max(1, location.column)},
        }
    }
