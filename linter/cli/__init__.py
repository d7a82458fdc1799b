"""The command line: parses options and wires them to the engine, fixer and reporters.

``main`` runs ``steplint check [PATHS]`` (also ``steplint [PATHS]``); ``docs`` serves ``steplint
rules`` and ``steplint rule CODE``; ``settings`` prints ``--show-settings``; ``terminal``
decides colour and draws the progress line.
"""
