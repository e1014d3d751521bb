"""Render the effective policy (``osaid-guard policy show``) with where each value came from."""

from __future__ import annotations

import json

from osaid_guard.policy.model import Policy


def as_json(policy: Policy) -> str:
    return json.dumps(
        {
            "files": list(policy.files),
            "fingerprint": policy.fingerprint,
            "policy": policy.as_dict(),
            "origins": dict(policy.origins),
        },
        indent=2,
    )


def as_text(policy: Policy) -> str:
    """TOML-like lines, each with the file that set it as a comment."""
    if policy.files:
        extends = f" (extends {', '.join(policy.files[1:])})" if len(policy.files) > 1 else ""
        header = f"# policy: {policy.files[0]}{extends}"
    else:
        header = "# no policy found: decisions are reported as warnings, never enforced"
    lines = [header, f"# fingerprint: {policy.fingerprint}"]
    settings = policy.as_dict()
    for key, value in settings.items():
        origin = policy.origins.get(key, "default")
        if key == "exceptions" and value:
            lines.append(f"exceptions = [  # {origin}")
            lines.extend(f"  {_inline_table(entry)}," for entry in value)  # type: ignore[attr-defined]
            lines.append("]")
        elif key == "attest" and value:
            lines.append(f"# attest: {origin}")
            for repo, facts in value.items():  # type: ignore[attr-defined]
                lines.append(f"attest.{json.dumps(repo)} = {_inline_table(facts)}")
        else:
            lines.append(f"{key} = {json.dumps(value)}  # {origin}")
    return "\n".join(lines) + "\n"


def _inline_table(entry: dict[str, object]) -> str:
    return "{ " + ", ".join(f"{key} = {json.dumps(value)}" for key, value in entry.items()) + " }"
