"""The shipped licence data is consistent: every row resolves, cites a source, and is reachable."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from license_expression import get_license_index

from osaid_guard import classify_license
from osaid_guard.license_db import OUR_PREFIX, _table, database
from osaid_guard.model import Category, Restriction

TABLE = _table()
ROWS = TABLE["license"]
SPDX = json.loads(files("osaid_guard.data").joinpath("spdx.json").read_text(encoding="utf-8"))
SCANCODE_IDS = {entry["spdx_license_key"] for entry in get_license_index() if entry.get("spdx_license_key")}


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_each_row_is_well_formed_and_cites_a_public_source(row: dict[str, object]) -> None:
    assert set(row) <= {"id", "name", "category", "restrictions", "url", "reference", "aliases", "urls"}
    Category(row["category"])
    for restriction in row["restrictions"]:  # type: ignore[attr-defined]
        Restriction(restriction)
    assert str(row["reference"]).startswith("https://")
    license_id = str(row["id"])
    if license_id.startswith("LicenseRef-scancode-"):
        assert license_id in SCANCODE_IDS, "ScanCode renamed or dropped this key"
    elif not license_id.startswith(OUR_PREFIX):
        assert license_id in SPDX["licenses"]


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_each_row_is_found_by_its_id_name_and_aliases(row: dict[str, object]) -> None:
    for text in [row["id"], row["name"], *row.get("aliases", [])]:  # type: ignore[list-item]
        assert classify_license(str(text)).expression == row["id"], text


def test_our_rows_are_for_what_scancode_lacks() -> None:
    for row in ROWS:
        if row["id"].startswith(OUR_PREFIX):
            key = row["id"].removeprefix(OUR_PREFIX)
            assert f"LicenseRef-scancode-{key}" not in SCANCODE_IDS


@pytest.mark.parametrize("license_id", TABLE["open-data"]["ids"])
def test_open_data_ids_exist_and_are_open(license_id: str) -> None:
    info = classify_license(license_id)
    assert info.expression == license_id
    assert info.open_data
    assert info.is_open


def test_hub_id_targets_all_resolve() -> None:
    db = database()
    for hub_id, meaning in TABLE["hub-ids"].items():
        targets = [meaning] if isinstance(meaning, str) else meaning["family"]
        for target in targets:
            assert target == "NOASSERTION" or db.get(target) is not None, hub_id


def test_spdx_extract_is_complete_enough() -> None:
    assert len(SPDX["licenses"]) > 700
    assert SPDX["licenses"]["Apache-2.0"][1] is True  # OSI-approved
    assert SPDX["licenses"]["GPL-3.0"][3] is True  # deprecated
