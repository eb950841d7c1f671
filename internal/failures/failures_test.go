package failures_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/failures"
)

// paramDecodeErr is a real decoding error, as graflow's parameter decoding produces it.
func paramDecodeErr() error {
	var n int
	return json.Unmarshal([]byte(`"abc"`), &n)
}

// overTheWire sends an encoded error through the SDK's failure converter,
// as an activity's or a workflow's failure travels through the server.
func overTheWire(err error) error {
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(err))
}

// asActivityError rebuilds enc the way a workflow sees an activity's
// failure: a *temporal.ActivityError whose cause is the ApplicationError.
func asActivityError(enc error) error {
	fc := temporal.GetDefaultFailureConverter()
	f := &failurepb.Failure{
		Message: "activity error",
		FailureInfo: &failurepb.Failure_ActivityFailureInfo{ActivityFailureInfo: &failurepb.ActivityFailureInfo{
			ActivityType: &commonpb.ActivityType{Name: "t"},
			ActivityId:   "1",
			RetryState:   enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
		}},
		Cause: fc.ErrorToFailure(enc),
	}
	return fc.FailureToError(f)
}

// paths are the ways an encoded error reaches Decode after crossing Temporal.
var paths = []struct {
	name string
	via  func(error) error
}{
	{"converter", overTheWire},
	{"activity error", asActivityError},
	{"activity error wrapped with fmt", func(e error) error { return fmt.Errorf("x: %w", asActivityError(e)) }},
}

func appError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "not an ApplicationError: %T %v", err, err)
	return app
}

