"""Entry point for ``python -m steplint``."""

import sys

from steplint.cli import main

sys.exit(main())
