package devserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/common/resolver"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const (
	// clusterName is the name of the single cluster. It is stored in the
	// namespaces' replication config, so it must not change between runs on
	// the same database file.
	clusterName = "active"
	// storeName names the one SQLite data store used for everything.
	storeName = "sqlite-default"
	// defaultNamespace is also created when Options.Namespace names another
	// namespace, so that tools defaulting to it (the temporal CLI) work.
	defaultNamespace = "default"
)

// searchAttributes are the custom search attributes registered in every
// namespace the dev server creates.
var searchAttributes = map[string]enumspb.IndexedValueType{
	"GraflowAwaitingFeedback": enumspb.INDEXED_VALUE_TYPE_BOOL,
	"GraflowWorkflow":         enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}

// dynamicConfigValues returns the dynamic config of the server: with tuned
// (SQLite), the dev server's single-machine tuning; without (PostgreSQL),
// the server's defaults except what an embedded server needs to stop
// cleanly. The keys come from the server's typed settings, so a key renamed
// in a server upgrade breaks the build instead of being silently ignored,
// and every value is checked against its setting's type.
func dynamicConfigValues(tuned bool) (dynamicconfig.StaticClient, error) {
	const unthrottled = 100_000
	dc := dynamicconfig.StaticClient{}
	var errs []error
	set := func(s dynamicconfig.GenericSetting, v any) {
		if err := s.Validate(v); err != nil {
			errs = append(errs, fmt.Errorf("dynamic config %s: %w", s.Key(), err))
			return
		}
		dc[s.Key()] = v
	}

	// The worker service starts some system SDK workers and never stops
	// them (server v1.32.1): the parent-close-policy processor and the
	// scanners' workers. Their pollers would outlive Stop and poll the dead
	// (or, later, a reused) port forever. Without the processor the history
	// service applies parent close policies itself; the task-queue and
	// history scanners only garbage-collect a long-lived cluster. This is
	// the only change from the server's defaults that an untuned server
	// keeps: it is about the server living inside a process that outlives
	// it, not about speed.
	set(dynamicconfig.EnableParentClosePolicyWorker, false)
	set(dynamicconfig.TaskQueueScannerEnabled, false)
	set(dynamicconfig.HistoryScannerEnabled, false)
	if !tuned {
		return dc, errors.Join(errs...)
	}

	// With one history shard the queue readers are capped at 20 reads/s per
	// shard by default, so every sequential workflow step waits ~40 ms for
	// its task (measured: see docs/benchmarks.md). Lift the brake on all queues.
	set(dynamicconfig.TransferProcessorMaxPollRPS, unthrottled)
	set(dynamicconfig.TransferProcessorMaxPollHostRPS, unthrottled)
	set(dynamicconfig.TimerProcessorMaxPollRPS, unthrottled)
	set(dynamicconfig.TimerProcessorMaxPollHostRPS, unthrottled)
	set(dynamicconfig.VisibilityProcessorMaxPollRPS, unthrottled)
	set(dynamicconfig.VisibilityProcessorMaxPollHostRPS, unthrottled)
	set(dynamicconfig.OutboundProcessorMaxPollRPS, unthrottled)
	set(dynamicconfig.OutboundProcessorMaxPollHostRPS, unthrottled)
	set(dynamicconfig.ArchivalProcessorMaxPollRPS, unthrottled)
	set(dynamicconfig.ArchivalProcessorMaxPollHostRPS, unthrottled)

	// As the temporal CLI dev server: search attributes and Nexus endpoints
	// are visible immediately after creation; since that bypasses their
	// caches, the persistence QPS limits are raised. A smaller mutable-state
	// cache keeps the memory of a dev process down.
	set(dynamicconfig.ForceSearchAttributesCacheRefreshOnRead, true)
	set(dynamicconfig.ForceNexusEndpointRefreshOnRead, true)
	set(dynamicconfig.FrontendPersistenceMaxQPS, 10_000)
	set(dynamicconfig.HistoryPersistenceMaxQPS, 45_000)
	set(dynamicconfig.MatchingPersistenceMaxQPS, 10_000)
	set(dynamicconfig.HistoryCacheHostLevelMaxSize, 8096)

	// One partition per task queue: with the default four, tasks and polls
	// land on random partitions and meet only after forwarding, which made
	// a 100-wide fan-out take 0.2-1 s and now and then 20 s (one long poll).
	set(dynamicconfig.MatchingNumTaskqueueReadPartitions, 1)
	set(dynamicconfig.MatchingNumTaskqueueWritePartitions, 1)

	// Generous API rate limits: tests and local tools may hammer one
	// namespace (the visibility API defaults to 10 requests/s).
	set(dynamicconfig.FrontendRPS, unthrottled)
	set(dynamicconfig.FrontendMaxNamespaceRPSPerInstance, unthrottled)
	set(dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance, 10_000)
	return dc, errors.Join(errs...)
}

