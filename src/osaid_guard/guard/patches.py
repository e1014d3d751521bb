"""Where the guard sits inside huggingface_hub: four layers, each restored exactly on uninstall.

huggingface_hub has no download hook, so the guard wraps the narrowest points every
download path crosses (read ``docs/guard.md`` for the map):

1. ``file_download._hf_hub_download_to_cache_dir`` / ``_to_local_dir``: every
   ``hf_hub_download`` looks them up as module globals at call time, cache hits included.
2. ``try_to_load_from_cache`` and ``snapshot_download``: they hand out cached files
   without layer 1, and libraries bind them by name at import, so the function objects
   themselves are changed: their code becomes a trampoline into the guard (the original
   code runs from a clone), which every earlier reference and ``functools.partial`` sees.
3. ``HfFileSystem._open`` and ``HfFileSystem.get_file``.
4. Request and response hooks on huggingface_hub's shared HTTP client, through its public
   ``set_client_factory`` (itself trampolined, so a factory set later is composed too):
   ``/resolve/`` and Xet-token requests of refused repositories are stopped, and the commit
   actually served (``X-Repo-Commit``) must be one that was allowed.

Each layer describes the download as a :class:`~osaid_guard.guard.engine.Request` and asks
the current guard. :func:`self_check` verifies huggingface_hub's internals first.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote, urlsplit

from osaid_guard.errors import OpennessPolicyError
from osaid_guard.guard.engine import Guard, Request

Restore = Callable[[], None]

_HOOKS_NAME = "__osaid_guard_hooks__"
_SNAPSHOT_COMMIT = re.compile(r"[/\\]snapshots[/\\]([0-9a-f]{40})[/\\]")
_RESOLVE = re.compile(
    r"^/(?:(?P<type>datasets|spaces)/)?(?P<repo>[^/]+(?:/[^/]+)?)/resolve/(?P<revision>[^/]+)/(?P<file>.+)$"
)
_XET_TOKEN = re.compile(
    r"^/api/(?P<type>models|datasets|spaces)/(?P<repo>[^/]+(?:/[^/]+)?)/xet-read-token/(?P<revision>[^/]+)$"
)
_WEIGHT_PROBES = ("model.safetensors", "pytorch_model.bin", "model.gguf", "model.onnx", "tf_model.h5", "model.pt")

_current: list[Guard | None] = [None]
_blocked: list[str | None] = [None]
"""When set, the guard could not be installed in enforce mode: every gated download is refused."""


def set_guard(guard: Guard | None) -> None:
    _current[0] = guard


def block(message: str | None) -> None:
    """Refuse every gated download with this message (the guard could not be set up), or stop refusing."""
    _blocked[0] = message


def _enforce(request: Request) -> None:
    if _blocked[0] is not None:
        raise OpennessPolicyError(_blocked[0])
    guard = _current[0]
    if guard is not None:
        guard.enforce(request)


def _check(
    repo_id: str,
    repo_type: str | None,
    revision: str | None,
    filename: str | None,
    endpoint: str | None,
    commit: str | None = None,
    token: str | bool | None = None,
    offline: bool = False,
    via: str = "",
) -> None:
    """The layers' way in: the guard's fast path first, a full :class:`Request` only when needed."""
    if _blocked[0] is not None:
        if filename is None or _current[0] is None or _current[0].policy.gates(filename):
            raise OpennessPolicyError(_blocked[0])
        return
    guard = _current[0]
    if guard is not None:
        guard.check(repo_id, repo_type or "model", revision, filename, endpoint, commit, token, offline, via)


# --- self-check -------------------------------------------------------------------------------

_DOWNLOAD_PARAMS = {"repo_id", "filename", "repo_type", "revision", "endpoint", "token", "local_files_only"}


def self_check() -> list[str]:
    """What in huggingface_hub is not as the guard expects; empty when it can be installed."""
    problems: list[str] = []
    try:
        file_download = importlib.import_module("huggingface_hub.file_download")
        snapshot = importlib.import_module("huggingface_hub._snapshot_download")
        http = importlib.import_module("huggingface_hub.utils._http")
        file_system = importlib.import_module("huggingface_hub.hf_file_system")
    except ImportError as error:
        return [f"cannot import huggingface_hub's modules: {error}"]
    names = inspect.unwrap(getattr(file_download, "hf_hub_download", None)).__code__.co_names  # type: ignore[arg-type]
    for name in ("_hf_hub_download_to_cache_dir", "_hf_hub_download_to_local_dir"):
        function = getattr(file_download, name, None)
        if not callable(function):
            problems.append(f"huggingface_hub.file_download.{name} is missing")
            continue
        missing = _DOWNLOAD_PARAMS - set(inspect.signature(function).parameters)
        if missing:
            problems.append(f"huggingface_hub.file_download.{name} lacks parameters {sorted(missing)}")
        if name not in names:
            problems.append(f"hf_hub_download no longer calls {name}")
    for module, name, params in (
        (file_download, "try_to_load_from_cache", {"repo_id", "filename", "repo_type"}),
        (snapshot, "snapshot_download", {"repo_id", "repo_type", "revision", "allow_patterns", "local_files_only"}),
        (http, "set_client_factory", {"client_factory"}),
    ):
        problems += _check_swappable(module, name, params)
    if not hasattr(http, "_GLOBAL_CLIENT_FACTORY"):
        problems.append("huggingface_hub.utils._http._GLOBAL_CLIENT_FACTORY is missing")
    file_system_class = getattr(file_system, "HfFileSystem", None)
    for name in ("_open", "get_file", "resolve_path"):
        if not callable(getattr(file_system_class, name, None)):
            problems.append(f"huggingface_hub.HfFileSystem.{name} is missing")
    return problems


def _check_swappable(module: types.ModuleType, name: str, params: set[str]) -> list[str]:
    function = getattr(module, name, None)
    if not callable(function):
        return [f"{module.__name__}.{name} is missing"]
    inner = inspect.unwrap(function)
    if not isinstance(inner, types.FunctionType) or inner.__closure__:
        return [f"{module.__name__}.{name} is not a plain function (its code cannot be guarded in place)"]
    missing = params - set(inspect.signature(inner).parameters)
    return [f"{module.__name__}.{name} lacks parameters {sorted(missing)}"] if missing else []


# --- install -----------------------------------------------------------------------------------


def apply() -> list[Restore]:
    """Install the four layers; returns what undoes each, in order."""
    restores: list[Restore] = []
    try:
        restores += _layer_download()
        restores += _layer_cache_and_snapshot()
        restores += _layer_file_system()
        restores += _layer_http()
    except BaseException:
        for restore in reversed(restores):
            restore()
        raise
    return restores


def _replace_attribute(owner: Any, name: str, value: Any) -> Restore:
    original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    setattr(owner, name, value)

    def restore() -> None:
        setattr(owner, name, original)

    return restore


def _swap_code(
    function: Callable[..., Any], hook: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any]
) -> Restore:
    """Make ``function`` (the undecorated one) run ``hook(original_clone, args, kwargs)``, in place."""
    inner = inspect.unwrap(function)
    if not isinstance(inner, types.FunctionType) or inner.__closure__:
        raise TypeError(f"{function!r} cannot be guarded in place")  # self_check() rules this out first
    clone = types.FunctionType(inner.__code__, inner.__globals__, inner.__name__, inner.__defaults__, None)
    clone.__kwdefaults__ = inner.__kwdefaults__
    clone.__qualname__ = inner.__qualname__
    clone.__doc__ = inner.__doc__
    key = f"{inner.__module__}.{inner.__qualname__}"
    hooks = inner.__globals__.setdefault(_HOOKS_NAME, {})
    hooks[key] = (hook, clone)
    saved = (inner.__code__, inner.__defaults__, inner.__kwdefaults__)
    signature = inspect.signature(inner)
    inner.__code__ = _trampoline(key).__code__
    inner.__defaults__, inner.__kwdefaults__ = None, None
    inner.__signature__ = signature  # type: ignore[attr-defined]

    def restore() -> None:
        inner.__code__, inner.__defaults__, inner.__kwdefaults__ = saved
        del inner.__signature__  # type: ignore[attr-defined]
        hooks.pop(key, None)

    return restore


def _trampoline(key: str) -> Callable[..., Any]:
    """A function whose code looks the hook up in the patched module's globals (no closure)."""
    namespace: dict[str, Any] = {}
    source = (
        "def osaid_guard_trampoline(*args, **kwargs):\n"
        f"    hook, original = {_HOOKS_NAME}[{key!r}]\n"
        "    return hook(original, args, kwargs)\n"
    )
    exec(compile(source, "<osaid-guard trampoline>", "exec"), namespace)
    trampoline: Callable[..., Any] = namespace["osaid_guard_trampoline"]
    return trampoline


