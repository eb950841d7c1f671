package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/pgtest"
	"github.com/graflow-go/graflow/internal/telemetry"
	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/devserver"
)

const taskQueue = "bench"

var (
	verbose  *bool
	stalls   *int
	postgres *bool
	trace    *bool
)

func main() {
	runs := flag.Int("runs", 5, "runs per workload and side (the median is reported)")
	verbose = flag.Bool("v", false, "print every run's time on stderr")
	only := flag.String("only", "", "comma-separated workloads to run (default all), e.g. W6,W7")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole bench to this file")
	stalls = flag.Int("stalls", 0, "then run this many one-task runs in a row through the Runner (a workflow type per run, then one type) and count the waits over 2 s")
	postgres = flag.Bool("postgres", false, "run on a server on PostgreSQL with 4 history shards and the server's default dynamic config ("+pgtest.EnvDSN+", else a local throw-away cluster)")
	trace = flag.Bool("trace", false, "trace both sides through the SDK's OpenTelemetry interceptor (spans kept in memory), to measure what tracing costs")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *only != "" {
		workloads = slices.DeleteFunc(workloads, func(wl workload) bool { return !slices.Contains(strings.Split(*only, ","), wl.name) })
	}
	if err := run(context.Background(), *runs); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, runs int) error {
	opts := devserver.Options{UIPort: -1}
	if *postgres {
		pg, err := pgtest.Start()
		if err != nil {
			return err
		}
		defer pg.Stop()
		opts.Postgres = &devserver.Postgres{URL: pg.URL(fmt.Sprintf("graflow_bench_%d", os.Getpid())), Temporary: true}
	}
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer srv.Stop()
	c := srv.Client()
	if *trace {
		var stop func()
		if c, stop, err = tracedClient(ctx, srv); err != nil {
			return err
		}
		defer stop()
	}
	w, err := temporal.NewWorker(c, taskQueue, temporal.WorkerOptions{Identity: "bench"})
	if err != nil {
		return err
	}
	w.RegisterActivityWithOptions(noopBody, activity.RegisterOptions{Name: "hand_noop"})
	w.RegisterActivityWithOptions(sleepBody, activity.RegisterOptions{Name: "hand_sleep"})
	w.RegisterActivityWithOptions(sumBody, activity.RegisterOptions{Name: "hand_sum"})
	w.RegisterActivityWithOptions(mergeBody, activity.RegisterOptions{Name: "hand_merge"})
	for _, wl := range workloads {
		w.RegisterWorkflowWithOptions(wl.hand, workflow.RegisterOptions{Name: "hand_" + wl.name})
	}
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	runner := temporal.NewRunner(c, temporal.RunnerOptions{TaskQueue: taskQueue})

	fmt.Printf("%-4s %-58s %10s %10s %7s %8s %8s\n", "", "workload", "graflow", "hand", "ratio", "events", "events")
	for _, wl := range workloads {
		var g, h []time.Duration
		var gEvents, hEvents int
		var gBytes, hBytes int64
		var gChildren []int
		for i := -1; i < runs; i++ { // run -1 warms up and is not counted
			start := time.Now()
			res, err := wl.graflow().Execute(ctx, runner, append([]graflow.ExecuteOption{graflow.WorkflowID(fmt.Sprintf("g-%s-%d", wl.name, i))}, wl.options...)...)
			if err != nil {
				return fmt.Errorf("%s graflow: %w", wl.name, err)
			}
			if i >= 0 {
				g = append(g, time.Since(start))
			}
			if gEvents, gBytes, err = history(ctx, c, res.WorkflowID); err != nil {
				return err
			}
			if wl.children != nil {
				gChildren = gChildren[:0]
				for _, id := range wl.children(res.WorkflowID) {
					n, b, err := history(ctx, c, id)
					if err != nil {
						return err
					}
					gChildren = append(gChildren, n)
					gBytes += b
				}
			}

			start = time.Now()
			id := fmt.Sprintf("h-%s-%d", wl.name, i)
			hr, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue, EnableEagerStart: true}, "hand_"+wl.name, wl.handArgs...)
			if err == nil {
				err = hr.Get(ctx, nil)
			}
			if err != nil {
				return fmt.Errorf("%s hand-written: %w", wl.name, err)
			}
			if i >= 0 {
				h = append(h, time.Since(start))
			}
			if hEvents, hBytes, err = history(ctx, c, id); err != nil {
				return err
			}
		}
		gm, hm := median(g), median(h)
		if *verbose {
			fmt.Fprintf(os.Stderr, "%s graflow %v\n%s hand    %v\n", wl.name, g, wl.name, h)
		}
		fmt.Printf("%-4s %-58s %10s %10s %7.2f %8d %8d", wl.name, wl.about, gm.Round(time.Millisecond), hm.Round(time.Millisecond), float64(gm)/float64(hm), gEvents, hEvents)
		if len(gChildren) > 0 {
			fmt.Printf("  (graflow child runs: %v events)", gChildren)
		}
		if wl.perTask > 0 {
			fmt.Printf("  history bytes per task: graflow %d, hand %d", gBytes/int64(wl.perTask), hBytes/int64(wl.perTask))
		}
		fmt.Println()
	}
	if *stalls > 0 {
		return countStalls(ctx, runner, *stalls)
	}
	return nil
}

