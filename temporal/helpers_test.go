package temporal_test

import (
	"slices"
	"sync"
)

// runLog records task runs in the order they happen (branches run
// concurrently, so the log is guarded).
type runLog struct {
	mu  sync.Mutex
	log []string
}

func (l *runLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, s)
}

func (l *runLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}

func (l *runLog) count(s string) int {
	n := 0
	for _, x := range l.all() {
		if x == s {
			n++
		}
	}
	return n
}

// before reports whether a was logged before b (both present).
func (l *runLog) before(a, b string) bool {
	log := l.all()
	i, j := slices.Index(log, a), slices.Index(log, b)
	return i >= 0 && j >= 0 && i < j
}

// index returns where s was first logged, or -1.
func (l *runLog) index(s string) int { return slices.Index(l.all(), s) }