# --- layer 1: hf_hub_download ------------------------------------------------------------------


def _layer_download() -> list[Restore]:
    file_download = importlib.import_module("huggingface_hub.file_download")
    restores = []
    for name, via in (
        ("_hf_hub_download_to_cache_dir", "hf_hub_download"),
        ("_hf_hub_download_to_local_dir", "hf_hub_download(local_dir)"),
    ):
        original = getattr(file_download, name)
        restores.append(_replace_attribute(file_download, name, _guarded_download(original, via)))
    return restores


def _guarded_download(original: Callable[..., Any], via: str) -> Callable[..., Any]:
    def guarded(**kwargs: Any) -> Any:
        if not kwargs.get("dry_run"):
            _check(
                kwargs["repo_id"],
                kwargs.get("repo_type"),
                kwargs.get("revision"),
                kwargs["filename"],
                kwargs.get("endpoint"),
                token=kwargs.get("token"),
                offline=bool(kwargs.get("local_files_only")),
                via=via,
            )
        return original(**kwargs)

    guarded.__wrapped__ = original  # type: ignore[attr-defined]
    guarded.__name__ = original.__name__
    guarded.__qualname__ = original.__qualname__
    return guarded


# --- layer 2: cache hits and snapshots -----------------------------------------------------------


def _layer_cache_and_snapshot() -> list[Restore]:
    file_download = importlib.import_module("huggingface_hub.file_download")
    snapshot = importlib.import_module("huggingface_hub._snapshot_download")
    return [
        _swap_code(file_download.try_to_load_from_cache, _hook_cache),
        _swap_code(snapshot.snapshot_download, _hook_snapshot),
    ]


