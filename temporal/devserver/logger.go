package devserver

import (
	"context"
	"log/slog"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// levelHandler is a slog.Handler that drops records below a (changeable)
// minimum level before handing them to the wrapped handler.
type levelHandler struct {
	inner slog.Handler
	level *slog.LevelVar
}

var _ slog.Handler = levelHandler{}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level.Level() && h.inner.Enabled(ctx, l)
}

func (h levelHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < h.level.Level() {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelHandler{inner: h.inner.WithAttrs(attrs), level: h.level}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{inner: h.inner.WithGroup(name), level: h.level}
}

// filteredLogger returns base restricted to records at or above level, or a
// logger that discards everything when base is nil.
func filteredLogger(base *slog.Logger, level *slog.LevelVar) *slog.Logger {
	if base == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelHandler{inner: base.Handler(), level: level})
}

// serverLogger adapts an slog.Logger to the Temporal server's log.Logger.
// Panic, DPanic and Fatal are logged at error level and never panic or exit.
type serverLogger struct {
	log *slog.Logger
}

var (
	_ log.Logger      = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
)

// newServerLogger returns the logger handed to the Temporal server: a no-op
// logger when base is nil, otherwise base filtered by level.
func newServerLogger(base *slog.Logger, level *slog.LevelVar) log.Logger {
	if base == nil {
		return log.NewNoopLogger()
	}
	return serverLogger{log: filteredLogger(base, level).With("component", "temporal-server")}
}

func (s serverLogger) Debug(msg string, tags ...tag.Tag)  { s.emit(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)   { s.emit(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.emit(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }
func (s serverLogger) Panic(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s serverLogger) Fatal(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }

// SLog lets the server's own slog bridge use the filtered logger directly.
func (s serverLogger) SLog() *slog.Logger { return s.log }

func (s serverLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.log.LogAttrs(ctx, level, msg, attrs...)
}

// newClientLogger returns the quiet logger used by the SDK client (and the
// workers built on it): warnings and errors go to base, everything else is
// dropped; nothing is logged when base is nil.
func newClientLogger(base *slog.Logger) sdklog.Logger {
	level := &slog.LevelVar{}
	level.Set(slog.LevelWarn)
	l := filteredLogger(base, level)
	if base != nil {
		l = l.With("component", "temporal-client")
	}
	return sdklog.NewStructuredLogger(l)
}
