"""Loaded at start-up by the Python subprocesses of the default tests (this directory is on
their ``PYTHONPATH``): the same network guard as the test process."""

import network_guard

network_guard.install()
