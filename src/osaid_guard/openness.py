"""Judge a model's openness from its evidence: the weights' licence, OSAID, the MOF, its lineage.

Every judgement names the facts it used. What Hub metadata cannot show is
``unknown``, never ``met``: see docs/assessment.md for what each heuristic
reads and where it can be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from osaid_guard.errors import LicenseError
from osaid_guard.licenses import classify_license, identify_license_text
from osaid_guard.model import (
    Assessment,
    Category,
    Component,
    DatasetRecord,
    EvidenceProblem,
    Fact,
    Finding,
    LicenseInfo,
    ModelRecord,
    Status,
)
from osaid_guard.policy.model import WEIGHT_PATTERNS
from osaid_guard.sources.card import substantive

OPEN_LIBRARIES = frozenset(
    {
        "transformers", "diffusers", "sentence-transformers", "timm", "peft", "adapter-transformers",
        "open_clip", "gguf", "llama.cpp", "mlx", "onnx", "keras", "tf-keras", "spacy", "flair", "fastai",
        "sklearn", "scikit-learn", "setfit", "span-marker", "stable-baselines3", "speechbrain", "nemo",
        "espnet", "pyannote-audio", "paddlenlp", "transformers.js", "allennlp", "fasttext", "lerobot",
        "vllm", "sample-factory", "ml-agents", "asteroid", "bertopic", "pytorch", "tensorflowtts",
    }
)  # fmt: skip
"""Hub ``library_name`` values of open-source libraries that run the model (OSAID: inference code)."""


@dataclass(frozen=True)
class MofSpec:
    """One MOF component as the Model Openness Tool defines it."""

    id: int
    name: str
    content: str
    """``code``, ``data`` or ``document``: which global licence applies when the component has none."""
    mof_class: int
    required: bool = True


MOF_COMPONENTS = (
    MofSpec(9, "Model architecture", "code", 3),
    MofSpec(10, "Model parameters (Final)", "data", 3),
    MofSpec(12, "Evaluation results", "document", 3),
    MofSpec(13, "Model card", "document", 3),
    MofSpec(14, "Data card", "document", 3),
    MofSpec(11, "Technical report", "document", 3),
    MofSpec(20, "Sample model outputs", "document", 3, required=False),
    MofSpec(7, "Training code", "code", 2),
    MofSpec(8, "Inference code", "code", 2),
    MofSpec(18, "Evaluation code", "code", 2),
    MofSpec(19, "Evaluation data", "data", 2),
    MofSpec(22, "Supporting libraries and tools", "code", 2, required=False),
    MofSpec(15, "Datasets", "data", 1),
    MofSpec(16, "Data preprocessing code", "code", 1),
    MofSpec(24, "Model parameters (Intermediate)", "data", 1),
    MofSpec(21, "Research paper", "document", 1),
    MofSpec(17, "Model metadata", "data", 1, required=False),
)
"""The 17 components of the Model Openness Tool, with its ids (REFERENCE: MOT mof.settings.yml)."""


def assess(record: ModelRecord) -> Assessment:
    """Judge one model and, recursively, its base models."""
    if record.commit is None and not record.facts:
        return _not_assessed(record)
    findings: list[Finding] = []
    license_info, license_evidence = weights_license(record, findings)
    datasets = tuple(_dataset_status(dataset) for dataset in record.datasets)
    osaid = _osaid(record, license_info, license_evidence, datasets)
    mof = _mof(record, license_info, datasets)
    mof_class, blockers = _mof_class(mof)
    bases = tuple(assess(base) for base in record.bases)
    findings += _lineage_findings(record, license_info, bases)
    findings += [
        Finding("unreadable-evidence", error.message, (error.source,))
        for error in record.errors
        if error.kind is EvidenceProblem.UNREADABLE
    ]
    unmet = [element for element in osaid if element.status is Status.UNMET]
    unknown = [element for element in osaid if element.status is Status.UNKNOWN]
    relation = record.first("base_model_relation")
    return Assessment(
        ref=record.ref,
        commit=record.commit,
        license=license_info,
        license_evidence=license_evidence,
        osaid=osaid,
        osaid_compliant=False if unmet else None if unknown else True,
        mof_components=mof,
        mof_class=mof_class,
        mof_blockers=blockers,
        datasets=datasets,
        findings=tuple(findings),
        errors=record.errors,
        bases=bases,
        base_relation=str(relation.value) if relation else None,
    )


def _not_assessed(record: ModelRecord) -> Assessment:
    """Nothing could be read: every element and component is unknown, the errors say why."""
    why = "no evidence could be read"
    unknown = Status.UNKNOWN
    return Assessment(
        ref=record.ref,
        commit=None,
        license=None,
        license_evidence=(),
        osaid=tuple(Component(name, unknown, why) for name in ("Parameters", "Code", "Data Information")),
        osaid_compliant=None,
        mof_components=tuple(Component(spec.name, unknown, why) for spec in MOF_COMPONENTS),
        mof_class=None,
        mof_blockers=tuple(spec.name for spec in MOF_COMPONENTS if spec.required and spec.mof_class == 3),
        datasets=(),
        findings=(),
        errors=record.errors,
    )


# --- the weights' licence -----------------------------------------------------------------------


def weights_license(record: ModelRecord, findings: list[Finding]) -> tuple[LicenseInfo | None, tuple[str, ...]]:
    """The licence of the weights: attested, else the card's, cross-checked with the LICENSE file and tag.

    When the card and the LICENSE file name different licences, both apply (``AND``):
    a contradiction never makes a model look more open than either source says.
    """
    attested = next((f for f in record.all("license") if f.source.startswith("policy:")), None)
    if attested is not None:
        return _classified(attested.value, None, None, findings, attested.source), (attested.source,)
    # Plugins add evidence, but never the weights' licence: only the card, its files and the policy say it.
    card = next((f for f in record.all("license") if not f.source.startswith(("policy:", "plugin:"))), None)
    name, link = _core(record, "license_name"), _core(record, "license_link")
    declared: LicenseInfo | None = None
    evidence: list[str] = []
    if card is not None or name is not None or link is not None:
        declared = _classified(
            card.value if card else None,
            name.value if name else None,
            link.value if link else None,
            findings,
            card.source if card else "card",
        )
        evidence += [fact.source for fact in (card, name, link) if fact is not None]
    file_fact, from_file = _license_file(record)
    tag = _core(record, "license_tag")
    if declared is None and tag is not None:
        declared = _classified(tag.value, None, None, findings, tag.source)
        evidence.append(tag.source)
    if from_file is None or file_fact is None:
        return declared, tuple(evidence)
    evidence.append(file_fact.source)
    if declared is None or declared.category is Category.UNKNOWN or declared.ambiguous:
        return from_file, tuple(evidence)  # the file says what the card could not
    if set(declared.ids) != set(from_file.ids):
        findings.append(
            Finding(
                "license-conflict",
                f"the card declares {declared.expression} but {file_fact.source.removeprefix('file:')} "
                f"is {from_file.expression}; both are taken to apply",
                tuple(evidence),
            )
        )
        combined = classify_license(f"({declared.expression}) AND ({from_file.expression})")
        return combined, tuple(evidence)
    return declared, tuple(evidence)


def _core(record: ModelRecord, key: str) -> Fact | None:
    """The first fact of this key not contributed by a plugin."""
    return next((fact for fact in record.all(key) if not fact.source.startswith("plugin:")), None)


def _classified(value: object, name: object, link: object, findings: list[Finding], source: str) -> LicenseInfo | None:
    try:
        return classify_license(value, license_name=name, license_link=link)
    except LicenseError as error:
        findings.append(Finding("unreadable-license", str(error), (source,)))
        return None


def _license_file(record: ModelRecord) -> tuple[Fact | None, LicenseInfo | None]:
    for fact in record.all("license_file"):
        if fact.source.startswith("plugin:"):
            continue
        if isinstance(fact.value, str):
            found = identify_license_text(fact.value)
            if found is not None:
                return fact, found
    return None, None


# --- OSAID ------------------------------------------------------------------------------------------


def _osaid(
    record: ModelRecord,
    license_info: LicenseInfo | None,
    license_evidence: tuple[str, ...],
    datasets: tuple[tuple[str, LicenseInfo | None, str], ...],
) -> tuple[Component, ...]:
    return (
        _parameters(license_info, license_evidence),
        _code(record),
        _data_information(record, datasets),
    )


def _parameters(info: LicenseInfo | None, evidence: tuple[str, ...]) -> Component:
    name = "Parameters"
    if info is None or info.category is Category.UNKNOWN or info.expression == "NOASSERTION":
        return Component(name, Status.UNKNOWN, "no licence for the weights could be read", evidence)
    if info.restricts_use:
        restricted = ", ".join(r.value for r in info.restrictions) or info.category.value
        return Component(
            name, Status.UNMET, f"{info.expression} restricts use ({restricted})", evidence, info.expression
        )
    if info.is_open:
        kind = "OSI-approved" if info.osi_approved else "open-data terms without use restrictions"
        return Component(name, Status.MET, f"{info.expression}: {kind}", evidence, info.expression)
    return Component(
        name, Status.UNMET, f"{info.expression} is not under OSI-approved terms", evidence, info.expression
    )


def _code(record: ModelRecord) -> Component:
    name = "Code"
    training = record.all("training_code") or record.all("code_repository")
    library = record.first("library_name")
    inference = record.all("inference_code") or (
        (library,) if library is not None and str(library.value).lower() in OPEN_LIBRARIES else ()
    )
    evidence = tuple(fact.source for fact in (*training[:1], *inference[:1]))
    for key in ("training_code_license", "inference_code_license"):
        attested = record.first(key)
        if attested is not None:
            info = _classified(attested.value, None, None, [], attested.source)
            if info is not None and not info.osi_approved:
                return Component(
                    name,
                    Status.UNMET,
                    f"{key.replace('_', ' ')} {info.expression} is not OSI-approved",
                    (*evidence, attested.source),
                    info.expression,
                )
    if training and inference:
        return Component(
            name, Status.MET, f"training code {training[0].value}; runs with {inference[0].value}", evidence
        )
    missing = " and ".join(
        what
        for what, found in (("training code", training), ("an open-source inference library", inference))
        if not found
    )
    return Component(name, Status.UNKNOWN, f"no link to {missing} found (an attestation can supply it)", evidence)


def _data_information(record: ModelRecord, datasets: tuple[tuple[str, LicenseInfo | None, str], ...]) -> Component:
    name = "Data Information"
    obtainable = [dataset for dataset, _, status in datasets if status != "missing"]
    section = record.first("training_data")
    described = section is not None and isinstance(section.value, str) and substantive(section.value)
    data_card = record.first("data_card")
    evidence = tuple(
        [f"dataset:{dataset}" for dataset in obtainable]
        + ([section.source] if described and section else [])
        + ([data_card.source] if data_card else [])
    )
    if obtainable or data_card is not None:
        what = ", ".join(obtainable) if obtainable else str(data_card.value if data_card else "")
        return Component(name, Status.MET, f"training data declared: {what}", evidence)
    if described:
        return Component(
            name,
            Status.UNKNOWN,
            "the card describes its training data but names no dataset to obtain it from",
            evidence,
        )
    if datasets:
        return Component(name, Status.UNKNOWN, "the declared datasets could not be found", evidence)
    return Component(name, Status.UNMET, "no training data declared and no Training Data section", evidence)


# --- datasets -------------------------------------------------------------------------------------


def _dataset_status(dataset: DatasetRecord) -> tuple[str, LicenseInfo | None, str]:
    if any(error.kind is EvidenceProblem.NOT_FOUND for error in dataset.errors):
        return dataset.repo_id, None, "missing"
    facts = {fact.key: fact.value for fact in reversed(dataset.facts)}
    value = facts.get("license", facts.get("license_tag"))
    if value is None and "license_name" not in facts:
        return dataset.repo_id, None, "unknown"
    try:
        info = classify_license(value, license_name=facts.get("license_name"), license_link=facts.get("license_link"))
    except LicenseError:
        return dataset.repo_id, None, "unknown"
    if info.category is Category.UNKNOWN:
        return dataset.repo_id, info, "unknown"
    return dataset.repo_id, info, "open" if info.is_open else "not-open"


# --- MOF ------------------------------------------------------------------------------------------


def _mot_open(info: LicenseInfo | None) -> bool | None:
    """The MOT's notion of open: OSI-approved, FSF-libre or an open-data licence (None: unknown)."""
    if info is None or info.category is Category.UNKNOWN:
        return None
    if info.is_open:
        return True
    return (
        bool(info.licenses)
        and not info.restricts_use
        and all(lic.osi_approved or lic.fsf_libre or lic.open_data for lic in info.licenses if not lic.is_exception)
    )


