"""Evidence the organisation vouches for: the policy's ``attest`` table, as facts with source ``policy:attest``."""

from __future__ import annotations

from osaid_guard.model import Fact, ModelRef
from osaid_guard.policy.model import Policy

FACT_KEYS = {
    "license": "license",
    "training-code": "training_code",
    "training-code-license": "training_code_license",
    "inference-code": "inference_code",
    "inference-code-license": "inference_code_license",
    "evaluation-code": "evaluation_code",
    "data-preprocessing-code": "data_preprocessing_code",
    "data-card": "data_card",
    "datasets": "dataset",
    "paper": "paper",
    "technical-report": "technical_report",
    "evaluation-results": "evaluation_results",
    "intermediate-checkpoints": "intermediate_checkpoints",
}
"""Attestation keys (kebab-case, as in the policy) and the fact keys they become."""


def attested_facts(ref: ModelRef, policy: Policy, commit: str | None) -> tuple[Fact, ...]:
    """The facts the policy attests for this repository, first in evidence order (they win)."""
    attestation = policy.attestation_for(ref.repo_id) if ref.repo_id else None
    if attestation is None:
        return ()
    facts: list[Fact] = []
    for key, value in attestation.facts:
        values = value if isinstance(value, tuple) else (value,)
        facts += [Fact(FACT_KEYS[key], item, f"policy:attest:{key}", commit) for item in values]
    return tuple(facts)
