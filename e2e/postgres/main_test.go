package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"github.com/graflow-go/graflow/e2e/harness"
	"github.com/graflow-go/graflow/internal/pgtest"
	"github.com/graflow-go/graflow/temporal/devserver"
)

var env *harness.Env

func TestMain(m *testing.M) {
	pg, err := pgtest.Start()
	if err != nil {
		log.Printf("e2e/postgres: %v", err)
		os.Exit(1)
	}
	db := fmt.Sprintf("graflow_e2e_%d", os.Getpid())
	code := harness.Main(m, devserver.Options{
		UIPort:   -1,
		Postgres: &devserver.Postgres{URL: pg.URL(db), Temporary: true},
	}, func(e *harness.Env) { env = e })
	if err := pg.Stop(); err != nil {
		log.Printf("e2e/postgres: stop PostgreSQL: %v", err)
	}
	os.Exit(code)
}

func TestExamples(t *testing.T) {
	t.Parallel()
	env.Examples(t)
}

// A 1,000-wide dynamic fan-out (two batch children): every write merged
// exactly once.
func TestDynamicFanOut(t *testing.T) {
	t.Parallel()
	env.DynamicFanOut(t, 1000, 3000)
}

func TestHITLAnswers(t *testing.T) {
	t.Parallel()
	env.HITLAnswers(t, "pg-hitl-")
}

func TestResumeFromCheckpoint(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env.ResumeWithManager(t, ctx, "pg-fault-tolerant")
}

func TestWorkerKilledMidTask(t *testing.T) {
	t.Parallel()
	env.WorkerKilledMidTask(t)
}
