"""How fast ``scan`` and ``audit`` are on large trees and caches, against plain reading of the same files.

Run: ``python bench/bench_ci.py``. Targets: scanning 2,000 Python files under 5 s on one core; auditing
500 cached models offline under 5 s. Prints each figure with its ratio to a baseline measured in the
same run (reading every file; huggingface_hub's own cache scan). Exits 1 when a target is missed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = 2000
MODELS = 500
TARGET_S = 5.0

PLAIN = '''"""Module {n}: data utilities."""
import os
import json


def load_{n}(path):
    with open(path) as handle:
        return json.load(handle)


class Loader{n}:
    def __init__(self, root):
        self.root = root

    def files(self):
        return sorted(os.listdir(self.root))
''' + "\n".join(f"def helper_{{n}}_{i}(x):\n    return x * {i} + len(str(x))\n" for i in range(20))

WITH_MODELS = '''"""Training step {n}."""
from transformers import AutoModel, AutoTokenizer, pipeline
from huggingface_hub import hf_hub_download

BASE = "org/model-{n}"


def build(name):
    model = AutoModel.from_pretrained(BASE, revision="main")
    tokenizer = AutoTokenizer.from_pretrained("org/tokenizer-{n}")
    classifier = pipeline("text-classification", model=name)
    weights = hf_hub_download(repo_id="org/weights-{n}", filename="model.safetensors")
    return model, tokenizer, classifier, weights
'''


def make_tree(root: Path) -> None:
    for n in range(FILES):
        package = root / f"package_{n // 100}"
        package.mkdir(parents=True, exist_ok=True)
        template = WITH_MODELS if n % 10 == 0 else PLAIN
        (package / f"module_{n}.py").write_text(template.format(n=n), encoding="utf-8")


def make_cache(cache: Path) -> None:
    """A Hugging Face cache of MODELS models, laid out as huggingface_hub lays it out (blobs, refs, snapshots)."""
    for n in range(MODELS):
        repo = cache / f"models--org--cached-{n}"
        commit = hashlib.sha1(f"cached-{n}".encode()).hexdigest()
        licence = ("apache-2.0", "mit", "cc-by-nc-4.0", "llama3.1")[n % 4]
        files = {
            "README.md": f"---\nlicense: {licence}\ndatasets:\n- org/data-{n}\n---\n# cached {n}\n".encode(),
            "config.json": json.dumps({"model_type": "bert"}).encode(),
        }
        (repo / "refs").mkdir(parents=True)
        (repo / "refs" / "main").write_text(commit)
        (repo / "blobs").mkdir()
        snapshot = repo / "snapshots" / commit
        snapshot.mkdir(parents=True)
        for name, content in files.items():
            blob = repo / "blobs" / hashlib.sha1(content).hexdigest()
            blob.write_bytes(content)
            (snapshot / name).symlink_to(os.path.relpath(blob, snapshot))


def timed(function: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()  # type: ignore[operator]
    return time.perf_counter() - start, result


def main() -> int:
    from osaid_guard.audit import audit
    from osaid_guard.policy import Policy
    from osaid_guard.policy.model import Mode
    from osaid_guard.scan import scan

    failed = False
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        make_tree(root / "tree")
        os.environ["OSAID_GUARD_STORE"] = str(root / "store")
        read_all, _ = timed(lambda: [path.read_text() for path in (root / "tree").rglob("*.py")])
        elapsed, references = timed(lambda: scan([root / "tree"]))
        ok = elapsed < TARGET_S
        failed |= not ok
        print(f"reading {FILES} Python files (baseline):          {read_all:6.2f} s")
        print(
            f"scan of {FILES} Python files:                     {elapsed:6.2f} s  ({elapsed / read_all:.1f}x reading; "
            f"{len(references)} references)  target < {TARGET_S:.0f} s: {'ok' if ok else 'MISSED'}"
        )

        make_cache(root / "cache")
        from huggingface_hub import scan_cache_dir

        baseline, _ = timed(lambda: scan_cache_dir(root / "cache"))
        elapsed, report = timed(lambda: audit(Policy(), Mode.ENFORCE, cache_dir=root / "cache", progress=False))
        ok = elapsed < TARGET_S
        failed |= not ok
        decisions: dict[str, int] = {}
        for verdict in report.verdicts:  # type: ignore[attr-defined]
            decisions[verdict.decision.value] = decisions.get(verdict.decision.value, 0) + 1
        print(f"huggingface_hub scan_cache_dir, {MODELS} models (baseline): {baseline:6.2f} s")
        print(
            f"audit of {MODELS} cached models, offline: {elapsed:6.2f} s  ({elapsed / baseline:.1f}x the scan; "
            f"{decisions})  target < {TARGET_S:.0f} s: {'ok' if ok else 'MISSED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
