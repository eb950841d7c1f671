// Package pgtest provides a PostgreSQL server for tests and benchmarks:
// the one named by GRAFLOW_TEST_POSTGRES_DSN, or else a throw-away cluster
// started from the local PostgreSQL installation in a temporary directory.
package pgtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// EnvDSN names the environment variable with the URL of a PostgreSQL server
// whose user may create databases, e.g.
// "postgres://graflow:graflow@127.0.0.1:5432/postgres" (.ci/run sets it).
const EnvDSN = "GRAFLOW_TEST_POSTGRES_DSN"

// Server is a PostgreSQL server to create test databases on.
type Server struct {
	base *url.URL
	stop func() error
}

// Start returns the server of GRAFLOW_TEST_POSTGRES_DSN or, when it is
// unset, starts a cluster of its own (initdb and pg_ctl of the local
// installation, as user postgres when running as root). It fails with
// instructions when neither is available.
func Start() (*Server, error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s=%q: want postgres://user:password@host:port/db", EnvDSN, dsn)
		}
		return &Server{base: u, stop: func() error { return nil }}, nil
	}
	return startLocal()
}

// URL returns the URL of database db on the server.
func (s *Server) URL(db string) string {
	u := *s.base
	u.Path = "/" + db
	return u.String()
}

// Stop stops a cluster that Start started (a server given by the
// environment is left alone).
func (s *Server) Stop() error { return s.stop() }

// errNotFound explains how to get PostgreSQL.
var errNotFound = errors.New("PostgreSQL not found: the PostgreSQL tests need either " + EnvDSN +
	" (postgres://user:password@host:port/postgres, a user with CREATEDB) or a local installation" +
	" with initdb and pg_ctl (Debian/Ubuntu: apt-get install postgresql; .ci/run does this)")

// binDir finds the directory of initdb and pg_ctl: the PATH, else the
// newest /usr/lib/postgresql/*/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	if len(dirs) == 0 {
		return "", errNotFound
	}
	return filepath.Dir(dirs[len(dirs)-1]), nil
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// startLocal runs initdb in a temporary directory and starts the cluster on
// a free loopback port (sockets in the directory too), trusting local
// connections of the superuser "graflow".
func startLocal() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "graflow-pg-")
	if err != nil {
		return nil, err
	}
	var asUser []string
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		pg, err := user.Lookup("postgres")
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no user postgres to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(name string, args ...string) error {
		argv := append(append(slices.Clone(asUser), filepath.Join(bin, name)), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "graflow", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300", port, dir)
	if err := run("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", filepath.Join(dir, "postgres.log"), "-o", opts); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	stop := func() error {
		err := run("pg_ctl", "stop", "-w", "-m", "fast", "-D", data)
		return errors.Join(err, os.RemoveAll(dir))
	}
	base := &url.URL{
		Scheme:   "postgres",
		User:     url.User("graflow"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	return &Server{base: base, stop: stop}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