def _mof(
    record: ModelRecord, weights: LicenseInfo | None, datasets: tuple[tuple[str, LicenseInfo | None, str], ...]
) -> tuple[Component, ...]:
    if record.all("mof_component"):
        return _mof_from_entry(record)
    library = record.first("library_name")
    listed: dict[int, tuple[str, tuple[Fact, ...]]] = {}

    def found(component: int, what: str, facts: tuple[Fact, ...]) -> None:
        if facts and component not in listed:
            listed[component] = (what, facts)

    config = tuple(f for f in record.all("file") if str(f.value) == "config.json")
    found(9, "config.json describes the architecture", config or ((library,) if library else ()))
    weights_files = tuple(f for f in record.all("file") if _is_weights(str(f.value)))
    found(10, f"{len(weights_files)} weight file(s)", weights_files)
    eval_files = tuple(f for f in record.all("file") if str(f.value).startswith(".eval_results/"))
    found(12, "evaluation results", record.all("evaluation_results") or eval_files)
    evaluation = record.first("evaluation")
    if evaluation is not None and isinstance(evaluation.value, str) and substantive(evaluation.value):
        found(12, "an Evaluation section", (evaluation,))
    found(13, "README.md", record.all("model_card"))
    dataset_cards = tuple(f for d in record.datasets for f in d.facts if f.key == "data_card")
    found(14, "data card(s) of the declared datasets", record.all("data_card") or dataset_cards)
    found(11, "technical report", record.all("technical_report"))
    found(11, "research paper standing in for a technical report", record.all("paper") + record.all("arxiv"))
    found(7, "training code", record.all("training_code") or record.all("code_repository"))
    inference = record.all("inference_code")
    if not inference and library is not None and str(library.value).lower() in OPEN_LIBRARIES:
        inference = (library,)
    found(8, "inference code", inference)
    found(18, "evaluation code", record.all("evaluation_code"))
    found(19, "evaluation datasets named in model-index", record.all("evaluation_dataset"))
    found(22, "supporting library", (library,) if library else ())
    checkpoints = (
        record.all("checkpoint_branch")
        + record.all("intermediate_checkpoints")
        + tuple(f for f in record.all("file") if str(f.value).split("/")[0].startswith(("checkpoint-", "step")))
    )
    found(24, "intermediate checkpoints", checkpoints)
    found(16, "data preprocessing code", record.all("data_preprocessing_code"))
    found(21, "research paper", record.all("paper") + record.all("arxiv"))
    found(17, "card metadata", record.all("license") + record.all("library_name"))
    components = []
    for spec in MOF_COMPONENTS:
        if spec.id == 15:
            components.append(_datasets_component(spec, datasets))
            continue
        if spec.id not in listed:
            components.append(Component(spec.name, Status.UNKNOWN, "no evidence found in the card or the repository"))
            continue
        what, facts = listed[spec.id]
        info = _component_license(record, spec, weights)
        evidence = tuple(dict.fromkeys(fact.source for fact in facts))
        is_open = _mot_open(info)
        expression = info.expression if info else None
        if is_open is None:
            components.append(Component(spec.name, Status.UNKNOWN, f"{what}, under no known licence", evidence))
        elif is_open:
            components.append(Component(spec.name, Status.MET, f"{what}, under {expression}", evidence, expression))
        else:
            components.append(
                Component(
                    spec.name, Status.UNMET, f"{what}, but {expression} is not an open licence", evidence, expression
                )
            )
    return tuple(components)