_SIGNATURES: dict[Callable[..., Any], inspect.Signature] = {}


def _bind(original: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by name (the signature is computed once per function)."""
    signature = _SIGNATURES.get(original)
    if signature is None:
        signature = _SIGNATURES[original] = inspect.signature(original)
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _hook_cache(original: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = original(*args, **kwargs)
    if isinstance(result, str):
        # try_to_load_from_cache(repo_id, filename, cache_dir=None, revision=None, repo_type=None)
        repo_id = kwargs["repo_id"] if "repo_id" in kwargs else args[0]
        filename = kwargs["filename"] if "filename" in kwargs else args[1]
        repo_type = kwargs.get("repo_type", args[4] if len(args) > 4 else None)
        commit = _SNAPSHOT_COMMIT.search(result)
        _check(
            repo_id, repo_type, None, filename, None, commit.group(1) if commit else None, via="try_to_load_from_cache"
        )
    return result


def _hook_snapshot(original: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    call = _bind(original, args, kwargs)
    if not call.get("dry_run") and _may_include_weights(call.get("allow_patterns")):
        _enforce(
            Request(
                repo_id=call["repo_id"],
                repo_type=call.get("repo_type") or "model",
                revision=call.get("revision"),
                endpoint=call.get("endpoint"),
                token=call.get("token"),
                offline=bool(call.get("local_files_only")),
                via="snapshot_download",
            )
        )
    return original(*args, **kwargs)


def _may_include_weights(allow_patterns: str | Iterable[str] | None) -> bool:
    """Whether a snapshot filtered by these patterns can hold weight files (each file is checked anyway)."""
    if allow_patterns is None:
        return True
    patterns = [allow_patterns] if isinstance(allow_patterns, str) else list(allow_patterns)
    probes = [*_WEIGHT_PROBES, *(f"sub/{probe}" for probe in _WEIGHT_PROBES)]
    return any(
        fnmatchcase(probe, pattern) or fnmatchcase(probe, f"{pattern}*") for pattern in patterns for probe in probes
    )


# --- layer 3: HfFileSystem ------------------------------------------------------------------------


def _layer_file_system() -> list[Restore]:
    file_system = importlib.import_module("huggingface_hub.hf_file_system").HfFileSystem
    original_open = file_system.__dict__["_open"]
    original_get = file_system.__dict__["get_file"]

    def _open(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = _bind(original_open, (self, *args), kwargs)
        if "r" in str(call.get("mode", "rb")):
            _guard_path(self, call["path"], call.get("revision"), "HfFileSystem.open")
        return original_open(self, *args, **kwargs)

    def get_file(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = _bind(original_get, (self, *args), kwargs)
        _guard_path(self, call["rpath"], call.get("kwargs", {}).get("revision"), "HfFileSystem.get_file")
        return original_get(self, *args, **kwargs)

    _open.__wrapped__ = original_open  # type: ignore[attr-defined]
    get_file.__wrapped__ = original_get  # type: ignore[attr-defined]
    return [_replace_attribute(file_system, "_open", _open), _replace_attribute(file_system, "get_file", get_file)]


def _guard_path(file_system: Any, path: str, revision: str | None, via: str) -> None:
    resolved = file_system.resolve_path(path, revision=revision)
    repo_id = getattr(resolved, "repo_id", None)
    if repo_id is None:
        return  # buckets carry no repository metadata
    _enforce(
        Request(
            repo_id=repo_id,
            repo_type=getattr(resolved, "repo_type", "model") or "model",
            revision=getattr(resolved, "revision", None),
            filename=getattr(resolved, "path_in_repo", "") or None,
            endpoint=getattr(file_system, "endpoint", None),
            token=getattr(file_system, "token", None),
            via=via,
        )
    )


# --- layer 4: the shared HTTP client ----------------------------------------------------------------


def _layer_http() -> list[Restore]:
    http = importlib.import_module("huggingface_hub.utils._http")
    chosen: list[Callable[[], Any]] = [http._GLOBAL_CLIENT_FACTORY]

    def composed() -> Any:
        return _with_event_hooks(chosen[0]())

    def hook_set_client_factory(original: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        factory = _bind(original, args, kwargs)["client_factory"]
        chosen[0] = factory
        return original(composed)

    restore_code = _swap_code(http.set_client_factory, hook_set_client_factory)
    http.set_client_factory(chosen[0])  # now composed: the next get_session() has the hooks

    def restore() -> None:
        restore_code()
        http.set_client_factory(chosen[0])  # the user's latest factory, without the hooks

    return [restore]


def _with_event_hooks(client: Any) -> Any:
    hooks = client.event_hooks
    client.event_hooks = {
        "request": [*hooks.get("request", []), _on_request],
        "response": [*hooks.get("response", []), _on_response],
    }
    return client


def _parse_hub_url(url: str) -> tuple[str, Request] | None:
    """A ``/resolve/`` or Xet-token URL as a request (None for anything else)."""
    from huggingface_hub import constants

    split = urlsplit(url)
    endpoint = str(constants.ENDPOINT).rstrip("/")
    path = unquote(split.path)
    if url.startswith(endpoint + "/"):
        path = unquote(urlsplit(url[len(endpoint) :]).path)
    else:
        endpoint = f"{split.scheme}://{split.netloc}"
    resolve = _RESOLVE.match(path)
    if resolve:
        repo_type = (resolve["type"] or "models")[:-1]
        return "resolve", Request(
            resolve["repo"], repo_type, revision=resolve["revision"], filename=resolve["file"], endpoint=endpoint
        )
    xet = _XET_TOKEN.match(path)
    if xet:
        return "xet", Request(xet["repo"], xet["type"][:-1], revision=xet["revision"], endpoint=endpoint)
    return None


def _on_request(request: Any) -> None:
    parsed = _parse_hub_url(str(request.url))
    if parsed is not None:
        kind, hub_request = parsed
        _enforce(Request(**{**hub_request.__dict__, "via": f"http {request.method} {kind}"}))


def _on_response(response: Any) -> None:
    commit = response.headers.get("X-Repo-Commit")
    if not commit:
        return
    parsed = _parse_hub_url(str(response.request.url))
    if parsed is not None and parsed[0] == "resolve":
        served = parsed[1]
        # The branch may have moved since the decision: the commit actually served must pass too.
        _enforce(Request(**{**served.__dict__, "commit": commit.lower(), "via": "http served commit"}))


def block_everything(message: str) -> None:
    """The guard could not be installed in enforce mode: refuse every gated download, as far as possible.

    Each layer is tried on its own, so what still matches huggingface_hub's internals blocks.
    """
    block(message)
    for layer in (_layer_download, _layer_cache_and_snapshot, _layer_file_system, _layer_http):
        try:
            layer()
        except Exception:  # a layer that does not fit is skipped; the others still block
            continue
