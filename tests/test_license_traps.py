"""The licence values that tools most often get wrong."""

from __future__ import annotations

import pytest

from osaid_guard import Category, Restriction, classify_license


def test_hub_bsl_is_the_boost_licence_not_the_business_source_licence() -> None:
    info = classify_license("bsl-1.0")
    (lic,) = info.licenses
    assert lic.id == "BSL-1.0"
    assert "Boost" in lic.name
    assert info.is_open


def test_the_business_source_licence_is_not_open() -> None:
    for text in ("BUSL-1.1", "Business Source License 1.1"):
        info = classify_license(text)
        assert info.expression == "BUSL-1.1"
        assert not info.is_open
        assert info.category is Category.PROPRIETARY


@pytest.mark.parametrize(
    ("deprecated", "current"),
    [
        ("GPL-3.0", "GPL-3.0-only"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
    ],
)
def test_deprecated_spdx_ids_read_as_spdx_says(deprecated: str, current: str) -> None:
    info = classify_license(deprecated)
    assert info.expression == current
    assert any("deprecated" in note for note in info.notes)


@pytest.mark.parametrize(
    ("family", "member"),
    [
        ("bsd", "BSD-3-Clause"),
        ("cc", "CC-BY-NC-4.0"),
        ("gpl", "GPL-3.0-only"),
        ("lgpl", "LGPL-2.1-only"),
        ("gfdl", "GFDL-1.3-only"),
    ],
)
def test_families_are_ambiguous_and_say_so(family: str, member: str) -> None:
    info = classify_license(family)
    assert info.ambiguous
    assert member in info.candidates
    assert any("family" in note for note in info.notes)


def test_a_family_is_never_more_open_than_its_least_open_member() -> None:
    assert not classify_license("cc").is_open  # CC covers NC and ND licences
    assert not classify_license("bsd").osi_approved  # BSD-4-Clause is not OSI-approved


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"license": "unknown"}, {"license": "other"}, {"license": ""}, {"license": "   "}, {"license": None}],
)
def test_unknown_other_and_missing_are_unknown_and_never_open(kwargs: dict[str, str | None]) -> None:
    info = classify_license(**kwargs)
    assert info.category is Category.UNKNOWN
    assert info.expression == "NOASSERTION"
    assert not info.is_open
    assert not info.osi_approved


def test_every_llama_version_is_its_own_licence() -> None:
    ids = {
        classify_license(hub_id).expression
        for hub_id in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4")
    }
    assert len(ids) == 6


@pytest.mark.parametrize(
    ("text", "restriction"),
    [
        ("cc-by-nc-4.0", Restriction.NON_COMMERCIAL),
        ("cc-by-nd-4.0", Restriction.NO_DERIVATIVES),
        ("llama3.1", Restriction.USER_CAP),
        ("openrail", Restriction.ACCEPTABLE_USE),
        ("apple-amlr", Restriction.RESEARCH_ONLY),
        ("CC-BY-NC-SA-3.0-DE", Restriction.NON_COMMERCIAL),
    ],
)
def test_use_restrictions_are_named(text: str, restriction: Restriction) -> None:
    info = classify_license(text)
    assert restriction in info.restrictions
    assert info.restricts_use
    assert not info.is_open


def test_openmdw_counts_as_open_data_like_the_model_openness_tool() -> None:
    info = classify_license("LicenseRef-scancode-openmdw-1.0")
    assert info.expression == "OpenMDW-1.0"
    assert info.open_data
    assert info.is_open


def test_a_scancode_key_is_read_when_no_spdx_id_has_that_spelling() -> None:
    info = classify_license("deepseek-la-1.0")
    assert info.expression == "LicenseRef-scancode-deepseek-la-1.0"
    assert info.category is Category.RESTRICTS_USE
