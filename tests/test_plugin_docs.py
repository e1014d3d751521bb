"""docs/plugins.md documents every hook, and its example plugin is valid code using real hooks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from osaid_guard import hookspecs

DOC = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS = {name for name in dir(hookspecs) if name.startswith("osaid_guard_")}


def test_every_hook_is_documented_and_every_documented_hook_exists() -> None:
    documented = set(re.findall(r"^\| `(osaid_guard_\w+)\(", DOC, re.M))
    assert documented == HOOKS


def test_the_example_plugin_compiles_and_implements_real_hooks() -> None:
    (example,) = [block for block in re.findall(r"```python\n(.*?)```", DOC, re.S) if "@hookimpl" in block]
    tree = ast.parse(example)
    implemented = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(getattr(d, "id", None) == "hookimpl" for d in node.decorator_list)
    }
    assert implemented
    assert implemented <= HOOKS
