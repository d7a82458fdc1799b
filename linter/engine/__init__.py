"""The engine: a workspace in, findings out.

In: a ``Workspace``, the configuration and the rules. Flow: ``run`` (prefilter, readers,
project model, rules, suppressions), with ``parallel`` (worker processes for cold runs),
``cache`` / ``result_cache`` (signed JSON in the user's cache directory: ``cache_codec``,
``safe_dir``, ``userdirs``). Out: a ``RunResult`` of findings. Knows nothing of output
formats or the command line; progress goes to a callback the caller may give.
"""
