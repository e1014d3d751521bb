"""``import osaid_guard.auto``: guard every Hub download of this process under the discovered policy."""

from __future__ import annotations

from osaid_guard.guard import install

install()
