"""``osaid-guard license`` as users run it: the installed console script, in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = shutil.which("osaid-guard", path=str(Path(sys.executable).parent))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [SCRIPT] if SCRIPT else [sys.executable, "-m", "osaid_guard"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, check=False)


def test_text_prints_one_block_per_input() -> None:
    result = run("license", "apache-2.0", "llama3.1", "MIT OR Apache-2.0")
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.strip().split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == ["apache-2.0", "llama3.1", "MIT OR Apache-2.0"]
    assert "restricts-use" in blocks[1]
    assert "acceptable-use, user-cap" in blocks[1]


def test_json_has_the_documented_shape() -> None:
    result = run("license", "--format", "json", "cc-by-nc-4.0", "bsd")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["licenses"]
    assert {"input", "expression", "category", "osi_approved", "open_data", "restricts_use", "ids", "source"} <= set(
        entries[0]
    )
    assert entries[0]["input"] == "cc-by-nc-4.0"
    assert entries[0]["ids"] == ["CC-BY-NC-4.0"]
    assert entries[0]["restricts_use"] is True
    assert entries[1]["candidates"]


def test_license_name_and_link_read_as_other() -> None:
    result = run("license", "--format", "json", "--license-name", "Llama 3.1 Community License Agreement")
    (entry,) = json.loads(result.stdout)["licenses"]
    assert entry["expression"] == "LicenseRef-scancode-llama-3.1-license-2024"


def test_a_bad_value_is_reported_with_exit_2_and_the_rest_still_printed() -> None:
    result = run("license", "--format", "json", "MIT AND (", "mit")
    assert result.returncode == 2
    first, second = json.loads(result.stdout)["licenses"]
    assert "not a valid SPDX licence expression" in first["error"]
    assert second["expression"] == "MIT"


@pytest.mark.parametrize("args", [["license"], ["license", "--format", "yaml", "mit"], ["nonsense"], []])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_version() -> None:
    from osaid_guard import __version__

    result = run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_values_can_come_from_a_file(tmp_path: Path) -> None:
    listing = tmp_path / "licences.txt"
    listing.write_text("# licences in use\n\napache-2.0\nMIT OR Apache-2.0\n", encoding="utf-8")
    result = run("license", "--format", "json", f"@{listing}")
    assert result.returncode == 0, result.stderr
    assert [entry["input"] for entry in json.loads(result.stdout)["licenses"]] == ["apache-2.0", "MIT OR Apache-2.0"]


def test_the_bundled_example_classifies_cleanly() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "licenses.txt"
    result = run("license", "--format", "json", f"@{example}")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["licenses"]
    assert len(entries) == 10
    assert all("error" not in entry for entry in entries)
