"""``osaid-guard policy show`` and ``policy validate`` as users and pre-commit run them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

Write = Callable[[str, str], Path]
SCRIPT = shutil.which("osaid-guard", path=str(Path(sys.executable).parent))


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [SCRIPT] if SCRIPT else [sys.executable, "-m", "osaid_guard"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=60, check=False)


def test_show_prints_each_value_with_its_origin(write: Write, tmp_path: Path) -> None:
    write("org.toml", 'require = "osaid"\n')
    write("project/pyproject.toml", '[tool.osaid-guard]\nextend = "../org.toml"\nmode = "warn"\n')
    result = run(tmp_path / "project", "policy", "show")
    assert result.returncode == 0, result.stderr
    assert "# policy: pyproject.toml (extends ../org.toml)" in result.stdout
    assert 'mode = "warn"  # pyproject.toml' in result.stdout
    assert 'require = "osaid"  # ../org.toml' in result.stdout
    assert 'on-error = "deny"  # default' in result.stdout


def test_show_json(write: Write, tmp_path: Path) -> None:
    path = write("osaid-guard.toml", '[[exceptions]]\nrepo = "a/b"\nreason = "r"\nexpires = 2027-01-01\n')
    result = run(tmp_path, "policy", "show", "--policy", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["policy"]["exceptions"] == [{"repo": "a/b", "reason": "r", "expires": "2027-01-01"}]
    assert shown["origins"]["exceptions"] == "osaid-guard.toml"
    assert len(shown["fingerprint"]) == 16


def test_show_without_a_policy_says_so(tmp_path: Path) -> None:
    result = run(tmp_path, "policy", "show")
    assert result.returncode == 0
    assert "no policy found" in result.stdout


def test_validate_ok(write: Write, tmp_path: Path) -> None:
    write("pyproject.toml", '[tool.osaid-guard]\nrequire = "mof-class-2"\n')
    result = run(tmp_path, "policy", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pyproject.toml: valid")


def test_validate_lists_every_problem_and_exits_2(write: Write, tmp_path: Path) -> None:
    path = write("bad.toml", 'mode = "x"\nbogus = 1\n')
    result = run(tmp_path, "policy", "validate", str(path))
    assert result.returncode == 2
    assert "bad.toml: mode: expected one of" in result.stderr
    assert "bad.toml: bogus: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_without_a_policy_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, "policy", "validate")
    assert result.returncode == 2
    assert "no policy found" in result.stderr


def test_the_example_project_policy_is_valid() -> None:
    project = Path(__file__).resolve().parent.parent / "examples" / "project"
    result = run(project, "policy", "validate")
    assert result.returncode == 0, result.stderr
