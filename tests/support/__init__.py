"""Generic test helpers every test can use: Temporal servers, free ports, committed histories.

The pytest fixtures of ``tests.support.temporal`` are registered for the whole suite by
``tests/conftest.py`` (``pytest_plugins``): a test module asks for ``time_skipping_env``,
``dev_env`` or ``task_queue`` by name and imports nothing.
"""
