"""Every Hugging Face Hub licence id resolves to the licence it means (table-driven).

The expectations are written out here, independently of data/licenses.toml, from the
Hub's licence list, the SPDX License List and each licence's own terms.
"""

from __future__ import annotations

import pytest

from osaid_guard import Category, classify_license
from osaid_guard.license_db import database

PD, PERM, COPY, RESTR, NC, UNK = (
    Category.PUBLIC_DOMAIN,
    Category.PERMISSIVE,
    Category.COPYLEFT,
    Category.RESTRICTS_USE,
    Category.NON_COMMERCIAL,
    Category.UNKNOWN,
)

# hub id, expression, category, OSI-approved, open data, open under OSAID terms
HUB_IDS = [
    ("apache-2.0", "Apache-2.0", PERM, True, False, True),
    ("mit", "MIT", PERM, True, False, True),
    ("afl-3.0", "AFL-3.0", PERM, True, False, True),
    ("artistic-2.0", "Artistic-2.0", COPY, True, False, True),
    ("bsd-2-clause", "BSD-2-Clause", PERM, True, False, True),
    ("bsd-3-clause", "BSD-3-Clause", PERM, True, False, True),
    ("bsd-3-clause-clear", "BSD-3-Clause-Clear", PERM, False, False, False),
    ("cc0-1.0", "CC0-1.0", PD, False, True, True),
    ("cc-by-2.0", "CC-BY-2.0", PERM, False, True, True),
    ("cc-by-2.5", "CC-BY-2.5", PERM, False, True, True),
    ("cc-by-3.0", "CC-BY-3.0", PERM, False, True, True),
    ("cc-by-4.0", "CC-BY-4.0", PERM, False, True, True),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0", COPY, False, True, True),
    ("cc-by-sa-4.0", "CC-BY-SA-4.0", COPY, False, True, True),
    ("cc-by-nc-2.0", "CC-BY-NC-2.0", NC, False, False, False),
    ("cc-by-nc-3.0", "CC-BY-NC-3.0", NC, False, False, False),
    ("cc-by-nc-4.0", "CC-BY-NC-4.0", NC, False, False, False),
    ("cc-by-nd-4.0", "CC-BY-ND-4.0", RESTR, False, False, False),
    ("cc-by-nc-nd-3.0", "CC-BY-NC-ND-3.0", NC, False, False, False),
    ("cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0", NC, False, False, False),
    ("cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0", NC, False, False, False),
    ("cc-by-nc-sa-3.0", "CC-BY-NC-SA-3.0", NC, False, False, False),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", NC, False, False, False),
    ("cdla-sharing-1.0", "CDLA-Sharing-1.0", COPY, False, True, True),
    ("cdla-permissive-1.0", "CDLA-Permissive-1.0", PERM, False, True, True),
    ("cdla-permissive-2.0", "CDLA-Permissive-2.0", PERM, False, True, True),
    ("wtfpl", "WTFPL", PD, False, False, False),
    ("ecl-2.0", "ECL-2.0", PERM, True, False, True),
    ("epl-1.0", "EPL-1.0", COPY, True, False, True),
    ("epl-2.0", "EPL-2.0", COPY, True, False, True),
    ("etalab-2.0", "etalab-2.0", PERM, False, True, True),
    ("eupl-1.1", "EUPL-1.1", COPY, True, False, True),
    ("eupl-1.2", "EUPL-1.2", COPY, True, False, True),
    ("agpl-3.0", "AGPL-3.0-only", COPY, True, False, True),
    ("gpl-2.0", "GPL-2.0-only", COPY, True, False, True),
    ("gpl-3.0", "GPL-3.0-only", COPY, True, False, True),
    ("lgpl-2.1", "LGPL-2.1-only", COPY, True, False, True),
    ("lgpl-3.0", "LGPL-3.0-only", COPY, True, False, True),
    ("isc", "ISC", PERM, True, False, True),
    ("lppl-1.3c", "LPPL-1.3c", COPY, True, False, True),
    ("ms-pl", "MS-PL", PERM, True, False, True),
    ("mpl-2.0", "MPL-2.0", COPY, True, False, True),
    ("osl-3.0", "OSL-3.0", COPY, True, False, True),
    ("postgresql", "PostgreSQL", PERM, True, False, True),
    ("ofl-1.1", "OFL-1.1", COPY, True, False, True),
    ("ncsa", "NCSA", PERM, True, False, True),
    ("unlicense", "Unlicense", PD, True, False, True),
    ("zlib", "Zlib", PERM, True, False, True),
    ("bsl-1.0", "BSL-1.0", PERM, True, False, True),
    ("c-uda", "C-UDA-1.0", RESTR, False, False, False),
    ("odc-by", "ODC-By-1.0", PERM, False, True, True),
    ("odbl", "ODbL-1.0", COPY, False, True, True),
    ("pddl", "PDDL-1.0", PD, False, True, True),
    ("lgpl-lr", "LGPLLR", COPY, False, False, False),
    ("openmdw-1.0", "OpenMDW-1.0", PERM, False, True, True),
    ("openmdw-1.1", "LicenseRef-osaid-guard-openmdw-1.1", PERM, False, True, True),
    ("openrail", "LicenseRef-osaid-guard-openrail", RESTR, False, False, False),
    ("openrail++", "LicenseRef-osaid-guard-openrail-plus-plus", RESTR, False, False, False),
    ("bigscience-openrail-m", "LicenseRef-scancode-bigscience-open-rail-m", RESTR, False, False, False),
    ("creativeml-openrail-m", "LicenseRef-scancode-stable-diffusion-2022-08-22", RESTR, False, False, False),
    ("bigscience-bloom-rail-1.0", "LicenseRef-scancode-bigscience-rail-1.0", RESTR, False, False, False),
    ("bigcode-openrail-m", "LicenseRef-scancode-bigcode-open-rail-m-v1", RESTR, False, False, False),
    ("llama2", "LicenseRef-scancode-llama-2-license-2023", RESTR, False, False, False),
    ("llama3", "LicenseRef-osaid-guard-llama-3", RESTR, False, False, False),
    ("llama3.1", "LicenseRef-scancode-llama-3.1-license-2024", RESTR, False, False, False),
    ("llama3.2", "LicenseRef-scancode-llama-3.2-license-2024", RESTR, False, False, False),
    ("llama3.3", "LicenseRef-scancode-llama-3.3-license-2024", RESTR, False, False, False),
    ("llama4", "LicenseRef-scancode-llama-4-license-2025", RESTR, False, False, False),
    ("gemma", "LicenseRef-scancode-gemma-tou-2024-04-01", RESTR, False, False, False),
    ("grok2-community", "LicenseRef-osaid-guard-grok-2-community", RESTR, False, False, False),
    ("deepfloyd-if-license", "LicenseRef-osaid-guard-deepfloyd-if", NC, False, False, False),
    (
        "fair-noncommercial-research-license",
        "LicenseRef-osaid-guard-fair-noncommercial-research",
        NC,
        False,
        False,
        False,
    ),
    ("h-research", "LicenseRef-osaid-guard-h-research", NC, False, False, False),
    ("intel-research", "LicenseRef-osaid-guard-intel-research", NC, False, False, False),
    ("apple-ascl", "LicenseRef-osaid-guard-apple-ascl", PERM, False, False, False),
    ("apple-amlr", "LicenseRef-osaid-guard-apple-amlr", NC, False, False, False),
    ("unknown", "NOASSERTION", UNK, False, False, False),
    ("other", "NOASSERTION", UNK, False, False, False),
    # Families: the facts that hold whichever member is meant.
    ("bsd", "LicenseRef-osaid-guard-bsd-family", PERM, False, False, False),
    ("cc", "LicenseRef-osaid-guard-cc-family", NC, False, False, False),
    ("gfdl", "LicenseRef-osaid-guard-gfdl-family", COPY, False, False, False),
    ("gpl", "LicenseRef-osaid-guard-gpl-family", COPY, True, False, True),
    ("lgpl", "LicenseRef-osaid-guard-lgpl-family", COPY, True, False, True),
]


