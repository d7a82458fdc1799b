"""The JSON Schema of ``--output-format json``, version ``FORMAT_VERSION``.

The report is a JSON array of findings (the top level stays an array, as in ruff and as
steplint has always written it: tools that read it keep working). The format is versioned
by this schema: additions (a new optional key) keep the version; a change that could break
a reader (a key removed, renamed or retyped) gives a new version, shipped as a new output
format name, with ``json`` kept at this version until a release notes its end.

Positions: ``row`` is 1-based; ``column`` is 1-based and counts Unicode code points (as
SARIF's ``unicodeCodePoints``); ``end_location`` is just past the end. A fix's edits give
both ``start``/``end`` (0-based code-point offsets into the decoded text of ``filename``,
end excluded: apply them to ``text[start:end]``) and ``location``/``end_location`` (the
same two places as row and column). ``docs/json-output-v1.schema.json`` is this schema,
written by ``python -m steplint.reporting.json_schema`` (a test checks it is current).
"""

from __future__ import annotations

import json
import sys

from steplint.reporting.links import RULES_DOC_URL

FORMAT_VERSION = 1
SCHEMA_FILE = f"json-output-v{FORMAT_VERSION}.schema.json"

_POSITION = {
    "type": "object",
    "required": ["row", "column"],
    "additionalProperties": False,
    "properties": {
        "row": {"type": "integer", "minimum": 1, "description": "1-based line"},
        "column": {"type": "integer", "minimum": 1, "description": "1-based column, in Unicode code points"},
    },
}

SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": RULES_DOC_URL.rsplit("/", 1)[0] + f"/{SCHEMA_FILE}",
    "title": f"steplint --output-format json, version {FORMAT_VERSION}",
    "description": "An array of findings, sorted by file, line, column and code.",
    "type": "array",
    "items": {"$ref": "#/definitions/finding"},
    "definitions": {
        "position": _POSITION,
        "edit": {
            "type": "object",
            "required": ["filename", "start", "end", "content", "location", "end_location"],
            "additionalProperties": False,
            "properties": {
                "filename": {"type": "string", "description": "the file the edit changes, as 'filename' shows files"},
                "start": {"type": "integer", "minimum": 0,
                          "description": "0-based offset in code points into the decoded text"},
                "end": {"type": "integer", "minimum": 0, "description": "0-based offset just past the replaced text"},
                "content": {"type": "string", "description": "the replacement text"},
                "location": {"oneOf": [{"$ref": "#/definitions/position"}, {"type": "null"}],
                             "description": "'start' as row and column (null only when the file's text is unknown)"},
                "end_location": {"oneOf": [{"$ref": "#/definitions/position"}, {"type": "null"}],
                                 "description": "'end' as row and column"},
            },
        },
        "fix": {
            "type": "object",
            "required": ["applicability", "message", "edits"],
            "additionalProperties": False,
            "properties": {
                "applicability": {"enum": ["safe", "unsafe"],
                                  "description": "safe fixes keep behaviour; unsafe ones need --unsafe-fixes"},
                "message": {"type": "string"},
                "edits": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/edit"},
                          "description": "applied together or not at all, possibly across files"},
            },
        },
        "finding": {
            "type": "object",
            "required": ["code", "name", "message", "severity", "filename", "location", "end_location", "fix",
                         "related", "url"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "pattern": "^SL[0-9]{3}$"},
                "name": {"type": "string"},
                "message": {"type": "string", "description": "one short line: what is wrong, where"},
                "help": {"type": ["string", "null"],
                         "description": "what follows for this finding and what to do (null when the message says all)"},
                "severity": {"enum": ["error", "warning"]},
                "filename": {"type": "string",
                             "description": "relative to the working directory when below it, else absolute"},
                "location": {"$ref": "#/definitions/position"},
                "end_location": {"$ref": "#/definitions/position"},
                "fix": {"oneOf": [{"$ref": "#/definitions/fix"}, {"type": "null"}]},
                "related": {"type": "array", "items": {"type": "string"},
                            "description": "other files the finding involves"},
                "url": {"type": "string", "format": "uri", "description": "the rule's documentation"},
            },
        },
    },
}


def schema_text() -> str:
    """The schema as ``docs/<SCHEMA_FILE>`` holds it."""
    return json.dumps(SCHEMA, indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
