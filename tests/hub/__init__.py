"""A local Hub-like server and repository builders for tests that drive the real huggingface_hub."""

from __future__ import annotations

from dataclasses import dataclass

from tests.hub.builders import HubRepos
from tests.hub.server import HubServer


@dataclass
class Hub:
    """The local Hub for one test: its server (log, faults) and a builder of repositories."""

    server: HubServer
    repos: HubRepos

    @property
    def url(self) -> str:
        return self.server.url
