"""Data files shipped with osaid-guard: the SPDX list extract and our licence table."""
