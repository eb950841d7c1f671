package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Options configure Start; the zero value traces as the OTEL_* environment
// says and serves no metrics.
type Options struct {
	// ServiceName is the service.name of the process's spans unless
	// OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name one ("" =
	// "graflow").
	ServiceName string
	// MetricsAddr is the host:port of the Prometheus endpoint ("" = none;
	// port 0 = a free port, see Telemetry.MetricsURL).
	MetricsAddr string
	// SpanExporter receives the spans instead of the OTLP exporter, and
	// turns tracing on whatever the environment says (tests give an
	// in-memory exporter).
	SpanExporter sdktrace.SpanExporter
}

// Telemetry is the tracing and metrics Start set up; Apply adds them to
// client options, Shutdown flushes and stops them.
type Telemetry struct {
	tracer      *sdktrace.TracerProvider
	interceptor interceptor.ClientInterceptor
	meter       *sdkmetric.MeterProvider
	metrics     client.MetricsHandler
	server      *http.Server
	metricsURL  string
}

// Start sets up tracing (when opts.SpanExporter is set or the environment
// names an OTLP endpoint) and the metrics endpoint (when opts.MetricsAddr is
// set). With neither, it returns a Telemetry whose Apply changes nothing.
func Start(ctx context.Context, opts Options) (*Telemetry, error) {
	t := &Telemetry{}
	res, err := newResource(ctx, opts.ServiceName)
	if err != nil {
		return nil, err
	}
	exporter := opts.SpanExporter
	if exporter == nil && tracingEnabled() {
		if exporter, err = otlpExporter(ctx); err != nil {
			return nil, err
		}
	}
	if exporter != nil {
		t.tracer = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
		t.interceptor, err = temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: t.tracer.Tracer("graflow")})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("tracing: %w", err), t.tracer.Shutdown(ctx))
		}
	}
	if opts.MetricsAddr != "" {
		if err := t.serveMetrics(opts.MetricsAddr, res); err != nil {
			return nil, errors.Join(err, t.Shutdown(ctx))
		}
	}
	return t, nil
}

// Apply adds the tracing interceptor and the metrics handler to o.
func (t *Telemetry) Apply(o *client.Options) {
	if t.interceptor != nil {
		o.Interceptors = append(o.Interceptors, t.interceptor)
	}
	if t.metrics != nil {
		o.MetricsHandler = t.metrics
	}
}

// Tracing reports whether spans are recorded.
func (t *Telemetry) Tracing() bool { return t.tracer != nil }

// MetricsURL is the URL of the metrics endpoint ("" = none).
func (t *Telemetry) MetricsURL() string { return t.metricsURL }

// Shutdown exports the spans not yet exported and stops the metrics
// endpoint, within ctx.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	if t.tracer != nil {
		if err := t.tracer.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("tracing: %w", err))
		}
	}
	if t.server != nil {
		errs = append(errs, t.server.Shutdown(ctx))
	}
	if t.meter != nil {
		errs = append(errs, t.meter.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// latencyBuckets are the bounds, in seconds, of the latency histograms: the
// OpenTelemetry defaults (0 to 10,000) suit milliseconds, not seconds.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800}

// serveMetrics serves the SDK's and graflow's metrics, and the Go runtime's,
// on http://addr/metrics.
func (t *Telemetry) serveMetrics(addr string, res *resource.Resource) error {
	reg := prometheus.NewRegistry()
	if err := errors.Join(
		reg.Register(collectors.NewGoCollector()),
		reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})),
	); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	seconds := sdkmetric.NewView(
		sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: latencyBuckets}},
	)
	t.meter = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res), sdkmetric.WithView(seconds))
	t.metrics = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter: t.meter.Meter("graflow"),
		// Counters are Prometheus counters (<name>_total), not gauges.
		UseMonotonicCounters: true,
		// A metric the meter refuses is dropped (the handler's default
		// would panic).
		OnError: func(err error) { otel.Handle(err) },
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics endpoint %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	t.metricsURL = "http://" + ln.Addr().String() + "/metrics"
	go func() { _ = t.server.Serve(ln) }()
	return nil
}

// newResource names the process: service.name = serviceName ("" =
// "graflow"), unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say
// otherwise.
func newResource(ctx context.Context, serviceName string) (*resource.Resource, error) {
	if serviceName == "" {
		serviceName = "graflow"
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", serviceName)),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	return res, nil
}