func TestRoundTripKeepsTypeAndFields(t *testing.T) {
	plainCause := errors.New("boom")
	paramErr := &graflow.ParamError{Task: "load", Field: "Count", Key: "count", Err: paramDecodeErr()}
	tests := []struct {
		name  string
		err   error
		typ   string
		check func(t *testing.T, got error)
	}{
		{
			name: "task error with param error cause",
			err:  &graflow.TaskError{TaskID: "load_1", Attempt: 2, Err: paramErr},
			typ:  "graflow.TaskError",
			check: func(t *testing.T, got error) {
				var te *graflow.TaskError
				require.True(t, errors.As(got, &te), "%T", got)
				assert.Equal(t, "load_1", te.TaskID)
				assert.Equal(t, 2, te.Attempt)
				var pe *graflow.ParamError
				require.True(t, errors.As(got, &pe), "cause %T", te.Err)
				assert.Equal(t, "load", pe.Task)
				assert.Equal(t, "Count", pe.Field)
				assert.Equal(t, "count", pe.Key)
				require.Error(t, pe.Err)
				assert.Equal(t, paramErr.Err.Error(), pe.Err.Error())
			},
		},
		{
			name: "task error with plain cause",
			err:  &graflow.TaskError{TaskID: "t", Attempt: 1, Err: plainCause},
			typ:  "graflow.TaskError",
			check: func(t *testing.T, got error) {
				var te *graflow.TaskError
				require.True(t, errors.As(got, &te), "%T", got)
				assert.Equal(t, "t", te.TaskID)
				assert.Equal(t, 1, te.Attempt)
				require.Error(t, te.Err)
				assert.Equal(t, "boom", te.Err.Error())
				var pe *graflow.ParamError
				assert.False(t, errors.As(got, &pe))
			},
		},
		{
			name: "task error with sentinel cause",
			err:  &graflow.TaskError{TaskID: "t", Err: fmt.Errorf("%w: \"k\"", graflow.ErrKeyNotFound)},
			typ:  "graflow.TaskError",
			check: func(t *testing.T, got error) {
				var te *graflow.TaskError
				require.True(t, errors.As(got, &te), "%T", got)
				assert.ErrorIs(t, got, graflow.ErrKeyNotFound)
			},
		},
		{
			name: "bare param error",
			err:  paramErr,
			typ:  "graflow.ParamError",
			check: func(t *testing.T, got error) {
				var pe *graflow.ParamError
				require.True(t, errors.As(got, &pe), "%T", got)
				assert.Equal(t, "Count", pe.Field)
				assert.Equal(t, "count", pe.Key)
			},
		},
		{
			name: "parallel group error",
			err: &graflow.ParallelGroupError{GroupID: "fan", Policy: "at_least",
				Failed:    []graflow.TaskFailure{{TaskID: "b", Message: "b failed"}, {TaskID: "c", Message: "c failed"}},
				Succeeded: []string{"a"}},
			typ: "graflow.ParallelGroupError",
			check: func(t *testing.T, got error) {
				var ge *graflow.ParallelGroupError
				require.True(t, errors.As(got, &ge), "%T", got)
				assert.Equal(t, &graflow.ParallelGroupError{GroupID: "fan", Policy: "at_least",
					Failed:    []graflow.TaskFailure{{TaskID: "b", Message: "b failed"}, {TaskID: "c", Message: "c failed"}},
					Succeeded: []string{"a"}}, ge)
			},
		},
		{
			name: "workflow canceled",
			err:  &graflow.WorkflowCanceledError{TaskID: "gate", Reason: "rejected"},
			typ:  "graflow.WorkflowCanceledError",
			check: func(t *testing.T, got error) {
				var ce *graflow.WorkflowCanceledError
				require.True(t, errors.As(got, &ce), "%T", got)
				assert.Equal(t, &graflow.WorkflowCanceledError{TaskID: "gate", Reason: "rejected"}, ce)
			},
		},
		{
			name: "cycle limit",
			err:  &graflow.CycleLimitError{TaskID: "agent", Cycle: 11, MaxCycles: 10},
			typ:  "graflow.CycleLimitError",
			check: func(t *testing.T, got error) {
				var le *graflow.CycleLimitError
				require.True(t, errors.As(got, &le), "%T", got)
				assert.Equal(t, &graflow.CycleLimitError{TaskID: "agent", Cycle: 11, MaxCycles: 10}, le)
			},
		},
		{
			name: "wrapped ErrTaskNotRegistered",
			err:  fmt.Errorf("%w: %q is not registered on task queue %q", graflow.ErrTaskNotRegistered, "x", "q"),
			typ:  "graflow.TaskNotRegistered",
			check: func(t *testing.T, got error) {
				assert.ErrorIs(t, got, graflow.ErrTaskNotRegistered)
				assert.NotErrorIs(t, got, graflow.ErrInvalidGraph)
			},
		},
		{
			name: "wrapped ErrInvalidGraph",
			err:  fmt.Errorf("%w: node %q is not in the graph", graflow.ErrInvalidGraph, "n"),
			typ:  "graflow.InvalidGraph",
			check: func(t *testing.T, got error) {
				assert.ErrorIs(t, got, graflow.ErrInvalidGraph)
				assert.NotErrorIs(t, got, graflow.ErrTaskNotRegistered)
			},
		},
		{
			name: "wrapped ErrKeyNotFound",
			err:  fmt.Errorf("%w: %q", graflow.ErrKeyNotFound, "k"),
			typ:  "graflow.KeyNotFound",
			check: func(t *testing.T, got error) {
				assert.ErrorIs(t, got, graflow.ErrKeyNotFound)
			},
		},
		{
			name: "wrapped ErrFeedbackTimeout",
			err:  fmt.Errorf("request r1: %w", graflow.ErrFeedbackTimeout),
			typ:  "graflow.FeedbackTimeout",
			check: func(t *testing.T, got error) {
				assert.ErrorIs(t, got, graflow.ErrFeedbackTimeout)
			},
		},
		{
			name: "plain error",
			err:  errors.New("something broke"),
			typ:  "graflow.Error",
			check: func(t *testing.T, got error) {
				for _, s := range []error{graflow.ErrKeyNotFound, graflow.ErrTaskNotRegistered, graflow.ErrInvalidGraph} {
					assert.NotErrorIs(t, got, s)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, nonRetryable := range []bool{true, false} {
				enc := failures.Encode(tt.err, nonRetryable)
				app := appError(t, enc)
				assert.Equal(t, tt.typ, app.Type())
				assert.Equal(t, tt.err.Error(), app.Message())
				assert.Equal(t, nonRetryable, app.NonRetryable())
				for _, p := range paths {
					t.Run(fmt.Sprintf("%s/nonRetryable=%v", p.name, nonRetryable), func(t *testing.T) {
						received := p.via(enc)
						rapp := appError(t, received)
						assert.Equal(t, tt.typ, rapp.Type())
						assert.Equal(t, nonRetryable, rapp.NonRetryable())
						got := failures.Decode(received)
						require.Error(t, got)
						assert.Equal(t, tt.err.Error(), got.Error(), "message kept")
						tt.check(t, got)
					})
				}
			}
		})
	}
}

// Decoding in the same process, without the SDK's converter in between
// (what a unit test, or code that encodes and inspects an error itself,
// does). Encode stores its detail as a *wire; ApplicationError.Details on
// in-memory details assigns by reflection, so Details(&w) with w a wire
// panics ("reflect.Set: value of type *failures.wire is not assignable to
// type failures.wire").
func TestDecodeInProcess(t *testing.T) {
	tests := []struct {
		err   error
		check func(t *testing.T, got error)
	}{
		{&graflow.TaskError{TaskID: "t", Attempt: 1, Err: errors.New("boom")}, func(t *testing.T, got error) {
			var te *graflow.TaskError
			require.True(t, errors.As(got, &te), "%T", got)
			assert.Equal(t, "t", te.TaskID)
		}},
		{&graflow.CycleLimitError{TaskID: "agent", Cycle: 11, MaxCycles: 10}, func(t *testing.T, got error) {
			var le *graflow.CycleLimitError
			require.True(t, errors.As(got, &le), "%T", got)
			assert.Equal(t, 10, le.MaxCycles)
		}},
		{fmt.Errorf("%w: x", graflow.ErrTaskNotRegistered), func(t *testing.T, got error) {
			assert.ErrorIs(t, got, graflow.ErrTaskNotRegistered)
		}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.err), func(t *testing.T) {
			enc := failures.Encode(tt.err, true)
			var got error
			require.NotPanics(t, func() { got = failures.Decode(enc) })
			require.Error(t, got)
			assert.Equal(t, tt.err.Error(), got.Error())
			tt.check(t, got)
		})
	}
}