// countStalls runs n one-task runs one after another through the Runner
// (wf.Start then Handle.Result, which is what wf.Execute does, timing the
// start apart), first each with a workflow type of its
// own (Graflow users write workflow("name") per job), then all of one
// type, and reports per mode the waits (start to result) over 2 s, the
// median and the slowest, and the slowest start.
func countStalls(ctx context.Context, runner *temporal.Runner, n int) error {
	for _, mode := range []struct {
		about string
		name  func(i int) string
	}{
		{"a workflow type per run", func(i int) string { return fmt.Sprintf("bench_stall_%d", i) }},
		{"one workflow type", func(int) string { return "bench_stall" }},
	} {
		var starts, waits []time.Duration
		over := 0
		for i := range n {
			wf := graflow.NewWorkflow(mode.name(i))
			wf.Add(noopTask.Instance("one", nil))
			start := time.Now()
			h, err := wf.Start(ctx, runner)
			if err != nil {
				return err
			}
			starts = append(starts, time.Since(start))
			if _, err := h.Result(ctx); err != nil {
				return err
			}
			d := time.Since(start)
			waits = append(waits, d)
			if d > 2*time.Second {
				over++
			}
		}
		fmt.Printf("%d one-task runs in a row, %s: %d waits over 2 s; median %v, slowest %v (slowest start %v)\n",
			n, mode.about, over, median(waits).Round(100*time.Microsecond), slices.Max(waits).Round(time.Millisecond), slices.Max(starts).Round(time.Millisecond))
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// history returns the events and bytes of a run's history.
func history(ctx context.Context, c client.Client, id string) (int, int64, error) {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return 0, 0, err
	}
	return int(d.WorkflowExecutionInfo.HistoryLength), d.WorkflowExecutionInfo.HistorySizeBytes, nil
}

// tracedClient is a client on srv's connection whose workflows, activities
// and calls are traced, every span kept in memory.
func tracedClient(ctx context.Context, srv *devserver.Server) (c client.Client, stop func(), err error) {
	tel, err := telemetry.Start(ctx, telemetry.Options{ServiceName: "graflow-bench", SpanExporter: tracetest.NewInMemoryExporter()})
	if err != nil {
		return nil, nil, err
	}
	opts := client.Options{Namespace: srv.Namespace(), Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))}
	tel.Apply(&opts)
	if c, err = client.NewClientFromExisting(srv.Client(), opts); err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close(); _ = tel.Shutdown(ctx) }, nil
}
