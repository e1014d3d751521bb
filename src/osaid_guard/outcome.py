"""Exit codes, the same for ``check``, ``scan``, ``audit`` and ``lock``.

0 clean; 1 a policy violation; 2 usage or configuration errors; 3 could not decide (the Hub
unreachable, no access, a failing plugin). When several apply, 2 wins (nothing was decided
properly), then 1 (a confirmed violation matters more than a gap), then 3.
"""

from __future__ import annotations

from collections.abc import Iterable

from osaid_guard.model import Decision, Verdict

EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_UNDECIDED = 3

UNDECIDED_RULES = frozenset({"OG501", "OG502", "OG503", "OG505"})
"""Denials that say the evidence could not be had, not that the model fails the policy."""


def undecided(verdict: Verdict) -> bool:
    """Denied only because evidence was missing (network, access, a plugin)."""
    denials = verdict.denials
    return verdict.decision is Decision.DENY and bool(denials) and all(r.rule in UNDECIDED_RULES for r in denials)


def exit_code(verdicts: Iterable[Verdict]) -> int:
    verdicts = list(verdicts)
    if any(verdict.decision is Decision.DENY and not undecided(verdict) for verdict in verdicts):
        return EXIT_VIOLATIONS
    if any(undecided(verdict) for verdict in verdicts):
        return EXIT_UNDECIDED
    return EXIT_CLEAN
