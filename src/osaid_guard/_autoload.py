"""Zero-code activation: guard every Hub download of a process, installed right after huggingface_hub loads.

The ``osaid_guard_autoload.pth`` file in site-packages imports this module at interpreter start
only when ``OSAID_GUARD_AUTOLOAD`` is set (1, true, yes, on); otherwise it costs one environment
lookup. This module registers a one-shot import finder: nothing happens until ``huggingface_hub``
is imported, then the guard is installed with the discovered policy. Nothing here may break the
interpreter: any error is reported once, and unless the policy is known not to enforce, Hub
downloads are then refused rather than let through unguarded.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

ENABLED_VALUES = ("1", "true", "yes", "on")


class _AfterHubImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps huggingface_hub's loader to install the guard after it runs."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "huggingface_hub":
            return None
        sys.meta_path[:] = [finder for finder in sys.meta_path if finder is not self]
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _InstallAfter(spec.loader)
        return spec


class _InstallAfter(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        activate()

    def __getattr__(self, name: str) -> object:  # resources, is_package, … of the real loader
        return getattr(self._loader, name)


def activate() -> None:
    """Install the guard; on failure, report once and fail closed unless the policy does not enforce."""
    try:
        from osaid_guard.guard import install

        install()
    except Exception as error:  # never break the interpreter; never fail open in enforce mode
        _fail(error)


def _fail(error: Exception) -> None:
    from osaid_guard.guard import patches

    enforcing = True
    try:
        from osaid_guard.policy import Mode, current_policy

        enforcing = current_policy().mode is Mode.ENFORCE
    except Exception:
        enforcing = True  # a policy that cannot be read enforces nothing but a refusal
    message = f"osaid-guard could not be activated: {error}"
    if enforcing:
        message += "\nHugging Face Hub downloads of weight files are refused until this is fixed."
        patches.block_everything(message)
    sys.stderr.write(message + "\n")


def register() -> None:
    """Install the guard when huggingface_hub is imported (now, if it already is)."""
    if "huggingface_hub" in sys.modules:
        activate()
    elif not any(isinstance(finder, _AfterHubImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterHubImport())


register()
