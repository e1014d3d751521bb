"""Renderers: turn osaid-guard's results into text for people or JSON for programs."""