func TestDecodeNonGraflowErrorUnchanged(t *testing.T) {
	plain := errors.New("plain")
	other := temporal.NewApplicationError("other", "mylib.Error")
	timeout := temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil)
	for _, e := range []error{plain, other, timeout, overTheWire(other)} {
		assert.Same(t, e, failures.Decode(e))
	}
	assert.Nil(t, failures.Decode(nil))
}

func TestDecodeGraflowTypeWithoutDetailsKeepsMessage(t *testing.T) {
	// An ApplicationError of a graflow type but without the structured
	// detail (made by hand, or by another SDK) decodes to its message.
	e := temporal.NewNonRetryableApplicationError("task \"x\" failed: boom", "graflow.TaskError", nil)
	got := failures.Decode(overTheWire(e))
	require.Error(t, got)
	assert.Equal(t, "task \"x\" failed: boom", got.Error())
	var te *graflow.TaskError
	assert.False(t, errors.As(got, &te))
}

func TestEncodeNil(t *testing.T) {
	assert.Nil(t, failures.Encode(nil, true))
	assert.Nil(t, failures.Encode(nil, false))
}

// Re-encoding an error received from Temporal (an ApplicationError with
// encoded details) gives the same ApplicationError.
func TestEncodeOfReceivedErrorIsIdempotent(t *testing.T) {
	orig := &graflow.TaskError{TaskID: "t", Attempt: 3, Err: &graflow.ParamError{Task: "t", Field: "N", Key: "n", Err: errors.New("bad")}}
	once := overTheWire(failures.Encode(orig, true))
	for _, nonRetryable := range []bool{true, false} {
		twice := failures.Encode(once, nonRetryable)
		app := appError(t, twice)
		assert.Equal(t, "graflow.TaskError", app.Type())
		assert.Equal(t, orig.Error(), app.Message())
		assert.Equal(t, nonRetryable, app.NonRetryable(), "the new flag wins")
		got := failures.Decode(overTheWire(twice))
		var te *graflow.TaskError
		require.True(t, errors.As(got, &te))
		assert.Equal(t, 3, te.Attempt)
		var pe *graflow.ParamError
		require.True(t, errors.As(got, &pe))
		assert.Equal(t, "n", pe.Key)
		assert.Equal(t, orig.Error(), got.Error())
	}
}

