package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

// readyTimeout bounds the wait for a started server to answer when the
// context given to Start has no earlier deadline.
const readyTimeout = 60 * time.Second

// Options configures an embedded dev server. The zero value is an in-memory
// server on free ports with a Web UI, namespace "default" and no logs.
type Options struct {
	// DBFile is the SQLite database file. "" keeps everything in memory
	// (lost on Stop). A file is created with its schema on first use and
	// reused, with all its workflows, on later starts.
	DBFile string
	// FrontendPort is the gRPC port of the frontend on 127.0.0.1; 0 picks a
	// free port.
	FrontendPort int
	// UIPort is the port of the Web UI on 127.0.0.1; 0 picks a free port and
	// -1 disables the UI.
	UIPort int
	// Namespace is created (if missing) and used by Client; "" means
	// "default". The namespace "default" is always created as well.
	Namespace string
	// Postgres, when set, stores everything in PostgreSQL instead of
	// SQLite (DBFile must then be ""), and the server runs as users'
	// servers do: 4 history shards and the server's default dynamic config
	// (task-queue partitions, queue-reader and API rate limits, caches).
	// The only settings kept from the dev server are the ones an embedded
	// server needs to stop cleanly (no system workers left polling).
	Postgres *Postgres
	// Logger receives the server's and the client's warnings and errors
	// (their info logs are very noisy and dropped). nil discards all logs.
	Logger *slog.Logger
	// TLS, when set, serves the frontend over TLS (mutual TLS with
	// TLSOptions.ClientCAFile); nil = plain gRPC.
	TLS *TLSOptions
	// DataConverter and FailureConverter are those of Client (nil = the
	// SDK's defaults): set them to encrypt payloads (package codec).
	DataConverter    converter.DataConverter
	FailureConverter converter.FailureConverter
	// CodecEndpoint is the remote codec endpoint the Web UI decodes
	// payloads with (its browser calls <endpoint>/decode), e.g. a
	// codec.NewHTTPHandler served by the caller; "" = none.
	CodecEndpoint string
}

// Server is a running embedded Temporal server. Create it with Start and
// release it with Stop.
type Server struct {
	namespace    string
	frontendAddr string
	uiAddr       string
	tls          *TLSOptions

	server   temporal.Server
	ui       *webUI
	client   client.Client
	logLevel *slog.LevelVar
	sqlCfg   *config.SQL
	inMemory bool
	// visCfg is the visibility store on PostgreSQL (nil on SQLite);
	// temporary says both databases are dropped on Stop.
	visCfg    *config.SQL
	temporary bool

	stopOnce sync.Once
	stopErr  error
}

