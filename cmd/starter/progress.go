package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"golang.org/x/term"

	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/internal/runview"
)

// lineRefresh bounds how often the progress line of a terminal is redrawn.
const lineRefresh = 100 * time.Millisecond

// progressDrain is how long progress may take to show a run's last events
// once the command has its result.
const progressDrain = 2 * time.Second

// showProgress follows run workflowID/runID on w (payloads decoded by dc) until the run closes or
// ctx ends: on a terminal one line redrawn in place, otherwise one line per
// task that starts or ends. It reads the run's history by long poll, so it
// adds nothing to the run. The returned stop waits for it to finish.
func showProgress(ctx context.Context, w io.Writer, c client.Client, dc converter.DataConverter, workflowID, runID string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	tty := isTerminal(w)
	var last time.Time
	var lastLine string
	go func() {
		defer close(done)
		_ = runview.Follow(ctx, c, workflowID, runID, dc, func(changes []runview.Change, p runview.Progress) {
			if !tty {
				for _, ch := range changes {
					if line := changeLine(ch); line != "" {
						fmt.Fprintln(w, line)
					}
				}
				return
			}
			if time.Since(last) < lineRefresh && p.Counts[flowgraph.Done] < p.Total {
				return
			}
			last = time.Now()
			lastLine = progressLine(p, time.Now())
			fmt.Fprint(w, "\r\033[K"+lastLine)
		})
		if tty && lastLine != "" {
			fmt.Fprintln(w)
		}
	}()
	return func() {
		// The run has closed or the command gives up: let the last events
		// arrive before stopping.
		select {
		case <-done:
		case <-time.After(progressDrain):
		}
		cancel()
		<-done
	}
}

// changeLine is the line of one task's change: "task fetch started",
// "task fetch done in 12ms", "task boom failed: kaboom"; "" between
// scheduled and running (a task is announced once, when scheduled).
func changeLine(ch runview.Change) string {
	if started(ch.From) && started(ch.To) {
		return ""
	}
	name := ch.TaskID
	if ch.Task != "" && ch.Task != ch.TaskID {
		name += " (" + ch.Task + ")"
	}
	switch ch.To {
	case flowgraph.Scheduled, flowgraph.Running:
		return "task " + name + " started"
	case flowgraph.Done:
		if ch.Duration > 0 {
			return fmt.Sprintf("task %s done in %s", name, roundDuration(ch.Duration))
		}
		return "task " + name + " done"
	case flowgraph.Failed, flowgraph.Retrying:
		if ch.Error != "" {
			return fmt.Sprintf("task %s %s: %s", name, ch.To, firstLine(ch.Error))
		}
	}
	return fmt.Sprintf("task %s %s", name, ch.To)
}

func started(s flowgraph.State) bool { return s == flowgraph.Scheduled || s == flowgraph.Running }

// progressLine is the terminal's line: "[3/10 done] running: a, b · 1 failed · 2.1s".
func progressLine(p runview.Progress, now time.Time) string {
	parts := []string{fmt.Sprintf("[%d/%d done]", p.Counts[flowgraph.Done], p.Total)}
	if len(p.Active) > 0 {
		shown := p.Active[:min(len(p.Active), 3)]
		s := "running: " + strings.Join(shown, ", ")
		if more := len(p.Active) - len(shown); more > 0 {
			s += fmt.Sprintf(" +%d", more)
		}
		parts = append(parts, s)
	}
	if n := p.Counts[flowgraph.Waiting]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d waiting for feedback", n))
	}
	if n := p.Counts[flowgraph.Failed]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", n))
	}
	if !p.Start.IsZero() {
		parts = append(parts, roundDuration(now.Sub(p.Start)).String())
	}
	return strings.Join(parts, " · ")
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// roundDuration rounds d for people: ms below a second, else 0.1 s.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