// Encode(Encode(err)) in one process: the doc comment promises idempotence.
// Fails today with the same panic as TestDecodeInProcess (Encode decodes
// its argument first).
func TestDoubleEncodeInProcessIsIdempotent(t *testing.T) {
	orig := &graflow.CycleLimitError{TaskID: "agent", Cycle: 4, MaxCycles: 3}
	once := failures.Encode(orig, true)
	var twice error
	require.NotPanics(t, func() { twice = failures.Encode(once, true) })
	a1, a2 := appError(t, once), appError(t, twice)
	assert.Equal(t, a1.Type(), a2.Type())
	assert.Equal(t, a1.Message(), a2.Message())
	assert.Equal(t, a1.NonRetryable(), a2.NonRetryable())
	var le *graflow.CycleLimitError
	require.True(t, errors.As(failures.Decode(overTheWire(twice)), &le))
	assert.Equal(t, orig, le)
}

// A wrapped typed error is encoded as its type; the wrapping text stays in
// the ApplicationError's message.
func TestEncodeFindsTypedErrorInChain(t *testing.T) {
	wrapped := fmt.Errorf("running: %w", &graflow.WorkflowCanceledError{TaskID: "g", Reason: "no"})
	enc := failures.Encode(wrapped, true)
	app := appError(t, enc)
	assert.Equal(t, "graflow.WorkflowCanceledError", app.Type())
	assert.Equal(t, wrapped.Error(), app.Message())
	var ce *graflow.WorkflowCanceledError
	require.True(t, errors.As(failures.Decode(overTheWire(enc)), &ce))
	assert.Equal(t, "no", ce.Reason)
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{serviceerror.NewUnavailable("restarting"), true},
		{serviceerror.NewDeadlineExceeded("slow"), true},
		{serviceerror.NewResourceExhausted(0, "busy"), true},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{serviceerror.NewNotFound("no such run"), false},
		{temporal.NewApplicationError("task failed", "x"), false},
		{errors.New("boom"), false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, failures.Transient(tc.err), "%v", tc.err)
	}
}

func TestRetry(t *testing.T) {
	calls := 0
	err := failures.Retry(context.Background(), func() error {
		calls++
		if calls < 3 {
			return serviceerror.NewUnavailable("restarting")
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, calls)

	calls = 0
	boom := errors.New("boom")
	assert.ErrorIs(t, failures.Retry(context.Background(), func() error { calls++; return boom }), boom)
	assert.Equal(t, 1, calls, "an answer is not retried")
}

// When ctx ends while the calls fail, Retry's error matches ctx.Err() and
// keeps the last error: a server's DeadlineExceeded alone does not match
// context.DeadlineExceeded.
func TestRetryWhenContextEnds(t *testing.T) {
	server := serviceerror.NewDeadlineExceeded("long poll cut short")
	expired, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"deadline", expired, context.DeadlineExceeded},
		{"canceled", canceled, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := failures.Retry(tc.ctx, func() error { return server })
			assert.ErrorIs(t, err, tc.want)
			var se *serviceerror.DeadlineExceeded
			assert.ErrorAs(t, err, &se, "the server's error is kept")
			assert.ErrorContains(t, err, "long poll cut short")
		})
	}
	err := failures.Retry(expired, func() error { return fmt.Errorf("get: %w", context.DeadlineExceeded) })
	assert.Equal(t, "get: context deadline exceeded", err.Error(), "an error that already matches is not wrapped again")
}
