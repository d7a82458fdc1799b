"""Readers: one per source form, each turning files into facts and a project index.

In: decoded ``steplint.files.sources.SourceFile`` objects. Out: per-file facts (plain
dataclasses, cacheable) and a cross-file index the rules read. ``python`` reads
specification-driven Python code (specs, contracts, builders and their scripts).
"""
