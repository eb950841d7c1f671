package devserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteschema "go.temporal.io/server/schema/sqlite"

	"github.com/graflow-go/graflow/internal/pgtest"
	"github.com/graflow-go/graflow/internal/testutil"
)

var (
	awaitingFeedbackKey = sdktemporal.NewSearchAttributeKeyBool("GraflowAwaitingFeedback")
	graflowWorkflowKey  = sdktemporal.NewSearchAttributeKeyKeyword("GraflowWorkflow")
)

// greetWorkflow upserts a custom search attribute and runs one activity.
func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, awaitingFeedbackKey.ValueSet(true)); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, greetActivity, name).Get(ctx, &out)
	return out, err
}

func greetActivity(_ context.Context, name string) (string, error) {
	return "hello " + name, nil
}

func mustStart(t *testing.T, opts Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	begin := time.Now()
	srv, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Logf("start-up took %v (frontend %s, UI %q)", time.Since(begin), srv.FrontendAddress(), srv.UIAddress())
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func stopServer(t *testing.T, srv *Server) {
	t.Helper()
	begin := time.Now()
	require.NoError(t, srv.Stop())
	t.Logf("stop took %v", time.Since(begin))
	require.NoError(t, srv.Stop(), "Stop must be idempotent")
}

// runWorker starts a worker; the caller stops it before stopping the server.
func runWorker(t *testing.T, c client.Client, taskQueue string) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterActivity(greetActivity)
	require.NoError(t, w.Start())
	return w
}

func requireSearchAttributes(t *testing.T, ctx context.Context, srv *Server) {
	t.Helper()
	resp, err := srv.Client().OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{
		Namespace: srv.Namespace(),
	})
	require.NoError(t, err)
	require.Equal(t, enumspb.INDEXED_VALUE_TYPE_BOOL, resp.GetCustomAttributes()["GraflowAwaitingFeedback"])
	require.Equal(t, enumspb.INDEXED_VALUE_TYPE_KEYWORD, resp.GetCustomAttributes()["GraflowWorkflow"])
}

func TestInMemoryServer(t *testing.T) {
	srv := mustStart(t, Options{UIPort: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	require.Equal(t, "default", srv.Namespace())
	require.Empty(t, srv.UIAddress())
	require.True(t, strings.HasPrefix(srv.FrontendAddress(), "127.0.0.1:"), srv.FrontendAddress())

	c := srv.Client()
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: srv.Namespace()})
	require.NoError(t, err)
	require.Equal(t, "default", ns.GetNamespaceInfo().GetName())
	requireSearchAttributes(t, ctx, srv)

	greet(t, ctx, srv, "greet-1")
	stopServer(t, srv)
}

// greet runs greetWorkflow as id with a worker and checks its result and
// its custom search attributes.
func greet(t *testing.T, ctx context.Context, srv *Server, id string) {
	t.Helper()
	c := srv.Client()
	w := runWorker(t, c, "devserver-test")
	defer w.Stop()
	begin := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             "devserver-test",
		TypedSearchAttributes: sdktemporal.NewSearchAttributes(graflowWorkflowKey.ValueSet("greet")),
	}, greetWorkflow, "graflow")
	require.NoError(t, err)
	var out string
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, "hello graflow", out)
	t.Logf("workflow took %v", time.Since(begin))

	desc, err := c.DescribeWorkflowExecution(ctx, id, run.GetRunID())
	require.NoError(t, err)
	fields := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	require.Contains(t, fields, "GraflowAwaitingFeedback")
	require.Contains(t, fields, "GraflowWorkflow")
}

