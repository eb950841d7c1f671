package telemetry

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

// otelVars are the variables Start reads; each test starts with all blank.
var otelVars = []string{
	"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
	"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
}

func TestStartFromEnvironment(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		wantTracing bool
		wantErr     string
	}{
		{name: "nothing set"},
		{name: "endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, wantTracing: true},
		{name: "traces endpoint over grpc", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, wantTracing: true},
		{name: "sdk disabled", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}},
		{name: "exporter none", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}},
		{
			name:    "unknown protocol",
			env:     map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"},
			wantErr: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json": want grpc or http/protobuf`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range otelVars {
				t.Setenv(k, tt.env[k])
			}
			tel, err := Start(context.Background(), Options{})
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, tel.Shutdown(context.Background())) })
			assert.Equal(t, tt.wantTracing, tel.Tracing())
			var opts client.Options
			tel.Apply(&opts)
			assert.Equal(t, tt.wantTracing, len(opts.Interceptors) == 1)
			assert.Nil(t, opts.MetricsHandler, "no metrics address, no handler")
		})
	}
}

// Metrics recorded through the handler Apply sets are served by the
// endpoint: counters as Prometheus counters, timers as histograms in
// seconds.
func TestMetricsEndpoint(t *testing.T) {
	tel, err := Start(context.Background(), Options{MetricsAddr: "127.0.0.1:0"})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, tel.Shutdown(context.Background())) })
	var opts client.Options
	tel.Apply(&opts)
	require.NotNil(t, opts.MetricsHandler)
	h := opts.MetricsHandler.WithTags(map[string]string{"activity_type": "fetch"})
	h.Counter("graflow_tasks_started").Inc(2)
	h.Timer("graflow_task_latency").Record(3 * time.Millisecond)

	resp, err := http.Get(tel.MetricsURL())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	text := string(body)
	assert.Contains(t, text, "# TYPE graflow_tasks_started_total counter")
	assert.Contains(t, text, `graflow_tasks_started_total{activity_type="fetch"} 2`)
	assert.Contains(t, text, `graflow_task_latency_seconds_bucket{activity_type="fetch",le="0.005"} 1`)
	assert.Contains(t, text, "go_goroutines", "the Go runtime's metrics")
}
