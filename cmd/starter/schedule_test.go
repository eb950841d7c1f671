package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/internal/testutil"
)

// Every `starter schedule` verb as a separate process against `starter dev`:
// a triggered run starts the example by name and prints its output.
func TestScheduleVerbs(t *testing.T) {
	bin := starterBinary(t)
	dir := t.TempDir()
	addr := testutil.FreeAddress(t)
	startDev(t, bin, dir, addr)
	st := func(args ...string) string { return runBinary(t, bin, dir, append(args, "--address", addr)...) }

	assert.Equal(t, "created schedule etl-hourly: etl on task queue graflow\n",
		st("schedule", "create", "etl", "--schedule-id", "etl-hourly", "--every", "1h", "--paused"))
	describe := func() scheduleInfo {
		var info scheduleInfo
		require.NoError(t, json.Unmarshal([]byte(st("schedule", "describe", "etl-hourly", "--json")), &info))
		return info
	}
	info := describe()
	assert.Equal(t, "etl", info.Workflow)
	assert.Equal(t, "every 1h0m0s", info.Spec)
	assert.True(t, info.Paused)
	require.Eventually(t, func() bool { return strings.Contains(st("schedule", "list"), "etl-hourly") }, 30*time.Second, 200*time.Millisecond)

	assert.Equal(t, "unpaused schedule etl-hourly\n", st("schedule", "unpause", "etl-hourly"))
	assert.False(t, describe().Paused)
	assert.Equal(t, "triggered schedule etl-hourly\n", st("schedule", "trigger", "etl-hourly"))
	require.Eventually(t, func() bool { return len(describe().RecentRuns) > 0 }, 30*time.Second, 200*time.Millisecond)
	etl, _ := examples.Get("etl")
	assert.Equal(t, etl.Output+"\n", st("result", describe().RecentRuns[0], "--workflow", "etl"))

	assert.Equal(t, "paused schedule etl-hourly\n", st("schedule", "pause", "etl-hourly"))
	assert.True(t, describe().Paused)
	assert.Equal(t, "deleted schedule etl-hourly\n", st("schedule", "delete", "etl-hourly"))
	_, err := runCommand(bin, dir, "schedule", "describe", "etl-hourly", "--address", addr)
	assert.Error(t, err)
}

func TestScheduleUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"schedule", "create", "etl", "--every", "1h"}, "--schedule-id is required"},
		{[]string{"schedule", "create", "etl", "--schedule-id", "s"}, "exactly one of --cron and --every"},
		{[]string{"schedule", "create", "etl", "--schedule-id", "s", "--every", "1h", "--cron", "* * * * *"}, "exactly one of --cron and --every"},
		{[]string{"schedule", "create", "bad.name", "--schedule-id", "s", "--every", "1h"}, `invalid workflow name "bad.name"`},
	}
	for _, tc := range tests {
		_, _, err := execute(t, tc.args...)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want)
	}
}