// On PostgreSQL the databases and schemas are created on first start and
// reused on the next; a temporary store starts empty and is dropped on
// Stop.
func TestPostgresServer(t *testing.T) {
	pg, err := pgtest.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Stop() })
	url := pg.URL(fmt.Sprintf("graflow_devserver_%d", time.Now().UnixNano()))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	srv := mustStart(t, Options{UIPort: -1, Postgres: &Postgres{URL: url}})
	requireSearchAttributes(t, ctx, srv)
	greet(t, ctx, srv, "greet-pg")
	stopServer(t, srv)

	srv = mustStart(t, Options{UIPort: -1, Namespace: "other", Postgres: &Postgres{URL: url}})
	_, err = srv.Client().DescribeWorkflowExecution(ctx, "greet-pg", "")
	require.Error(t, err, "another namespace")
	c, err := client.NewClientFromExisting(srv.Client(), client.Options{Namespace: "default"})
	require.NoError(t, err)
	_, err = c.DescribeWorkflowExecution(ctx, "greet-pg", "")
	require.NoError(t, err, "kept across restarts")
	c.Close()
	stopServer(t, srv)

	srv = mustStart(t, Options{UIPort: -1, Postgres: &Postgres{URL: url, Temporary: true}})
	_, err = srv.Client().DescribeWorkflowExecution(ctx, "greet-pg", "")
	var notFound *serviceerror.NotFound
	require.ErrorAs(t, err, &notFound, "a temporary store starts empty")
	stopServer(t, srv)
	history, _, err := postgresStores(&Postgres{URL: url})
	require.NoError(t, err)
	require.Error(t, setupSchema(history, sqlplugin.DbKindMain, postgresSchema), "dropped on Stop")
}

func TestInMemoryServersAreIsolated(t *testing.T) {
	var (
		wg   sync.WaitGroup
		srvs [2]*Server
	)
	for i := range srvs {
		wg.Go(func() { srvs[i] = mustStart(t, Options{UIPort: -1, Namespace: "isolated"}) })
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := srvs[0], srvs[1]
	require.NotEqual(t, a.FrontendAddress(), b.FrontendAddress())
	require.Equal(t, "isolated", a.Namespace())
	requireSearchAttributes(t, ctx, a)

	_, err := a.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "only-in-a", TaskQueue: "nobody"}, greetWorkflow, "x")
	require.NoError(t, err)
	_, err = a.Client().DescribeWorkflowExecution(ctx, "only-in-a", "")
	require.NoError(t, err)
	_, err = b.Client().DescribeWorkflowExecution(ctx, "only-in-a", "")
	var notFound *serviceerror.NotFound
	require.ErrorAs(t, err, &notFound)

	for _, s := range srvs {
		wg.Go(func() { _ = s.Stop() })
	}
	wg.Wait()
}

func TestFileServerPersistsAcrossRestart(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "graflow.db")

	// First run: UI on a free port, a workflow started with no worker yet.
	srv := mustStart(t, Options{DBFile: dbFile, UIPort: 0})
	require.True(t, strings.HasPrefix(srv.UIAddress(), "http://127.0.0.1:"), srv.UIAddress())
	resp, err := http.Get(srv.UIAddress())
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := srv.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "persisted-1",
		TaskQueue: "devserver-restart",
	}, greetWorkflow, "again")
	require.NoError(t, err)
	runID := run.GetRunID()
	stopServer(t, srv)

	// The UI is gone with the server.
	_, err = http.Get(srv.UIAddress())
	require.Error(t, err)

	// Second run on the same file: namespace, search attributes and the
	// workflow are still there, and the workflow completes once a worker
	// shows up.
	srv = mustStart(t, Options{DBFile: dbFile, UIPort: -1})
	ns, err := srv.Client().WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	require.NoError(t, err)
	require.Equal(t, "default", ns.GetNamespaceInfo().GetName())
	requireSearchAttributes(t, ctx, srv)
	desc, err := srv.Client().DescribeWorkflowExecution(ctx, "persisted-1", runID)
	require.NoError(t, err)
	require.Equal(t, runID, desc.GetWorkflowExecutionInfo().GetExecution().GetRunId())

	w := runWorker(t, srv.Client(), "devserver-restart")
	var out string
	require.NoError(t, srv.Client().GetWorkflow(ctx, "persisted-1", runID).Get(ctx, &out))
	require.Equal(t, "hello again", out)
	w.Stop()
	stopServer(t, srv)
}

