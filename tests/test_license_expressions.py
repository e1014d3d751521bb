"""SPDX expressions: AND, OR, WITH, nesting, and how they combine properties."""

from __future__ import annotations

import pytest

from osaid_guard import Category, Restriction, classify_license


def test_or_is_open_when_any_choice_is() -> None:
    info = classify_license("MIT OR Apache-2.0")
    assert info.expression == "MIT OR Apache-2.0"
    assert info.ids == ("MIT", "Apache-2.0")
    assert info.is_open
    assert info.osi_approved


def test_or_with_a_restricted_choice_is_still_open() -> None:
    info = classify_license("Apache-2.0 OR llama3")
    assert info.is_open
    assert info.category is Category.PERMISSIVE
    assert not info.restricts_use


def test_and_with_a_non_commercial_part_restricts_use() -> None:
    info = classify_license("Apache-2.0 AND CC-BY-NC-4.0")
    assert info.restricts_use
    assert Restriction.NON_COMMERCIAL in info.restrictions
    assert info.category is Category.NON_COMMERCIAL
    assert not info.is_open


def test_with_keeps_its_exception() -> None:
    info = classify_license("GPL-2.0-only WITH Classpath-exception-2.0")
    assert info.expression == "GPL-2.0-only WITH Classpath-exception-2.0"
    assert [lic.id for lic in info.licenses] == ["GPL-2.0-only", "Classpath-exception-2.0"]
    assert info.licenses[1].is_exception
    assert info.ids == ("GPL-2.0-only",)
    assert info.is_open
    assert info.category is Category.COPYLEFT


def test_a_licence_used_as_an_exception_is_noted() -> None:
    info = classify_license("MIT WITH Apache-2.0")
    assert any("not an exception" in note for note in info.notes)


def test_nesting_is_rendered_with_parentheses_where_needed() -> None:
    info = classify_license("(mit or apache-2.0) and cc-by-4.0")
    assert info.expression == "(MIT OR Apache-2.0) AND CC-BY-4.0"
    assert info.is_open
    assert not info.osi_approved  # CC-BY-4.0 is not an OSI licence, but it is open data


def test_ids_are_normalised_to_spdx_case_and_deprecated_ids_replaced() -> None:
    info = classify_license("gpl-3.0 OR bsd-3-clause")
    assert info.expression == "GPL-3.0-only OR BSD-3-Clause"


def test_an_unknown_part_makes_an_and_unknown() -> None:
    info = classify_license("MIT AND LicenseRef-acme")
    assert info.category is Category.UNKNOWN
    assert not info.is_open
    assert info.expression == "MIT AND LicenseRef-acme"


def test_an_unknown_choice_does_not_spoil_an_or() -> None:
    info = classify_license("MIT OR LicenseRef-acme")
    assert info.is_open


def test_multi_word_names_inside_an_expression_are_read_as_names() -> None:
    info = classify_license("Apache License 2.0 OR MIT License")
    assert info.expression == "Apache-2.0 OR MIT"


def test_hub_ids_inside_an_expression_are_read() -> None:
    assert classify_license("apache-2.0 AND llama3.2").category is Category.RESTRICTS_USE


@pytest.mark.parametrize("text", ["MIT AND", "(MIT", "MIT)", "AND MIT", "MIT OR OR Apache-2.0", "MIT WITH"])
def test_malformed_expressions_raise_a_clear_error(text: str) -> None:
    from osaid_guard import LicenseError

    with pytest.raises(LicenseError, match="not a valid SPDX licence expression") as caught:
        classify_license(text)
    assert repr(text) in str(caught.value)
    assert caught.value.field == "license"
