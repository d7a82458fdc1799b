"""Findings after the rules: suppression comments (``# steplint: ignore[CODE]``).

In: source text and findings. Out: which findings a comment suppresses.
"""
