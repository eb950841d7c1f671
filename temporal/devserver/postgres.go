package devserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/common/resolver"
	"go.temporal.io/server/schema"
)

// Postgres configures a PostgreSQL store (plugin "postgres12"), the way a
// user's server is set up: Options.Postgres selects it instead of SQLite.
type Postgres struct {
	// URL is "postgres://user:password@host:port/database[?attr=value...]".
	// The database holds the history; the visibility store is the database
	// named "<database>_visibility". Both are created when missing (the
	// user then needs CREATEDB), and their schemas set up from the server's
	// embedded schema (as `temporal-sql-tool setup-schema` does); a
	// database set up before must be at this server's schema version. The
	// query attributes are passed to the driver
	// (for example sslmode=disable).
	URL string
	// Temporary drops both databases when the server stops: a test's
	// throw-away store, the counterpart of SQLite's in-memory database.
	Temporary bool
}

const (
	// postgresShards is the number of history shards on PostgreSQL, the
	// default of Temporal's own server images and docker-compose setups.
	// It is written into the database on first start and cannot change.
	postgresShards = 4
	// postgresMaxConns bounds each connection pool, as Temporal's config
	// template does (SQL_MAX_CONNS defaults to 20).
	postgresMaxConns = 20
)

// Store names of the PostgreSQL databases in the server's config.
const (
	postgresStoreName           = "postgres-default"
	postgresVisibilityStoreName = "postgres-visibility"
)

// Embedded schema directories (go.temporal.io/server/schema).
const (
	postgresSchema           = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
)

// databaseName is what the plugin accepts unquoted in CREATE DATABASE.
var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,50}$`)

// postgresStores returns the history and visibility store configs of p.
func postgresStores(p *Postgres) (history, visibility *config.SQL, err error) {
	u, err := url.Parse(p.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, nil, fmt.Errorf("postgres URL %q: scheme must be postgres://", u.Redacted())
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "5432"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if !databaseName.MatchString(db) {
		return nil, nil, fmt.Errorf("postgres URL %q: database name %q must match %s", u.Redacted(), db, databaseName)
	}
	password, _ := u.User.Password()
	attrs := map[string]string{}
	for k, vs := range u.Query() {
		if len(vs) != 1 {
			return nil, nil, fmt.Errorf("postgres URL %q: attribute %s given %d times", u.Redacted(), k, len(vs))
		}
		attrs[k] = vs[0]
	}
	store := func(name string) *config.SQL {
		a := make(map[string]string, len(attrs))
		for k, v := range attrs {
			a[k] = v
		}
		return &config.SQL{
			PluginName:        postgresplugin.PluginName,
			DatabaseName:      name,
			ConnectAddr:       net.JoinHostPort(host, port),
			ConnectProtocol:   "tcp",
			User:              u.User.Username(),
			Password:          password,
			ConnectAttributes: a,
			MaxConns:          postgresMaxConns,
			MaxIdleConns:      postgresMaxConns,
		}
	}
	return store(db), store(db + "_visibility"), nil
}

// preparePostgres creates the databases (unless they exist), sets up their
// schemas and creates the namespaces with their search attributes. A
// temporary store is dropped first if it exists.
func preparePostgres(history, visibility *config.SQL, temporary bool, namespaces []string) error {
	for _, s := range []struct {
		cfg  *config.SQL
		kind sqlplugin.DbKind
		dir  string
	}{{history, sqlplugin.DbKindMain, postgresSchema}, {visibility, sqlplugin.DbKindVisibility, postgresVisibilitySchema}} {
		if temporary {
			if err := dropPostgres(s.cfg); err != nil {
				return err
			}
		}
		if err := createPostgres(s.cfg); err != nil {
			return err
		}
		if err := setupSchema(s.cfg, s.kind, s.dir); err != nil {
			return fmt.Errorf("schema of %s: %w", s.cfg.DatabaseName, err)
		}
	}
	return createNamespaces(history, namespaces)
}

// setupSchema runs the server's embedded schema.sql of dir in an empty
// database and records its version, as `temporal-sql-tool setup-schema`
// does; a database set up before must have this server's version.
func setupSchema(cfg *config.SQL, kind sqlplugin.DbKind, dir string) error {
	db, err := sql.NewSQLAdminDB(kind, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	if v, err := db.ReadSchemaVersion(cfg.DatabaseName); err == nil && v != "" {
		if err := db.VerifyVersion(); err != nil {
			return fmt.Errorf("%w (upgrade it with temporal-sql-tool update-schema)", err)
		}
		return nil
	}
	text, err := fs.ReadFile(schema.Assets(), path.Join(dir, "schema.sql"))
	if err != nil {
		return err
	}
	stmts, err := persistence.LoadAndSplitQueryFromReaders([]io.Reader{bytes.NewReader(text)})
	if err != nil {
		return err
	}
	if err := db.CreateSchemaVersionTables(); err != nil {
		return err
	}
	for _, stmt := range stmts {
		if err := db.Exec(stmt); err != nil {
			return fmt.Errorf("%q: %w", stmt, err)
		}
	}
	v := db.ExpectedVersion()
	if err := db.UpdateSchemaVersion(cfg.DatabaseName, v, v); err != nil {
		return err
	}
	return db.WriteSchemaUpdateLog("0", v, "", "graflow devserver: "+dir+"/schema.sql")
}

// adminSession runs f on a connection to cfg's server's "postgres"
// database.
func adminSession(cfg *config.SQL, f func(sqlplugin.AdminDB) error) error {
	admin := copySQL(cfg)
	admin.DatabaseName = "postgres"
	db, err := sqlAdminDB(admin)
	if err != nil {
		return fmt.Errorf("connect to %s/postgres: %w", cfg.ConnectAddr, err)
	}
	defer func() { _ = db.Close() }()
	return f(db)
}

// createPostgres creates the database of cfg unless it exists.
func createPostgres(cfg *config.SQL) error {
	return adminSession(cfg, func(db sqlplugin.AdminDB) error {
		if err := db.CreateDatabase(cfg.DatabaseName); err != nil {
			return fmt.Errorf("create database %s: %w", cfg.DatabaseName, err)
		}
		return nil
	})
}

// dropPostgres drops the database of cfg (after ending its sessions) if it
// exists.
func dropPostgres(cfg *config.SQL) error {
	return adminSession(cfg, func(db sqlplugin.AdminDB) error {
		if err := db.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", cfg.DatabaseName); err != nil {
			return fmt.Errorf("end sessions of %s: %w", cfg.DatabaseName, err)
		}
		if err := db.Exec("DROP DATABASE IF EXISTS " + cfg.DatabaseName); err != nil {
			return fmt.Errorf("drop database %s: %w", cfg.DatabaseName, err)
		}
		return nil
	})
}

// dropPostgresStores drops both databases of a temporary store.
func dropPostgresStores(stores ...*config.SQL) error {
	var errs []error
	for _, s := range stores {
		errs = append(errs, dropPostgres(s))
	}
	return errors.Join(errs...)
}

func copySQL(cfg *config.SQL) *config.SQL {
	c := *cfg
	c.ConnectAttributes = make(map[string]string, len(cfg.ConnectAttributes))
	for k, v := range cfg.ConnectAttributes {
		c.ConnectAttributes[k] = v
	}
	return &c
}
