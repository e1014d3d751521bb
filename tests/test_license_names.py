"""Licence names in free text, `license: other` with license_name and license_link."""

from __future__ import annotations

import pytest

from osaid_guard import Category, classify_license


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("Apache 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("Apache License 2.0", "Apache-2.0"),
        ("apache license v2", "Apache-2.0"),
        ("MIT License", "MIT"),
        ("The MIT License (MIT)", "MIT"),
        ("CC BY-NC 4.0", "CC-BY-NC-4.0"),
        ("Creative Commons Attribution-NonCommercial 4.0 International", "CC-BY-NC-4.0"),
        ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"),
        ("GPLv3", "GPL-3.0-only"),
        ("GNU General Public License v3.0 or later", "GPL-3.0-or-later"),
        ("BSD 3-Clause", "BSD-3-Clause"),
        ("Llama 3.1 Community License Agreement", "LicenseRef-scancode-llama-3.1-license-2024"),
        ("Meta Llama 3 Community License Agreement", "LicenseRef-osaid-guard-llama-3"),
        ("LLAMA 2 COMMUNITY LICENSE AGREEMENT", "LicenseRef-scancode-llama-2-license-2023"),
        ("Gemma Terms of Use", "LicenseRef-scancode-gemma-tou-2024-04-01"),
        ("tongyi-qianwen", "LicenseRef-scancode-tongyi-qianwen-2023"),
        ("qwen-research", "LicenseRef-osaid-guard-qwen-research"),
        ("flux-1-dev-non-commercial-license", "LicenseRef-scancode-flux-1-nc"),
        ("nvidia-open-model-license", "LicenseRef-scancode-nvidia-open-model-2025-04-28"),
        ("stabilityai-ai-community", "LicenseRef-scancode-stability-ai-community-2024"),
    ],
)
def test_known_names_map_to_their_id(text: str, expression: str) -> None:
    info = classify_license(text)
    assert info.expression == expression
    assert info.source in ("license:name", "license:spdx", "license:hub-id")


def test_an_unrecognised_name_stays_a_licenseref_of_its_name_and_is_unknown() -> None:
    info = classify_license("ACME Model Licence v7 (internal)")
    assert info.expression == "LicenseRef-ACME-Model-Licence-v7-internal"
    assert info.licenses[0].name == "ACME Model Licence v7 (internal)"
    assert info.category is Category.UNKNOWN
    assert not info.is_open
    assert any("not recognised" in note for note in info.notes)


def test_lowercase_words_in_a_name_do_not_make_it_an_expression() -> None:
    info = classify_license("Research and Education Licence")
    assert info.expression == "LicenseRef-Research-and-Education-Licence"


def test_other_reads_license_name() -> None:
    info = classify_license("other", license_name="Llama 3.1 Community License Agreement")
    assert info.expression == "LicenseRef-scancode-llama-3.1-license-2024"
    assert info.source == "license_name:name"


def test_license_name_may_be_a_hub_id() -> None:
    info = classify_license("other", license_name="llama3")
    assert info.expression == "LicenseRef-osaid-guard-llama-3"
    assert info.source == "license_name:hub-id"


def test_other_falls_back_to_license_link_when_the_name_is_unknown() -> None:
    info = classify_license(
        "other", license_name="my-licence", license_link="https://www.apache.org/licenses/LICENSE-2.0"
    )
    assert info.expression == "Apache-2.0"
    assert info.source == "license_link:url"


def test_an_unknown_name_with_an_unknown_link_keeps_the_name() -> None:
    info = classify_license("other", license_name="my-licence", license_link="https://example.com/terms")
    assert info.expression == "LicenseRef-my-licence"
    assert info.category is Category.UNKNOWN


@pytest.mark.parametrize(
    ("link", "expression"),
    [
        ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
        ("https://opensource.org/licenses/MIT", "MIT"),
        ("https://spdx.org/licenses/BSD-3-Clause.html", "BSD-3-Clause"),
        ("https://creativecommons.org/licenses/by-nc/4.0/legalcode", "CC-BY-NC-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://www.gnu.org/licenses/gpl-3.0.html", "GPL-3.0-only"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0"),
        ("https://llama.meta.com/llama3/license/", "LicenseRef-osaid-guard-llama-3"),
        ("https://ai.google.dev/gemma/terms", "LicenseRef-scancode-gemma-tou-2024-04-01"),
        ("http://www.llama.com/llama3_1/license", "LicenseRef-scancode-llama-3.1-license-2024"),
    ],
)
def test_license_link_urls_map_to_their_licence(link: str, expression: str) -> None:
    assert classify_license("other", license_link=link).expression == expression


@pytest.mark.parametrize(("link", "path"), [("LICENSE", "LICENSE"), ("./LICENSE.md", "LICENSE.md")])
def test_a_link_to_a_repository_file_asks_for_that_file(link: str, path: str) -> None:
    info = classify_license("other", license_link=link)
    assert info.license_file == path
    assert info.category is Category.UNKNOWN
    assert not info.is_open


def test_a_card_without_license_but_with_license_name_is_read() -> None:
    assert classify_license(license_name="MIT").expression == "MIT"