// Start starts an embedded Temporal server (and its Web UI unless
// opts.UIPort is -1) and returns once the frontend answers requests on the
// namespace, with the graflow search attributes registered. ctx bounds the
// start-up only; the server runs until Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	if opts.FrontendPort < 0 {
		return nil, fmt.Errorf("devserver: invalid frontend port %d", opts.FrontendPort)
	}
	if opts.UIPort < -1 {
		return nil, fmt.Errorf("devserver: invalid UI port %d", opts.UIPort)
	}
	if opts.TLS != nil {
		if err := opts.TLS.check(); err != nil {
			return nil, fmt.Errorf("devserver: %w", err)
		}
	}
	s := &Server{namespace: opts.Namespace, logLevel: &slog.LevelVar{}, tls: opts.TLS}
	if s.namespace == "" {
		s.namespace = defaultNamespace
	}
	s.logLevel.Set(slog.LevelWarn)
	errLogger := filteredLogger(opts.Logger, s.logLevel)

	// Ports.
	picker := newPortPicker()
	ps, err := pickServerPorts(picker, opts.FrontendPort)
	if err != nil {
		return nil, fmt.Errorf("devserver: ports: %w", err)
	}
	s.frontendAddr = hostPort(ps.frontend)
	uiPort := opts.UIPort
	switch {
	case uiPort == 0:
		if uiPort, err = picker.pick(); err != nil {
			return nil, fmt.Errorf("devserver: UI port: %w", err)
		}
	case uiPort > 0:
		if err := picker.reserve(uiPort); err != nil {
			return nil, fmt.Errorf("devserver: UI: %w", err)
		}
	}

	// Store: schema and namespaces with search attributes.
	namespaces := []string{defaultNamespace}
	if s.namespace != defaultNamespace {
		namespaces = append(namespaces, s.namespace)
	}
	st := stores{shards: 1}
	switch {
	case opts.Postgres != nil:
		if opts.DBFile != "" {
			return nil, errors.New("devserver: DBFile and Postgres are exclusive")
		}
		if s.sqlCfg, s.visCfg, err = postgresStores(opts.Postgres); err != nil {
			return nil, fmt.Errorf("devserver: %w", err)
		}
		s.temporary = opts.Postgres.Temporary
		st = stores{history: s.sqlCfg, visibility: s.visCfg, shards: postgresShards}
		if err := preparePostgres(s.sqlCfg, s.visCfg, s.temporary, namespaces); err != nil {
			s.wipe()
			return nil, fmt.Errorf("devserver: %w", err)
		}
	case opts.DBFile == "":
		s.inMemory = true
		s.sqlCfg = sqlConfig("", "graflow-devserver-"+primitives.NewUUID().String())
	default:
		path, err := resolveDBFile(opts.DBFile)
		if err != nil {
			return nil, fmt.Errorf("devserver: %w", err)
		}
		s.sqlCfg = sqlConfig(path, "")
	}
	if s.visCfg == nil {
		st.history = s.sqlCfg
		if err := prepareStore(s.sqlCfg, s.inMemory, namespaces); err != nil {
			s.wipe()
			return nil, fmt.Errorf("devserver: %w", err)
		}
	}

	// Server.
	conf := serverConfig(ps, st)
	if opts.TLS != nil {
		conf.Global.TLS = opts.TLS.rootTLS()
	}
	serverOpts, err := serverOptions(conf, ps, newServerLogger(opts.Logger, s.logLevel), s.visCfg == nil)
	if err != nil {
		s.wipe()
		return nil, fmt.Errorf("devserver: %w", err)
	}
	srv, err := temporal.NewServer(serverOpts...)
	if err != nil {
		s.wipe()
		return nil, fmt.Errorf("devserver: create server: %w", err)
	}
	if err := startServer(ctx, srv, s.wipe); err != nil {
		return nil, fmt.Errorf("devserver: start server: %w", err)
	}
	s.server = srv

	readyCtx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()

	// Web UI.
	if uiPort > 0 {
		ui, err := startUI(readyCtx, uiConfig{port: uiPort, frontend: s.frontendAddr, namespace: s.namespace, codecEndpoint: opts.CodecEndpoint, tls: opts.TLS}, errLogger)
		if err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("devserver: start UI: %w", err)
		}
		s.ui = ui
		s.uiAddr = "http://" + hostPort(uiPort)
	}

	// Client, and wait until the frontend serves the namespace.
	if err := s.connect(readyCtx, opts); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("devserver: %w", err)
	}
	return s, nil
}

// startServer runs srv.Start and calls cleanup once the server is down
// again if it fails. When ctx ends first it gives up waiting; the server is
// then stopped (and cleaned up) in the background once its start finishes.
func startServer(ctx context.Context, srv temporal.Server, cleanup func()) error {
	errCh := make(chan error, 1)
	go func() { errCh <- srv.Start() }()
	select {
	case err := <-errCh:
		if err != nil {
			cleanup()
		}
		return err
	case <-ctx.Done():
		go func() {
			if err := <-errCh; err == nil {
				_ = srv.Stop()
			}
			cleanup()
		}()
		return ctx.Err()
	}
}

