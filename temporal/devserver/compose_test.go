package devserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// debianPostgresMajor is the PostgreSQL of Debian 12 (package postgresql),
// the one benchmarks and tests run on.
const debianPostgresMajor = "15"

// moduleVersion returns the version go.mod requires of a module, without
// its "v" (test binaries carry no dependency versions in their build info).
func moduleVersion(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(fields) >= 2 && fields[0] == path {
			return strings.TrimPrefix(fields[1], "v")
		}
	}
	t.Fatalf("go.mod does not require %s", path)
	return ""
}

// The images of docker-compose.yml are the versions the tests run: the
// Temporal server and Web UI of go.mod, Debian's PostgreSQL.
func TestComposeVersions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Image string `yaml:"image"`
			Build any    `yaml:"build"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(b, &compose))

	server := moduleVersion(t, "go.temporal.io/server")
	ui := moduleVersion(t, "github.com/temporalio/ui-server/v2")
	want := map[string]string{
		"temporalio/server":      server,
		"temporalio/admin-tools": server,
		"temporalio/ui":          ui,
		"postgres":               debianPostgresMajor,
	}
	seen := map[string]bool{}
	for name, svc := range compose.Services {
		if svc.Image == "" {
			assert.NotNil(t, svc.Build, "service %s has neither image nor build", name)
			continue
		}
		repo, tag, ok := strings.Cut(svc.Image, ":")
		require.True(t, ok, "service %s: image %q has no tag", name, svc.Image)
		v, known := want[repo]
		require.True(t, known, "service %s: image %s is not checked here", name, repo)
		assert.Equal(t, v, tag, "service %s: image %s", name, repo)
		seen[repo] = true
	}
	for repo := range want {
		assert.True(t, seen[repo], "no service runs %s", repo)
	}
}