def _mof_from_entry(record: ModelRecord) -> tuple[Component, ...]:
    """Components from an authoritative entry (the Model Openness Tool): listed or not, and under what.

    Each fact is (component, licence resolved the MOT's way, the MOT's exact status). A component
    the entry does not list was not released. Licences are read the osaid-guard way, so a loosely
    written name ("Apache 2.0") counts as what it means; where that differs from the MOT's exact
    reading, the component says so.
    """
    listed: dict[str, tuple[str, str, str]] = {}
    for entry in record.all("mof_component"):
        if isinstance(entry.value, tuple) and len(entry.value) == 3:
            listed.setdefault(str(entry.value[0]), (str(entry.value[1]), str(entry.value[2]), entry.source))
    components = []
    for spec in MOF_COMPONENTS:
        if spec.name not in listed:
            components.append(Component(spec.name, Status.UNMET, "not listed in its Model Openness Tool entry"))
            continue
        licence, mot_status, source = listed[spec.name]
        evidence = (source,)
        if not licence:
            components.append(Component(spec.name, Status.UNMET, "listed without a licence (unlicensed)", evidence))
            continue
        is_open = _mot_open(_classified(licence, None, None, [], source))
        status = Status.MET if is_open else Status.UNMET
        why = f"listed under {licence}" + ("" if is_open else ", not an open licence")
        if (mot_status == "included") != bool(is_open):
            why += f" (the MOT, matching ids exactly, counts it as {mot_status})"
        components.append(Component(spec.name, status, why, evidence, licence))
    return tuple(components)


