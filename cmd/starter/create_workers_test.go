package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/internal/testutil"
)

// Graflow's "Dynamic Parallel Group" as a user runs it: create_workers with
// 2,000 items through the CLI, members reading and appending to the channel
// without declaring anything. Every member's append is in the result, and no
// member fails — across worker processes, with a worker killed mid-run, and
// with the dev server itself killed and restarted mid-run.

const createWorkersItems = 2000

// createWorkersInput is the --input of the run and the line it prints.
func createWorkersInput() (input, want string) {
	items := make([]string, createWorkersItems)
	upper := make([]string, createWorkersItems)
	for i := range items {
		items[i] = fmt.Sprintf("item-%04d", i)
		upper[i] = strings.ToUpper(items[i])
	}
	raw, _ := json.Marshal(items) // strings always marshal
	return "items=" + string(raw), fmt.Sprintf("processed %d items: %s\n", createWorkersItems, strings.Join(upper, ", "))
}

// waitForProgress waits until the first batch child of the run's group has
// at least events history events: members are running.
func waitForProgress(t *testing.T, addr, workflowID string, events int64) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr})
	require.NoError(t, err)
	defer c.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		d, err := c.DescribeWorkflowExecution(ctx, workflowID+"/ParallelGroup_1/batch-1", "")
		cancel()
		if err == nil && d.WorkflowExecutionInfo.HistoryLength >= events {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("run %s made no progress", workflowID)
}

func TestCreateWorkersAcrossWorkers(t *testing.T) {
	bin := starterBinary(t)
	input, want := createWorkersInput()
	for _, kill := range []bool{false, true} {
		t.Run(fmt.Sprintf("worker_killed=%v", kill), func(t *testing.T) {
			dir := t.TempDir()
			addr := testutil.FreeAddress(t)
			startDev(t, bin, dir, addr, "--no-worker")
			workers := startWorkers(t, addr, 3)
			id := "create-workers"
			done := make(chan string, 1)
			go func() {
				out, err := runCommand(bin, dir, "run", "create_workers", "--address", addr, "--workflow-id", id, "--input", input)
				if err != nil {
					out = err.Error()
				}
				done <- out
			}()
			if kill {
				waitForProgress(t, addr, id, 400)
				require.NoError(t, workers[0].Process.Kill())
				_ = workers[0].Wait()
			}
			select {
			case got := <-done:
				assert.Equal(t, want, got)
			case <-time.After(5 * time.Minute):
				t.Fatal("run did not finish")
			}
		})
	}
}

func TestCreateWorkersServerRestart(t *testing.T) {
	bin := starterBinary(t)
	input, want := createWorkersInput()
	dir := t.TempDir()
	addr := testutil.FreeAddress(t)
	dev := startDev(t, bin, dir, addr)
	id := "create-workers-restart"
	runBinary(t, bin, dir, "start", "create_workers", "--address", addr, "--workflow-id", id, "--input", input)
	waitForProgress(t, addr, id, 400)
	dev.kill(syscall.SIGKILL)
	startDev(t, bin, dir, addr)
	assert.Equal(t, want, runBinary(t, bin, dir, "result", id, "--workflow", "create_workers", "--address", addr))
}
