"""Run the tests' local Hub server in its own process, so benchmarks measure the client, not the server.

Usage: ``python bench/hub_process.py ROOT DELAY`` prints the server's URL, then serves until stdin closes;
benchmarks use :func:`hub_process`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hub.server import HubServer


@contextmanager
def hub_process(root: Path, delay: float, hf_home: Path) -> Iterator[str]:
    """Serve ``root`` from another process with ``delay`` per request; point huggingface_hub at it."""
    server = subprocess.Popen(
        [sys.executable, __file__, str(root), str(delay)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        os.environ["HF_ENDPOINT"] = url
        os.environ["HF_HOME"] = str(hf_home)
        yield url
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


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
