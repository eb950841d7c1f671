package cli

import (
	"io"
	"log/slog"

	"github.com/spf13/viper"
)

// NewLogger returns a text logger writing to w at level.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// Logger returns a text logger writing to w (the binaries pass stderr) at
// the level of the log-level setting in v.
func Logger(w io.Writer, v *viper.Viper) (*slog.Logger, error) {
	level, err := ParseLevel(v.GetString(KeyLogLevel))
	if err != nil {
		return nil, err
	}
	return NewLogger(w, level), nil
}