// ports are the loopback ports of one server instance.
type ports struct {
	frontend, frontendHTTP, frontendMembership int
	history, historyMembership                 int
	matching, matchingMembership               int
	worker, workerMembership                   int
}

func pickServerPorts(p *portPicker, frontend int) (ports, error) {
	var ps ports
	if frontend > 0 {
		if err := p.reserve(frontend); err != nil {
			return ps, fmt.Errorf("frontend: %w", err)
		}
		ps.frontend = frontend
	}
	for _, dst := range []*int{
		&ps.frontend, &ps.frontendHTTP, &ps.frontendMembership,
		&ps.history, &ps.historyMembership,
		&ps.matching, &ps.matchingMembership,
		&ps.worker, &ps.workerMembership,
	} {
		if *dst != 0 {
			continue
		}
		port, err := p.pick()
		if err != nil {
			return ps, err
		}
		*dst = port
	}
	return ps, nil
}

// sqlConfig returns the SQLite store config: an in-memory database with a
// unique name (memName) when dbFile is "", else the file in WAL mode.
func sqlConfig(dbFile, memName string) *config.SQL {
	if dbFile == "" {
		return &config.SQL{
			PluginName:   sqliteplugin.PluginName,
			DatabaseName: memName,
			ConnectAttributes: map[string]string{
				"mode":  "memory",
				"cache": "shared",
			},
		}
	}
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbFile,
		ConnectAttributes: map[string]string{
			"mode": "rwc",
			// Pragmas are written without the "_" prefix: the plugin adds
			// the "_pragma=" itself. WAL lets readers run alongside the
			// writer; synchronous=NORMAL (1) is safe against process crashes
			// in WAL mode (only an OS crash or power loss can drop the last
			// commits) and here ran a 200-activity chain in 0.7 s instead of
			// 1.2-1.8 s with FULL (2).
			"journal_mode": "wal",
			"synchronous":  "1",
		},
	}
}

