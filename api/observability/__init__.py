"""What the API tells its operators: Prometheus metrics (``metrics``) and OpenTelemetry
server spans (``tracing``). See ``docs/observability.md``."""
