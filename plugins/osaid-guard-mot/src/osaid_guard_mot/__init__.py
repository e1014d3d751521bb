"""osaid-guard-mot: the LF AI & Data Model Openness Tool as evidence for osaid-guard."""

__version__ = "0.1.0"