// resolveDBFile validates dbFile and makes it absolute.
func resolveDBFile(dbFile string) (string, error) {
	if strings.ContainsAny(dbFile, "?#") {
		return "", fmt.Errorf("database file name %q must not contain '?' or '#'", dbFile)
	}
	abs, err := filepath.Abs(dbFile)
	if err != nil {
		return "", fmt.Errorf("resolve database file %q: %w", dbFile, err)
	}
	if fi, err := os.Stat(filepath.Dir(abs)); err != nil {
		return "", fmt.Errorf("database directory: %w", err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("database directory %q is not a directory", filepath.Dir(abs))
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return "", fmt.Errorf("database file %q is a directory", abs)
	}
	return abs, nil
}

// prepareStore creates the schema (for a file database; an in-memory one is
// set up by the SQLite plugin when it is opened) and the namespaces with
// their search attributes. Both steps leave existing data alone.
func prepareStore(cfg *config.SQL, inMemory bool, namespaces []string) error {
	if !inMemory {
		if err := sqliteschema.SetupSchema(cfg); err != nil && !isAlreadyExists(err) {
			return fmt.Errorf("create schema in %s: %w", cfg.DatabaseName, err)
		}
	}
	return createNamespaces(cfg, namespaces)
}

// createNamespaces creates the namespaces with graflow's search attributes
// mapped to the store's pre-allocated columns, directly in the database
// (the server's helper for SQLite writes through the generic SQL plugin
// API, so it serves PostgreSQL too). Existing namespaces are left alone.
func createNamespaces(cfg *config.SQL, namespaces []string) error {
	nsConfigs := make([]*sqliteschema.NamespaceConfig, 0, len(namespaces))
	for _, ns := range namespaces {
		nc, err := sqliteschema.NewNamespaceConfig(clusterName, ns, false, searchAttributes)
		if err != nil {
			return fmt.Errorf("namespace %q: %w", ns, err)
		}
		nsConfigs = append(nsConfigs, nc)
	}
	if err := sqliteschema.CreateNamespaces(cfg, nsConfigs...); err != nil {
		return fmt.Errorf("create namespaces: %w", err)
	}
	return nil
}

// isAlreadyExists reports whether err says the schema's first table exists,
// that is, the database file was set up before.
func isAlreadyExists(err error) bool {
	return err != nil && strings.Contains(err.Error(), "already exists")
}

// wipeMemoryStore drops every table of an in-memory database so that its
// memory is returned: the plugin never closes its pooled connection, so the
// database itself would otherwise live as long as the process.
func wipeMemoryStore(cfg *config.SQL) error {
	db, err := sqlAdminDB(cfg)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	// Shadow tables of the full-text-search virtual tables cannot be dropped
	// directly, only with their virtual table: drop what can be dropped, in
	// a few passes.
	for range 3 {
		tables, err := db.ListTables(cfg.DatabaseName)
		if err != nil {
			return err
		}
		if len(tables) == 0 {
			break
		}
		for _, table := range tables {
			_ = db.DropTable(table)
		}
	}
	return db.Exec("VACUUM")
}

// stores are the persistence stores of a server: one SQLite database for
// everything, or PostgreSQL's history and visibility databases.
type stores struct {
	history, visibility *config.SQL // visibility is nil for SQLite
	shards              int32
}

// serverConfig builds the static config of the Temporal server.
func serverConfig(ps ports, st stores) *config.Config {
	svc := func(grpcPort, membershipPort, httpPort int) config.Service {
		return config.Service{RPC: config.RPC{
			GRPCPort:       grpcPort,
			MembershipPort: membershipPort,
			HTTPPort:       httpPort,
			BindOnIP:       loopback,
		}}
	}
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = loopback
	conf.Persistence.DefaultStore = storeName
	conf.Persistence.VisibilityStore = storeName
	conf.Persistence.NumHistoryShards = st.shards
	conf.Persistence.DataStores = map[string]config.DataStore{storeName: {SQL: st.history}}
	if st.visibility != nil {
		conf.Persistence.DefaultStore = postgresStoreName
		conf.Persistence.VisibilityStore = postgresVisibilityStoreName
		conf.Persistence.DataStores = map[string]config.DataStore{
			postgresStoreName:           {SQL: st.history},
			postgresVisibilityStoreName: {SQL: st.visibility},
		}
	}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             hostPort(ps.frontend),
				HTTPAddress:            hostPort(ps.frontendHTTP),
				// Must be a UUID, else the server logs a warning and makes
				// one up. A file database keeps the ID of its first run.
				ClusterID: primitives.NewUUID().String(),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): svc(ps.frontend, ps.frontendMembership, ps.frontendHTTP),
		string(primitives.HistoryService):  svc(ps.history, ps.historyMembership, 0),
		string(primitives.MatchingService): svc(ps.matching, ps.matchingMembership, 0),
		string(primitives.WorkerService):   svc(ps.worker, ps.workerMembership, 0),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = hostPort(ps.frontend)
	return &conf
}

// serverOptions returns the options for temporal.NewServer.
func serverOptions(conf *config.Config, ps ports, logger log.Logger, tuned bool) ([]temporal.ServerOption, error) {
	dc, err := dynamicConfigValues(tuned)
	if err != nil {
		return nil, err
	}
	return []temporal.ServerOption{
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(hostPort(ps.frontend)),
			primitives.HistoryService:  static.SingleLocalHost(hostPort(ps.history)),
			primitives.MatchingService: static.SingleLocalHost(hostPort(ps.matching)),
			primitives.WorkerService:   static.SingleLocalHost(hostPort(ps.worker)),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
		temporal.WithDynamicConfigClient(dc),
	}, nil
}

// sqlAdminDB opens the store described by cfg (through the plugin's
// connection pool, so an in-memory SQLite database is the server's own).
func sqlAdminDB(cfg *config.SQL) (sqlplugin.AdminDB, error) {
	return sql.NewSQLAdminDB(sqlplugin.DbKindUnknown, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
}
