"""The ``osaid-guard`` command line.

Exit codes: 0 success (every model allowed); 1 a model is denied; 2 usage, input or policy errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from osaid_guard import __version__

EXIT_OK = 0
EXIT_DENIED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """``@FILE`` arguments read one value per line; blank lines and ``#`` comments are skipped."""

    def convert_arg_line_to_args(self, arg_line: str) -> list[str]:
        line = arg_line.strip()
        return [] if not line or line.startswith("#") else [line]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="osaid-guard",
        fromfile_prefix_chars="@",
        description="Keep models that are not open out of your Hugging Face downloads.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    license_cmd = commands.add_parser(
        "license",
        help="classify licence ids, SPDX expressions or licence names as a model card gives them",
        description=(
            "Classify each TEXT the way a model card's `license:` value is read: a Hub licence id "
            "(apache-2.0, llama3.1), an SPDX expression (MIT OR Apache-2.0) or a licence name "
            '("Apache License, Version 2.0"). With --license-name/--license-link and no TEXT, read '
            "them as a card with `license: other` does. @FILE reads one TEXT per line."
        ),
    )
    license_cmd.add_argument("texts", nargs="*", metavar="TEXT", help="licence value to classify")
    license_cmd.add_argument("--license-name", metavar="NAME", help="the card's license_name (read for `other`)")
    license_cmd.add_argument("--license-link", metavar="LINK", help="the card's license_link (read for `other`)")
    license_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    license_cmd.set_defaults(handler=_run_license)

    check = commands.add_parser(
        "check",
        help="judge models (Hub ids or directories) under the openness policy",
        description=(
            "Gather each model's licence and data-disclosure evidence, assess it against OSAID and the MOF, "
            "and decide under the policy. MODEL is a Hub id (org/name, org/name@revision) or a model "
            "directory. Exit 0 when every model is allowed (warnings included), 1 when any is denied, "
            "2 on usage or policy errors."
        ),
    )
    check.add_argument("models", nargs="+", metavar="MODEL", help="Hub id, id@revision, or a directory")
    check.add_argument("--policy", metavar="FILE", help="policy file (default: found from the working directory)")
    check.add_argument(
        "--format", default="text", metavar="FORMAT", help="text (default), json, or a format a plugin adds"
    )
    check.add_argument("--offline", action="store_true", help="read only the Hugging Face cache, never the network")
    check.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per request (default: 10)")
    check.set_defaults(handler=_run_check)

    policy_cmd = commands.add_parser("policy", help="show or validate the openness policy")
    policy_commands = policy_cmd.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    show = policy_commands.add_parser(
        "show",
        help="print the effective policy after inheritance, with where each value came from",
        description="Print the effective policy (after `extend`) and the file that set each value.",
    )
    show.add_argument("--policy", metavar="FILE", help="policy file (default: found from the working directory)")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    show.set_defaults(handler=_run_policy_show)
    validate = policy_commands.add_parser(
        "validate",
        help="check a policy file; exit 0 when valid, 2 with every problem otherwise",
        description="Check a policy file and everything it extends. Exit 0 when valid, 2 otherwise.",
    )
    validate.add_argument("file", nargs="?", metavar="FILE", help="policy file (default: found from the cwd)")
    validate.set_defaults(handler=_run_policy_validate)

    plugins = commands.add_parser(
        "plugins",
        help="list installed plugins, which are loaded, and why",
        description=(
            "Third-party plugins load only when named in the policy's plugins key or in OSAID_GUARD_PLUGINS; "
            "OSAID_GUARD_DISABLE_PLUGINS=1 loads none."
        ),
    )
    plugins.add_argument("--policy", metavar="FILE", help="policy file (default: found from the working directory)")
    plugins.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    plugins.set_defaults(handler=_run_plugins)
    _plugin_commands(commands)
    return parser