// connect dials the SDK client and waits until the namespace can be
// described and lists the graflow search attributes, adding any that a
// database created elsewhere lacks.
func (s *Server) connect(ctx context.Context, opts Options) error {
	var lastErr error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				if lastErr == nil {
					lastErr = ctx.Err()
				}
				return fmt.Errorf("frontend %s not ready: %w", s.frontendAddr, lastErr)
			case <-time.After(50 * time.Millisecond):
			}
		}
		if s.client == nil {
			copts := client.Options{
				HostPort:         s.frontendAddr,
				Namespace:        s.namespace,
				Logger:           newClientLogger(opts.Logger),
				DataConverter:    opts.DataConverter,
				FailureConverter: opts.FailureConverter,
			}
			if s.tls != nil {
				tc, err := s.tls.clientConfig()
				if err != nil {
					return fmt.Errorf("TLS: %w", err)
				}
				copts.ConnectionOptions.TLS = tc
			}
			c, err := client.DialContext(ctx, copts)
			if err != nil {
				lastErr = fmt.Errorf("dial: %w", err)
				continue
			}
			s.client = c
		}
		if lastErr = s.checkReady(ctx); lastErr == nil {
			return nil
		}
	}
}

// checkReady describes the namespace and makes sure the search attributes
// are registered.
func (s *Server) checkReady(ctx context.Context) error {
	callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.client.WorkflowService().DescribeNamespace(callCtx, &workflowservice.DescribeNamespaceRequest{
		Namespace: s.namespace,
	}); err != nil {
		return fmt.Errorf("describe namespace %q: %w", s.namespace, err)
	}
	resp, err := s.client.OperatorService().ListSearchAttributes(callCtx, &operatorservice.ListSearchAttributesRequest{
		Namespace: s.namespace,
	})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range searchAttributes {
		got, ok := resp.GetCustomAttributes()[name]
		if !ok {
			missing[name] = typ
		} else if got != typ {
			return fmt.Errorf("search attribute %s has type %s, want %s", name, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := s.client.OperatorService().AddSearchAttributes(callCtx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        s.namespace,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return errors.New("search attributes added, re-checking")
}

// FrontendAddress returns the gRPC address of the frontend,
// "127.0.0.1:port" (served over TLS when Options.TLS was set).
func (s *Server) FrontendAddress() string { return s.frontendAddr }

// UIAddress returns the URL of the Web UI, "http://127.0.0.1:port", or ""
// when the server runs without UI.
func (s *Server) UIAddress() string { return s.uiAddr }

// Namespace returns the namespace the server was started for and Client
// uses.
func (s *Server) Namespace() string { return s.namespace }

// Client returns an SDK client connected to the server on Namespace, with a
// quiet logger (warnings and errors to Options.Logger, if any). It is owned
// by the Server and closed by Stop; callers must not close it.
func (s *Server) Client() client.Client { return s.client }

// Stop stops the Web UI, closes the client and stops the server. An
// in-memory database is emptied. Stop is idempotent and safe to call
// concurrently; later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	// The server routinely warns while shutting down.
	s.logLevel.Set(slog.LevelError)
	if s.ui != nil {
		s.ui.stop()
	}
	if s.client != nil {
		s.client.Close()
	}
	var err error
	if s.server != nil {
		if stopErr := s.server.Stop(); stopErr != nil {
			err = fmt.Errorf("devserver: stop server: %w", stopErr)
		}
	}
	// Whatever stragglers log after this point is noise.
	s.logLevel.Set(slog.LevelError + 100)
	s.wipe()
	return err
}

// wipe empties an in-memory database and drops temporary PostgreSQL
// databases (best effort).
func (s *Server) wipe() {
	if s.inMemory && s.sqlCfg != nil {
		_ = wipeMemoryStore(s.sqlCfg)
	}
	if s.temporary && s.visCfg != nil {
		_ = dropPostgresStores(s.sqlCfg, s.visCfg)
	}
}
