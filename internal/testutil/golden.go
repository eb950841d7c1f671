package testutil

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of the tests")

// packageDir is the test's package directory (tests start there; some move
// on with t.Chdir).
var packageDir, _ = os.Getwd()

// Golden compares got with the file testdata/<name> of the test's package;
// with -update it writes got there instead.
func Golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(packageDir, "testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file: run the test with -update")
	assert.Equal(t, string(want), got, "golden file %s (rewrite with -update)", path)
}