def _plugin_commands(commands: Any) -> None:
    """Subcommands of the plugins in force; a broken policy leaves only the built-in commands."""
    from osaid_guard.errors import PolicyError
    from osaid_guard.plugins import host_for
    from osaid_guard.policy import NO_POLICY, current_policy

    try:
        policy = current_policy()
    except PolicyError:
        policy = NO_POLICY  # the command that needs the policy reports the error
    host_for(policy).add_commands(commands)


def _run_plugins(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import json

    from osaid_guard.plugins import host_for
    from osaid_guard.policy import load_policy

    host = host_for(load_policy(args.policy))
    if args.format == "json":
        sys.stdout.write(json.dumps({"plugins": [info.__dict__ for info in host.infos]}, indent=2) + "\n")
        return EXIT_OK
    for info in host.infos:
        state = "loaded" if info.loaded else "not loaded"
        sys.stdout.write(f"{info.name:<16} {info.distribution} {info.version:<10} {state}: {info.why}\n")
    return EXIT_OK


def _run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from pathlib import Path

    from osaid_guard.api import check
    from osaid_guard.model import Decision
    from osaid_guard.plugins import host_for
    from osaid_guard.policy import load_policy

    policy = load_policy(args.policy)
    formats = host_for(policy).formats()
    if args.format not in formats:
        parser.error(f"check: unknown format {args.format!r}; available: {', '.join(sorted(formats))}")
    verdicts = []
    for model in args.models:
        repo, revision = model, None
        if not Path(model).expanduser().is_dir() and "@" in model:
            repo, _, revision = model.rpartition("@")
            if not repo or not revision:
                parser.error(f"check: {model!r} is not MODEL or MODEL@REVISION")
        verdicts.append(check(repo, revision, policy=policy, offline=args.offline, timeout=args.timeout))
    sys.stdout.write(formats[args.format](verdicts))
    return EXIT_DENIED if any(verdict.decision is Decision.DENY for verdict in verdicts) else EXIT_OK


def _run_policy_show(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from osaid_guard.formats.policy import as_json, as_text
    from osaid_guard.policy import load_policy

    policy = load_policy(args.policy)
    sys.stdout.write(as_json(policy) + "\n" if args.format == "json" else as_text(policy))
    return EXIT_OK


def _run_policy_validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from osaid_guard.policy import load_policy

    policy = load_policy(args.file)
    if not policy.files:
        sys.stderr.write(
            "osaid-guard: no policy found: no pyproject.toml with a [tool.osaid-guard] table or osaid-guard.toml "
            "in this directory or above it, and OSAID_GUARD_POLICY is not set\n"
        )
        return EXIT_USAGE
    inherited = f", extends {', '.join(policy.files[1:])}" if len(policy.files) > 1 else ""
    sys.stdout.write(f"{policy.files[0]}: valid{inherited} (fingerprint {policy.fingerprint})\n")
    return EXIT_OK


def _run_license(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from osaid_guard.errors import LicenseError
    from osaid_guard.formats.licenses import LicenseResult, as_json, as_text
    from osaid_guard.licenses import classify_license

    texts: list[str | None] = list(args.texts)
    if not texts:
        if args.license_name is None and args.license_link is None:
            parser.error("license: give at least one TEXT, or --license-name / --license-link")
        texts = ["other"]
    results: list[LicenseResult] = []
    for text in texts:
        shown = text or ""
        try:
            info = classify_license(text, license_name=args.license_name, license_link=args.license_link)
        except LicenseError as error:
            results.append(LicenseResult(input=shown, error=str(error)))
        else:
            results.append(LicenseResult(input=shown, info=info))
    sys.stdout.write(as_json(results) + "\n" if args.format == "json" else as_text(results))
    return EXIT_USAGE if any(result.error for result in results) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from osaid_guard.errors import PolicyError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args, parser)
    except PolicyError as error:
        sys.stderr.write(f"osaid-guard: {error}\n")
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
