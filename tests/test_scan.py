"""Finding model references in code without running it."""

from __future__ import annotations

import json
from pathlib import Path

from osaid_guard.scan import Reference, scan

PYTHON = """
import timm
from huggingface_hub import hf_hub_download, snapshot_download
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer, pipeline

BASE = "meta-llama/Llama-3.1-8B"
EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"


def load(name):
    model = AutoModel.from_pretrained("allenai/OLMo-2-1124-7B", revision="main")
    tokenizer = AutoTokenizer.from_pretrained(BASE)
    generator = pipeline("text-generation", model="mistralai/Mistral-7B-v0.1")
    classifier = pipeline(task="sentiment-analysis", model=name)
    path = hf_hub_download(repo_id="org/weights", filename="model.safetensors")
    folder = snapshot_download("org/snapshot@v2")
    embedder = SentenceTransformer(EMBEDDER)
    vit = timm.create_model("hf-hub:timm/vit_base_patch16_224.augreg_in21k", pretrained=True)
    resnet = timm.create_model("resnet50")
    local = AutoModel.from_pretrained("./checkpoints/final")
    dynamic = AutoModel.from_pretrained(f"org/{name}")
    legacy = AutoModel.from_pretrained("bert-base-uncased")
    return model
"""


def found(references: list[Reference]) -> list[tuple[int, str | None, str | None, str]]:
    return [(r.line, r.repo_id, r.revision, r.call) for r in references if r.repo_id]


def test_python_calls_constants_and_revisions(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(PYTHON, encoding="utf-8")
    references = scan([tmp_path])
    assert found(references) == [
        (12, "allenai/OLMo-2-1124-7B", "main", "from_pretrained"),
        (13, "meta-llama/Llama-3.1-8B", None, "from_pretrained"),
        (14, "mistralai/Mistral-7B-v0.1", None, "pipeline"),
        (16, "org/weights", None, "hf_hub_download"),
        (17, "org/snapshot", "v2", "snapshot_download"),
        (18, "sentence-transformers/all-MiniLM-L6-v2", None, "SentenceTransformer"),
        (19, "timm/vit_base_patch16_224.augreg_in21k", None, "create_model"),
        (23, "bert-base-uncased", None, "from_pretrained"),
    ]
    dynamic = [(r.line, r.dynamic) for r in references if r.dynamic]
    assert dynamic == [(15, "name"), (22, "f'org/{name}'")]
    assert [(r.line, r.path) for r in references if r.path] == [(21, "./checkpoints/final")]
    first = references[0]
    assert (first.file, first.column) == (str(tmp_path / "train.py"), 39)  # 1-based, at the literal


def test_notebooks_report_cell_and_line(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# from_pretrained('not/code')"]},
            {"cell_type": "code", "source": ["!pip install transformers\n", "from transformers import AutoModel\n",
                                             "m = AutoModel.from_pretrained('google/gemma-2-2b')\n"]},
        ]
    }  # fmt: skip
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (reference,) = scan([tmp_path])
    assert (reference.repo_id, reference.cell, reference.line) == ("google/gemma-2-2b", 2, 3)


def test_configs_with_their_lines(tmp_path: Path) -> None:
    (tmp_path / "train.yaml").write_text(
        "run:\n  epochs: 3\nmodel_name_or_path: Qwen/Qwen2.5-7B\nmodel: resnet50\noptim: adamw\n"
        "teacher_model: org/teacher\n",
        encoding="utf-8",
    )
    (tmp_path / "config.json").write_text('{\n  "base_model": "org/base",\n  "model": "gpt-4"\n}\n')
    (tmp_path / "axolotl.toml").write_text('[model]\nmodel_id = "org/from-toml"\n', encoding="utf-8")
    references = {r.repo_id: (Path(r.file).name, r.line, r.column) for r in scan([tmp_path])}
    assert references == {
        "Qwen/Qwen2.5-7B": ("train.yaml", 3, 21),
        "org/teacher": ("train.yaml", 6, 16),
        "org/base": ("config.json", 2, 18),
        "org/from-toml": ("axolotl.toml", 2, 13),
    }  # "resnet50" and "gpt-4" are not Hub ids: only *_name_or_path keys take bare names


def test_noise_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.py").write_text('AutoModel.from_pretrained("org/hidden")\n')
    (tmp_path / "broken.py").write_text("def from_pretrained(:\n")
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "plain.py").write_text("print('hello')\n")
    assert scan([tmp_path]) == []