func TestExistingDatabaseGetsSearchAttributes(t *testing.T) {
	// A database whose namespace was created without graflow's search
	// attributes (by an older version, or the temporal CLI).
	dbFile := filepath.Join(t.TempDir(), "old.db")
	cfg := sqlConfig(dbFile, "")
	require.NoError(t, sqliteschema.SetupSchema(cfg))
	nc, err := sqliteschema.NewNamespaceConfig(clusterName, "default", false, nil)
	require.NoError(t, err)
	require.NoError(t, sqliteschema.CreateNamespaces(cfg, nc))

	srv := mustStart(t, Options{DBFile: dbFile, UIPort: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	requireSearchAttributes(t, ctx, srv)
	stopServer(t, srv)
}

func TestStartErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = busy.Close() }()
	port := busy.Addr().(*net.TCPAddr).Port
	ctx := context.Background()

	_, err = Start(ctx, Options{FrontendPort: port, UIPort: -1})
	require.ErrorContains(t, err, "not available")
	_, err = Start(ctx, Options{UIPort: port})
	require.ErrorContains(t, err, "not available")
	_, err = Start(ctx, Options{DBFile: filepath.Join(t.TempDir(), "missing", "x.db"), UIPort: -1})
	require.ErrorContains(t, err, "devserver:")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Start(cancelled, Options{UIPort: -1})
	require.ErrorIs(t, err, context.Canceled)
}

func TestServerLoggerFiltersByLevel(t *testing.T) {
	var buf strings.Builder
	base := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	level := &slog.LevelVar{}
	level.Set(slog.LevelWarn)
	l := newServerLogger(base, level)

	l.Info("chatty", tag.NewStringTag("k", "v"))
	l.Warn("careful", tag.NewStringTag("k", "v"))
	l.Fatal("bad") // logged, neither panics nor exits
	out := buf.String()
	require.NotContains(t, out, "chatty")
	require.Contains(t, out, "careful")
	require.Contains(t, out, "k=v")
	require.Contains(t, out, "level=ERROR msg=bad")

	buf.Reset()
	level.Set(slog.LevelError + 100)
	l.Error("silenced")
	require.Empty(t, buf.String())

	require.Equal(t, log.NewNoopLogger(), newServerLogger(nil, level))
}

// A server with mutual TLS: its own client works; a client that does not
// trust the CA, or presents no certificate, is refused.
func TestMutualTLSServer(t *testing.T) {
	f := testutil.NewTLSFiles(t, t.TempDir())
	srv := mustStart(t, Options{TLS: &TLSOptions{
		CertFile: f.ServerCert, KeyFile: f.ServerKey, ClientCAFile: f.CA,
		CAFile: f.CA, ClientCertFile: f.ClientCert, ClientKeyFile: f.ClientKey,
	}})
	require.NotEmpty(t, srv.UIAddress())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	requireSearchAttributes(t, ctx, srv)
	w := runWorker(t, srv.Client(), "devserver-tls")
	defer w.Stop()
	run, err := srv.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "devserver-tls"}, greetWorkflow, "tls")
	require.NoError(t, err)
	var out string
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, "hello tls", out)

	good, err := (&TLSOptions{CAFile: f.CA, ClientCertFile: f.ClientCert, ClientKeyFile: f.ClientKey}).clientConfig()
	require.NoError(t, err)
	noCert, err := (&TLSOptions{CAFile: f.CA}).clientConfig()
	require.NoError(t, err)
	otherCA, err := (&TLSOptions{CAFile: f.OtherCA, ClientCertFile: f.ClientCert, ClientKeyFile: f.ClientKey}).clientConfig()
	require.NoError(t, err)
	for name, tc := range map[string]*tls.Config{"good": good, "no client certificate": noCert, "other CA": otherCA, "plaintext": nil} {
		dialCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := client.DialContext(dialCtx, client.Options{HostPort: srv.FrontendAddress(), ConnectionOptions: client.ConnectionOptions{TLS: tc}})
		cancel()
		if c != nil {
			c.Close()
		}
		if name == "good" {
			require.NoError(t, err, name)
		} else {
			require.Error(t, err, name)
			t.Logf("%s: %v", name, err)
		}
	}

	// The Web UI reaches the frontend through TLS too.
	resp, err := http.Get(srv.UIAddress() + "/api/v1/namespaces/default")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestTLSOptionsChecked(t *testing.T) {
	f := testutil.NewTLSFiles(t, t.TempDir())
	for name, o := range map[string]*TLSOptions{
		"no key":              {CertFile: f.ServerCert},
		"mTLS without client": {CertFile: f.ServerCert, KeyFile: f.ServerKey, ClientCAFile: f.CA},
		"missing CA":          {CertFile: f.ServerCert, KeyFile: f.ServerKey, CAFile: "/does/not/exist.pem"},
	} {
		_, err := Start(context.Background(), Options{UIPort: -1, TLS: o})
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "devserver: TLS", name)
	}
}
