"""``python -m osaid_guard`` runs the command-line interface."""

from osaid_guard.cli import main

raise SystemExit(main())
