// Package telemetry wires OpenTelemetry tracing and Prometheus metrics into
// the SDK clients of the graflow binaries.
//
// Tracing is on when the standard OTLP settings name an endpoint
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): the
// SDK's OpenTelemetry interceptor then records a span per run
// (RunWorkflow:<workflow>), per task attempt (RunActivity:<task>, with the
// graflow.task_id and graflow.attempt attributes the task runner adds) and
// per client call (StartWorkflow:<workflow>, ...), and exports them with the
// OTLP exporter the OTEL_EXPORTER_OTLP_* variables configure (protocol
// http/protobuf unless they say grpc). OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES name the process; OTEL_SDK_DISABLED=true or
// OTEL_TRACES_EXPORTER=none turn tracing off.
//
// Metrics are served when an address is given (the worker's
// --metrics-addr): the SDK's own metrics (temporal_*) and the task runner's
// (graflow_tasks_started_total, graflow_tasks_succeeded_total,
// graflow_tasks_failed_total, graflow_task_latency_seconds) in the
// Prometheus text format on http://<addr>/metrics.
package telemetry
