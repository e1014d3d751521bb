"""osaid-guard: keep models that are not open out of training and inference code.

The public surface is small and imported lazily: ``import osaid_guard`` loads
no licence data and no Hub client, so importing it costs a training script
nothing until a decision is needed.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `from typing import ...`: importing typing alone costs milliseconds

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "Category",
    "Decision",
    "GuardInstallError",
    "License",
    "LicenseError",
    "LicenseInfo",
    "OpennessPolicyError",
    "OpennessPolicyWarning",
    "OsaidGuardError",
    "Policy",
    "PolicyError",
    "Restriction",
    "Verdict",
    "__version__",
    "check",
    "classify_license",
    "current_policy",
    "guarded",
    "hookimpl",
    "install",
    "load_policy",
    "uninstall",
]

_EXPORTS = {
    "Assessment": "osaid_guard.model",
    "Category": "osaid_guard.model",
    "Decision": "osaid_guard.model",
    "Verdict": "osaid_guard.model",
    "check": "osaid_guard.api",
    "License": "osaid_guard.model",
    "LicenseInfo": "osaid_guard.model",
    "Restriction": "osaid_guard.model",
    "LicenseError": "osaid_guard.errors",
    "OsaidGuardError": "osaid_guard.errors",
    "OpennessPolicyError": "osaid_guard.errors",
    "OpennessPolicyWarning": "osaid_guard.errors",
    "GuardInstallError": "osaid_guard.errors",
    "install": "osaid_guard.guard",
    "hookimpl": "osaid_guard.hookspecs",
    "uninstall": "osaid_guard.guard",
    "guarded": "osaid_guard.guard",
    "PolicyError": "osaid_guard.errors",
    "classify_license": "osaid_guard.licenses",
    "Policy": "osaid_guard.policy",
    "current_policy": "osaid_guard.policy",
    "load_policy": "osaid_guard.policy",
}

if TYPE_CHECKING:
    from osaid_guard.api import check
    from osaid_guard.errors import (
        GuardInstallError,
        LicenseError,
        OpennessPolicyError,
        OpennessPolicyWarning,
        OsaidGuardError,
        PolicyError,
    )
    from osaid_guard.guard import guarded, install, uninstall
    from osaid_guard.hookspecs import hookimpl
    from osaid_guard.licenses import classify_license
    from osaid_guard.model import Assessment, Category, Decision, License, LicenseInfo, Restriction, Verdict
    from osaid_guard.policy import Policy, current_policy, load_policy


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'osaid_guard' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
