"""The worker's metrics: the Temporal SDK's runtime telemetry on a Prometheus endpoint, with
the business counters (``bank.core.metrics``) on the same endpoint through the runtime's
metric meter. ``COOP_WORKER_METRICS_ADDRESS`` (host:port; empty: no endpoint)."""

from __future__ import annotations

from collections.abc import Mapping

from temporalio.common import MetricCounter, MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from bank.core import metrics


class MeterSink:
    """``bank.core.metrics`` counters as counters of a Temporal metric meter."""

    def __init__(self, meter: MetricMeter) -> None:
        self._counters: dict[str, MetricCounter] = {
            name: meter.create_counter(name, help_text)
            for name, help_text in metrics.COUNTERS.items()
        }

    def add(self, name: str, value: int, labels: Mapping[str, str]) -> None:
        self._counters[name].add(value, dict(labels))


def runtime(address: str) -> Runtime | None:
    """A runtime exporting Prometheus metrics on ``address``, the business counters wired to
    it (None when ``address`` is empty: the SDK's default runtime, no endpoint)."""
    if not address:
        return None
    exported = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    metrics.use(MeterSink(exported.metric_meter))
    return exported
