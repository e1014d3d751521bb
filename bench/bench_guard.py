"""What the guard costs, measured in one run against the unguarded calls.

Run: ``python bench/bench_guard.py``. Targets:

* a download whose decision is known adds under 50 us per call, and a guarded ``hf_hub_download``
  of a cached file is within 1.05x of the unguarded one;
* ``import osaid_guard`` under 15 ms, and the autoload hook under 1 ms at start-up for a process
  that never imports huggingface_hub;
* a transformers ``from_pretrained`` of a cached tiny model within 1.10x of the unguarded one.

The local Hub runs in another process. Exits 1 when a target is missed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS: list[bool] = []


def report(label: str, value: str, ok: bool | None = None) -> None:
    verdict = "" if ok is None else f"  {'ok' if ok else 'MISSED'}"
    print(f"{label:<58} {value}{verdict}")
    if ok is not None:
        RESULTS.append(ok)


def per_call(function: Callable[[], object], number: int, repeat: int = 9) -> float:
    """Median seconds per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def startup(env: dict[str, str], code: str = "pass", runs: int = 40) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    from tests.hub.builders import HubRepos

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        repos = HubRepos(root / "hub")
        repos.model("org/open", {"license": "mit"}, "# open\n")
        from bench.hub_process import hub_process

        with hub_process(root / "hub", 0, root / "hf-home"):
            os.environ["OSAID_GUARD_STORE"] = str(root / "store")
            os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
            measure_downloads()
            measure_startup()
            measure_transformers(root, repos)
    return 0 if all(RESULTS) else 1


def measure_downloads() -> None:
    from huggingface_hub import hf_hub_download, try_to_load_from_cache

    import osaid_guard
    from osaid_guard.policy import Policy

    commit = Path(hf_hub_download("org/open", "model.safetensors")).parent.name
    calls = {
        "hf_hub_download of a cached file": lambda: hf_hub_download("org/open", "model.safetensors", revision=commit),
        "try_to_load_from_cache hit": lambda: try_to_load_from_cache("org/open", "model.safetensors", revision=commit),
    }
    for label, call in calls.items():
        plain, guarded = [], []
        for _ in range(15):  # alternate, so both see the same machine
            osaid_guard.uninstall()
            call()
            plain.append(per_call(call, 1000, repeat=1))
            osaid_guard.install(Policy())
            call()  # decided once (one metadata round trip), then known
            guarded.append(per_call(call, 1000, repeat=1))
        osaid_guard.uninstall()
        plain_call, guarded_call = statistics.median(plain), statistics.median(guarded)
        added = (guarded_call - plain_call) * 1e6
        report(f"{label}, unguarded", f"{plain_call * 1e6:8.1f} us")
        report(
            f"{label}, guarded (decision known)",
            f"{guarded_call * 1e6:8.1f} us  ({guarded_call / plain_call:.3f}x, +{added:.1f} us)",
            added < 50 and (guarded_call / plain_call <= 1.05 or "try_to_load" in label),
        )


def measure_startup() -> None:
    env = {key: value for key, value in os.environ.items() if key != "OSAID_GUARD_AUTOLOAD"}
    importtime = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import osaid_guard"], env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    line = next(line for line in importtime.stderr.splitlines() if line.rstrip().endswith("| osaid_guard"))
    cost = int(line.split("|")[1]) / 1000
    report("import osaid_guard (-X importtime, cumulative)", f"{cost:8.2f} ms", cost < 15)
    offs, ons = [], []
    for _ in range(5):
        offs.append(startup(env, runs=10))
        ons.append(startup({**env, "OSAID_GUARD_AUTOLOAD": "1"}, runs=10))
    off, on = statistics.median(offs), statistics.median(ons)
    added = (on - off) * 1e3
    report("interpreter start-up, autoload off", f"{off * 1e3:8.2f} ms")
    report(
        "interpreter start-up, autoload on, huggingface_hub never imported",
        f"{on * 1e3:8.2f} ms  (+{added:.2f} ms)",
        added < 1.0,
    )


def measure_transformers(root: Path, repos: object) -> None:
    try:
        import transformers  # noqa: F401
    except ImportError:
        report("transformers from_pretrained", "skipped: transformers is not installed")
        return
    from huggingface_hub import snapshot_download
    from tests.hub.models import tiny_bert

    import osaid_guard
    from osaid_guard.policy import Policy

    files = {path.name: path.read_bytes() for path in tiny_bert(root / "tiny-bert").iterdir()}
    repos.model("org/tiny-bert", {"license": "apache-2.0"}, "# tiny\n", weights=False, files=files)  # type: ignore[attr-defined]
    snapshot_download("org/tiny-bert")
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    load = lambda: AutoModel.from_pretrained("org/tiny-bert")  # noqa: E731
    load()
    plain, guarded = [], []
    for _ in range(7):
        osaid_guard.uninstall()
        load()  # (un)installing renews the HTTP client: warm both sides alike
        plain.append(per_call(load, 5, repeat=1))
        osaid_guard.install(Policy())
        load()
        guarded.append(per_call(load, 5, repeat=1))
    osaid_guard.uninstall()
    plain_load, guarded_load = statistics.median(plain), statistics.median(guarded)
    report("transformers from_pretrained of a cached tiny model, unguarded", f"{plain_load * 1e3:8.2f} ms")
    report(
        "transformers from_pretrained of a cached tiny model, guarded",
        f"{guarded_load * 1e3:8.2f} ms  ({guarded_load / plain_load:.3f}x)",
        guarded_load / plain_load <= 1.10,
    )


if __name__ == "__main__":
    sys.exit(main())
