"""The built-in plugins: evidence from the Hub or disk, and the text and JSON report formats.

They implement the same hooks as any third-party plugin (see :mod:`osaid_guard.hookspecs`),
so the core has no special path for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from osaid_guard.hookspecs import hookimpl
from osaid_guard.model import EvidenceProblem, ModelRecord, ModelRef, Verdict
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
    """``text`` and ``json`` reports of verdicts."""

    @hookimpl
    def osaid_guard_formats(self) -> Mapping[str, Callable[[Sequence[Verdict]], str]]:
        from osaid_guard.formats import report

        return {"text": report.as_text, "json": lambda verdicts: report.as_json(verdicts) + "\n"}


PLUGINS = {"sources": Sources(), "formats": Formats()}
"""The built-in plugins by name, registered before any other."""
