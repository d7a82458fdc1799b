"""Files: which paths a run checks, their text, and the project they belong to.

In: paths and the configuration. Flow: ``discovery`` (walk, exclude, stay inside the
project; ``ignore_files`` for .gitignore, .ignore and .git/info/exclude) -> ``sources`` (read and decode bytes) -> ``projects`` (group files by project)
-> ``scope`` (what a run loads as context and what it reports on). Out: a ``Workspace``
of ``SourceFile`` objects and read problems.
"""