def _component_license(record: ModelRecord, spec: MofSpec, weights: LicenseInfo | None) -> LicenseInfo | None:
    """As the MOT: the component's own licence, else the release's licence (the card's)."""
    own = {7: "training_code_license", 8: "inference_code_license"}.get(spec.id)
    fact = record.first(own) if own else None
    if fact is not None:
        return _classified(fact.value, None, None, [], fact.source)
    return weights


def _datasets_component(spec: MofSpec, datasets: tuple[tuple[str, LicenseInfo | None, str], ...]) -> Component:
    if not datasets:
        return Component(spec.name, Status.UNKNOWN, "no datasets declared")
    evidence = tuple(f"dataset:{name}" for name, _, _ in datasets)
    closed = [f"{name} ({info.expression if info else status})" for name, info, status in datasets if status != "open"]
    if not closed:
        return Component(spec.name, Status.MET, "every declared dataset is under an open licence", evidence)
    if any(status == "not-open" for _, _, status in datasets):
        return Component(spec.name, Status.UNMET, f"not open: {', '.join(closed)}", evidence)
    return Component(spec.name, Status.UNKNOWN, f"licence unknown: {', '.join(closed)}", evidence)


def _mof_class(components: tuple[Component, ...]) -> tuple[int | None, tuple[str, ...]]:
    """The highest class whose required components (cumulative) are all met, and what blocks the next."""
    status = {component.name: component.status for component in components}
    achieved: int | None = None
    for mof_class in (3, 2, 1):
        required = [spec.name for spec in MOF_COMPONENTS if spec.required and spec.mof_class >= mof_class]
        missing = [name for name in required if status[name] is not Status.MET]
        if missing:
            return achieved, tuple(missing)
        achieved = mof_class
    return achieved, ()


def _is_weights(filename: str) -> bool:
    name = filename.rsplit("/", 1)[-1].lower()
    return any(fnmatchcase(name, pattern) for pattern in WEIGHT_PATTERNS)


# --- lineage ---------------------------------------------------------------------------------------


def _lineage_findings(record: ModelRecord, info: LicenseInfo | None, bases: tuple[Assessment, ...]) -> list[Finding]:
    findings = []
    for base in bases:
        base_info = base.license
        if info is None or base_info is None or base_info.category is Category.UNKNOWN:
            continue
        more_open = (info.is_open and not base_info.is_open) or info.category.rank < base_info.category.rank
        if more_open:
            findings.append(
                Finding(
                    "license-laundering",
                    f"declares {info.expression} ({info.category.value}) but its base model {base.ref.repo_id} is "
                    f"under {base_info.expression} ({base_info.category.value}); a derivative cannot be more open",
                    (f"base_model:{base.ref.repo_id}",),
                )
            )
    return findings
