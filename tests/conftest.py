"""Shared fixtures: policy files written into a temporary project."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from osaid_guard.policy import POLICY_VARIABLE, clear_policy_cache


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a (dedented) file under the temporary directory and return its path."""

    def write_file(relative: str, text: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write_file


@pytest.fixture(autouse=True)
def _isolated_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's policy, environment or another test's cached policy."""
    monkeypatch.delenv(POLICY_VARIABLE, raising=False)
    monkeypatch.delenv("OSAID_GUARD_MODE", raising=False)
    monkeypatch.chdir(tmp_path)
    clear_policy_cache()
    yield
    clear_policy_cache()
