package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is a running Temporal Web UI server.
type webUI struct {
	srv  *uiserver.Server
	done chan struct{} // closed when srv.Start has returned
}

// uiConfig is what the embedded UI is started with.
type uiConfig struct {
	port          int
	frontend      string
	namespace     string
	codecEndpoint string // "" = none
	tls           *TLSOptions
}

// newUIServer builds the UI server. uiserver.NewServer panics on a bad
// config; the panic is turned into an error.
func newUIServer(c uiConfig) (srv *uiserver.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("create UI server: %v", r)
		}
	}()
	cfg := &uiconfig.Config{
		Host:                loopback,
		Port:                c.port,
		TemporalGRPCAddress: c.frontend,
		EnableUI:            true,
		DefaultNamespace:    c.namespace,
		// The browser calls the codec endpoint itself, which must allow
		// the UI's origin (CORS).
		Codec: uiconfig.Codec{Endpoint: c.codecEndpoint},
		// Plain HTTP on loopback: the CSRF cookie must not be marked Secure,
		// or the browser drops it and every write action (signal, cancel,
		// terminate...) of the UI fails.
		CORS:             uiconfig.CORS{CookieInsecure: true},
		HideLogs:         true,
		DisableNewsFetch: true,
	}
	if tlsOpts := c.tls; tlsOpts != nil {
		// The UI's own connection to a TLS frontend.
		cfg.TLS = uiconfig.TLS{
			CaFile:                 tlsOpts.CAFile,
			CertFile:               tlsOpts.ClientCertFile,
			KeyFile:                tlsOpts.ClientKeyFile,
			ServerName:             tlsOpts.serverName(),
			EnableHostVerification: true,
		}
	}
	return uiserver.NewServer(uiserveroptions.WithConfigProvider(cfg)), nil
}

// startUI starts the UI server on 127.0.0.1:port and waits until it accepts
// connections. The port must be free: when the UI server cannot listen it
// exits the process (ui-server calls echo's Logger.Fatal).
func startUI(ctx context.Context, c uiConfig, logger *slog.Logger) (*webUI, error) {
	port := c.port
	// Checked when the ports were picked; check again to narrow the window
	// in which another process could take it.
	if err := checkPortFree(port); err != nil {
		return nil, fmt.Errorf("UI port %d is not available: %w", port, err)
	}
	srv, err := newUIServer(c)
	if err != nil {
		return nil, err
	}
	ui := &webUI{srv: srv, done: make(chan struct{})}
	go func() {
		defer close(ui.done)
		defer func() {
			if r := recover(); r != nil {
				logger.Error("devserver: UI server panicked", "panic", fmt.Sprint(r))
			}
		}()
		// Start blocks until Stop; it returns nil when stopped.
		if err := srv.Start(); err != nil {
			logger.Error("devserver: UI server failed", "error", err)
		}
	}()
	addr := hostPort(port)
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = conn.Close()
			return ui, nil
		}
		select {
		case <-ui.done:
			return nil, fmt.Errorf("UI server on %s exited during start-up", addr)
		case <-ctx.Done():
			ui.stop()
			return nil, fmt.Errorf("wait for UI server on %s: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop closes the UI server and waits (bounded) for its Start to return.
func (u *webUI) stop() {
	u.srv.Stop()
	select {
	case <-u.done:
	case <-time.After(5 * time.Second):
	}
}
