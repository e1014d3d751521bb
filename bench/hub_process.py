"""Run the tests' local Hub server in its own process, so benchmarks measure the client, not the server.

Usage: ``python bench/hub_process.py ROOT DELAY`` prints the server's URL, then serves until stdin closes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hub.server import HubServer


def main() -> None:
    root, delay = Path(sys.argv[1]), float(sys.argv[2])
    server = HubServer(root).start()
    if delay:
        server.inject(r"^/(api/(models|datasets)/|[^/]+/[^/]+/resolve/)", delay=delay)
    print(server.url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
