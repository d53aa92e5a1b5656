"""Operations signals: Prometheus metrics at `/metrics`, one structured log line per request.

The submodules import nothing heavy at package import, so that `serve` can prepare the metrics
directory (`multiprocess`) before `prometheus_client` is first imported."""
