"""Every rule the decision can give is documented, and every documented rule exists."""

from __future__ import annotations

import re
from pathlib import Path

from osaid_guard.decide import RULES
from osaid_guard.formats.sarif import SCAN_RULES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
PACKAGE = Path(__file__).resolve().parent.parent / "src" / "osaid_guard"
SOURCE = (PACKAGE / "decide.py").read_text(encoding="utf-8")
BUILTINS = (PACKAGE / "builtins.py").read_text(encoding="utf-8") + (PACKAGE / "plugins.py").read_text(encoding="utf-8")


def test_every_rule_is_documented_once() -> None:
    documented = re.findall(r"^\| (OG\d{3}) \|", DOC, re.M)
    assert sorted(documented) == sorted([*RULES, *SCAN_RULES])


def test_every_rule_is_used_and_every_used_rule_is_listed() -> None:
    used = set(re.findall(r'"(OG\d{3})"', SOURCE.split("RULES: dict")[1].split("}", 1)[1] + BUILTINS))
    assert used == set(RULES)
