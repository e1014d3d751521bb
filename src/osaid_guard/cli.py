"""The ``osaid-guard`` command line.

Exit codes: 0 success; 2 usage or input errors (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from osaid_guard import __version__

EXIT_OK = 0
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
    return parser


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
