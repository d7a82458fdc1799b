"""Where a rule is documented: its section of ``docs/rules.md`` in steplint's repository.

``REPOSITORY_URL`` is the one place the repository's address is written; SARIF ``helpUri``,
the JSON ``url`` of each finding and the anchors of ``docs/rules.md``'s table all come
from here. Anchors are what GitHub makes of a section heading ``## SL101
redundant-dependency``: lower case, spaces as hyphens.
"""

from __future__ import annotations

REPOSITORY_URL = "https://github.com/steplint/steplint"
RULES_DOC_URL = f"{REPOSITORY_URL}/blob/main/docs/rules.md"


def rule_anchor(code: str, name: str) -> str:
    """The anchor of a rule's section in ``docs/rules.md``, e.g. ``sl101-redundant-dependency``."""
    return f"{code}-{name}".lower()


def rule_url(code: str, name: str) -> str:
    """The address of a rule's section in ``docs/rules.md``."""
    return f"{RULES_DOC_URL}#{rule_anchor(code, name)}"
