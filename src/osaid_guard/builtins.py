"""The built-in plugins: evidence from the Hub or disk, and the text and JSON report formats.

They implement the same hooks as any third-party plugin (see :mod:`osaid_guard.hookspecs`),
so the core has no special path for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from osaid_guard.hookspecs import hookimpl
from osaid_guard.model import Assessment, EvidenceProblem, ModelRecord, ModelRef, Reason, Report
from osaid_guard.policy.model import Policy
from osaid_guard.sources import Context


class Sources:
    """The Hub online (metadata stored per commit), else what is known offline."""

    @hookimpl
    def osaid_guard_collect(self, ref: ModelRef, context: Context, policy: Policy) -> ModelRecord:
        from osaid_guard import store
        from osaid_guard.api import offline_record

        if ref.local_path is not None or context.offline:
            return offline_record(ref, context)
        from osaid_guard.sources.hub import HubSource

        record = HubSource(context).collect(ref)
        if record.commit is not None:
            store.save(record)
            return record
        if record.errors and all(error.kind is EvidenceProblem.UNREACHABLE for error in record.errors):
            # The Hub is unreachable (not "not found"): what is known offline decides.
            fallback = offline_record(ref, replace(context, offline=True))
            if fallback.commit is not None:
                return fallback
        return record


class Formats:
    """``text``, ``json``, ``sarif`` and ``markdown`` reports."""

    @hookimpl
    def osaid_guard_formats(self) -> Mapping[str, Callable[[Report], str]]:
        from osaid_guard.formats import markdown, report, sarif

        return {
            "text": report.as_text,
            "json": lambda result: report.as_json(result) + "\n",
            "sarif": lambda result: sarif.as_sarif(result) + "\n",
            "markdown": markdown.as_markdown,
        }


class LockRule:
    """``require-lock = true``: a model must be in the lock file at its pinned commit (OG605)."""

    @hookimpl
    def osaid_guard_rules(self, assessment: Assessment, policy: Policy) -> list[Reason]:
        if not policy.require_lock or not assessment.ref.repo_id:
            return []
        from osaid_guard.errors import PolicyError
        from osaid_guard.lock import read_current

        path = policy.lock_path()
        repo = assessment.ref.repo_id
        hint = f"run `osaid-guard lock {repo}`, review the change, and commit {policy.lock_file}"
        try:
            pinned = read_current(path).pinned(repo, assessment.ref.repo_type)
        except FileNotFoundError:
            return [Reason("OG605", f"require-lock is set but there is no lock file at {path}", hint)]
        except PolicyError as error:
            return [Reason("OG605", f"the lock file cannot be read: {error}", "fix or regenerate it")]
        if pinned is None:
            return [Reason("OG605", f"{repo} is not in the lock file {policy.lock_file}", hint)]
        if assessment.commit is None or pinned.commit != assessment.commit:
            at = assessment.commit or "an unknown commit"
            return [
                Reason("OG605", f"{repo} is locked at {pinned.commit[:12]}, not at {at[:12]}",
                       f"use revision={pinned.commit!r}, or update the lock: {hint}")
            ]  # fmt: skip
        return []


PLUGINS = {"sources": Sources(), "formats": Formats(), "lock": LockRule()}
"""The built-in plugins by name, registered before any other."""
