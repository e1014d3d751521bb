"""How fast a policy loads: a 200-exception policy against the target of 10 ms, and a bare TOML parse.

Run: ``python bench/bench_policy.py``. Exits 1 when the target is missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 10.0


def policy_text(exceptions: int) -> str:
    lines = [
        "[tool.osaid-guard]",
        'mode = "enforce"',
        'require = "osaid"',
        'allow-licenses = ["osi-approved", "open-data", "MIT OR Apache-2.0"]',
        'deny-licenses = ["non-commercial", "restricts-use", "CC-BY-NC-4.0"]',
        'allow-repos = ["allenai/*", "EleutherAI/*"]',
    ]
    for index in range(exceptions):
        lines += [
            "[[tool.osaid-guard.exceptions]]",
            f'repo = "org-{index}/model-{index}"',
            f'revision = "{index:040x}"',
            f'reason = "ticket {index}"',
            'approved-by = "legal@example.org"',
            "expires = 2027-06-30",
        ]
    return "\n".join(lines) + "\n"


def median_ms(function: object, repeat: int = 25) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def main() -> int:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    from osaid_guard.licenses import classify_license
    from osaid_guard.policy import POLICY_VARIABLE, current_policy, load_policy

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "pyproject.toml"
        text = policy_text(200)
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        classify_license("mit")
        print(f"licence index, built once per process:       {(time.perf_counter() - start) * 1e3:6.2f} ms")
        parse = median_ms(lambda: tomllib.loads(text))
        load = median_ms(lambda: load_policy(path))
        ok = load < TARGET_MS
        print(f"tomllib parse of the file (baseline):        {parse:6.2f} ms")
        print(
            f"load + validate, 200 exceptions:             {load:6.2f} ms ({load / parse:.2f}x the bare parse)"
            f"  target < {TARGET_MS:.0f} ms: {'ok' if ok else 'MISSED'}"
        )
        os.environ[POLICY_VARIABLE] = str(path)
        current_policy()
        cached = median_ms(lambda: [current_policy() for _ in range(1000)]) / 1000 * 1e3
        print(f"current_policy(), discovered once and cached: {cached:6.2f} µs per call")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
