package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/codec"
	"github.com/graflow-go/graflow/internal/cli"
)

// Defaults of `starter codec-server`.
const defaultCodecPort = 8234

// defaultUIOrigins are the origins of the Web UI of `starter dev` with its
// default port.
var defaultUIOrigins = []string{"http://127.0.0.1:8233", "http://localhost:8233"}

// codecServer is a remote codec endpoint served over HTTP.
type codecServer struct {
	srv  *http.Server
	url  string
	done chan struct{}
}

// serveCodec serves h on addr (host:port; port 0 = a free port) until stop.
func serveCodec(addr string, h http.Handler) (*codecServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("codec server: %w", err)
	}
	s := &codecServer{
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		url:  "http://" + ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed on stop
	}()
	return s, nil
}

// URL returns the endpoint's base URL, "http://host:port".
func (s *codecServer) URL() string { return s.url }

// stop shuts the server down, waiting (bounded) for requests in flight.
func (s *codecServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
}

// lateHandler serves a handler set once it is known (the dev server's UI
// origin is known only after start), and 503 before.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) set(h http.Handler) { l.h.Store(&h) }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	http.Error(w, "codec endpoint starting", http.StatusServiceUnavailable)
}

// uiOrigins returns the origins of a UI at base URL ui (127.0.0.1 also as
// localhost), or none for "".
func uiOrigins(ui string) []string {
	if ui == "" {
		return nil
	}
	origins := []string{ui}
	if l := strings.Replace(ui, "//127.0.0.1:", "//localhost:", 1); l != ui {
		origins = append(origins, l)
	}
	return origins
}

// newCodecServerCmd builds `starter codec-server`: Temporal's remote codec
// endpoint with the settings' encryption keys, for the Web UI and the
// temporal CLI.
func newCodecServerCmd(a *app) *cobra.Command {
	var (
		host    string
		port    int
		origins []string
	)
	cmd := &cobra.Command{
		Use:   "codec-server",
		Short: "Serve the remote codec endpoint that decrypts payloads for the Web UI and temporal CLI",
		Long: `Serve Temporal's remote codec endpoint (POST /encode and /decode) with the
keys of the encryption key file (--encryption-key-file or
GRAFLOW_ENCRYPTION_KEY_FILE), until Ctrl+C. Point the Web UI's codec endpoint
(its settings, or the ui-server config codec.endpoint) or the temporal CLI's
--codec-endpoint at it to see decrypted payloads. Browsers may call it from the
--ui-origin origins (CORS).

It has no authentication: it listens on 127.0.0.1 unless --host says otherwise;
anyone who can reach it can decrypt payloads.`,
		Example: `  starter codec-server --encryption-key-file keys
  starter codec-server --port 8081 --ui-origin https://temporal.example.com
  temporal workflow show --workflow-id etl-1 --codec-endpoint http://127.0.0.1:8234`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, logger, err := a.settings(cmd)
			if err != nil {
				return err
			}
			if port < 0 || port > 65535 {
				return fmt.Errorf("invalid --port %d", port)
			}
			c, err := cli.Codec(cfg)
			if err != nil {
				return err
			}
			s, err := serveCodec(net.JoinHostPort(host, strconv.Itoa(port)), codec.NewHTTPHandler(codec.HTTPOptions{AllowedOrigins: origins}, c))
			if err != nil {
				return err
			}
			logger.Info("codec server listening", "endpoint", s.URL(), "keys", strings.Join(c.KeyIDs(), ","),
				"current", c.CurrentKeyID(), "ui_origins", strings.Join(origins, ","))
			fmt.Fprintf(cmd.ErrOrStderr(), "codec endpoint %s\n  temporal CLI: --codec-endpoint %s\nPress Ctrl+C to stop.\n", s.URL(), s.URL())
			<-cmd.Context().Done()
			s.stop()
			logger.Info("codec server stopped")
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&host, "host", "127.0.0.1", "interface to listen on")
	fs.IntVar(&port, "port", defaultCodecPort, "port to listen on (0 = a free port)")
	fs.StringSliceVar(&origins, "ui-origin", defaultUIOrigins, `origin of a Web UI allowed to call the endpoint ("*" = any); repeatable`)
	return cmd
}