def test_the_table_covers_all_83_hub_ids() -> None:
    assert len(HUB_IDS) == 83
    assert {row[0] for row in HUB_IDS} == set(database().hub_ids)


@pytest.mark.parametrize(("hub_id", "expression", "category", "osi", "open_data", "is_open"), HUB_IDS)
def test_hub_id(hub_id: str, expression: str, category: Category, osi: bool, open_data: bool, is_open: bool) -> None:
    info = classify_license(hub_id)
    assert (info.expression, info.category, info.osi_approved, info.open_data, info.is_open) == (
        expression,
        category,
        osi,
        open_data,
        is_open,
    )
    assert info.source == "license:hub-id"


@pytest.mark.parametrize("hub_id", [row[0] for row in HUB_IDS])
def test_hub_ids_are_case_insensitive(hub_id: str) -> None:
    assert classify_license(hub_id.upper()).expression == classify_license(hub_id).expression


@pytest.mark.parametrize(
    "hub_id",
    [
        row[0]
        for row in HUB_IDS
        if row[2] in (RESTR, NC) and row[1].startswith("LicenseRef-") and "family" not in row[1]
    ],
)
def test_ai_licences_name_their_restrictions_and_cite_a_source(hub_id: str) -> None:
    info = classify_license(hub_id)
    assert info.restricts_use
    assert info.restrictions, f"{hub_id} restricts use but names no restriction"
    (lic,) = info.licenses
    assert lic.url
    assert lic.url.startswith("https://")
    assert lic.reference
    assert lic.reference.startswith("https://")
    assert lic.authority == "osaid-guard"
