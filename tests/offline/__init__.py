"""The default test run's network guard (``network_guard``), also loaded by the Python
subprocesses of those tests through ``sitecustomize`` on ``PYTHONPATH``."""
