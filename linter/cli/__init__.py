"""The command line: parses options and wires them to the engine, fixer and reporters.

``main`` runs ``steplint [PATHS]``; ``docs`` serves ``steplint rules`` and ``steplint rule CODE``.
"""
