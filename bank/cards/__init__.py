"""Card credentials: PIN rules, keyed PIN digests, change and recovery (``pins``)."""
