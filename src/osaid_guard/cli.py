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
    return parser


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
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args, parser)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
