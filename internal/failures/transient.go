package failures

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Transient reports whether err is a hiccup of the server or the network
// (unavailable, overloaded, a call that timed out) that a later call may
// not meet, as opposed to an answer (a run that failed, a missing run).
func Transient(err error) bool {
	var ended *temporal.WorkflowExecutionError
	if errors.As(err, &ended) {
		return false // the run's own outcome
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var exhausted *serviceerror.ResourceExhausted
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &exhausted) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	}
	return false
}

// Retry calls f until it returns nil or an error that is not Transient, or
// ctx ends, waiting between calls with a backoff capped at 5 s. When ctx
// ends first, the error wraps both ctx.Err() and f's last error, so that
// errors.Is(err, context.DeadlineExceeded) (or context.Canceled) holds.
func Retry(ctx context.Context, f func() error) error {
	wait := 100 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctxEnded(ctx, err)
		}
		if !Transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctxEnded(ctx, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// ctxEnded is err, the last error of a call cut short because ctx ended,
// made to match ctx.Err() as well: a server's DeadlineExceeded or a
// Canceled status does not, by itself.
func ctxEnded(ctx context.Context, err error) error {
	if errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %w", ctx.Err(), err)
}
