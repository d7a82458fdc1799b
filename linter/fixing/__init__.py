"""Fixing: findings' edits applied to text, then written to disk all-or-nothing.

In: the engine and a workspace. Flow: ``fixer`` (non-overlapping edits per pass,
re-parse, repeat) -> ``transaction`` (journaled multi-file writes); ``adoption`` adds
suppression comments. Out: changed files on disk, or a diff.
"""
