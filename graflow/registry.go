package graflow

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/graflow-go/graflow/internal/wire"
)

// DefaultRegistry holds every task created by NewTask without WithRegistry,
// like http.DefaultServeMux.
var DefaultRegistry = NewRegistry()

// Registry maps task names to their definitions. It is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	tasks    map[string]*taskInfo
	watchers map[int]func(string)
	nextID   int
}

// watch calls fn with every name registered from now on, until stop; a
// worker registers them with Temporal (temporal.NewWorker).
func (r *Registry) watch(fn func(string)) (stop func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers == nil {
		r.watchers = map[int]func(string){}
	}
	id := r.nextID
	r.nextID++
	r.watchers[id] = fn
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.watchers, id)
	}
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{tasks: map[string]*taskInfo{}} }

// taskInfo is a registered task: its name, the channel keys of its
// parameters, its options and its body (decoding the JSON of its parameters
// and encoding its result; a parameter that does not decode is a
// *ParamError naming the task and field).
type taskInfo struct {
	Name    string
	Params  []string
	Options wire.TaskOptions

	fields []paramField
	invoke func(*TaskContext, map[string]json.RawMessage) (json.RawMessage, error)
}

func (ti *taskInfo) maxCycles() int {
	if ti == nil || ti.Options.MaxCycles <= 0 {
		return DefaultMaxCycles
	}
	return ti.Options.MaxCycles
}

// DefaultMaxCycles is how often a task may run in one run unless WithMaxCycles says otherwise.
const DefaultMaxCycles = 10

// register adds ti; a name is registered once, whatever the function (Go
// cannot tell two closures of one literal apart).
func (r *Registry) register(ti *taskInfo) (*taskInfo, error) {
	watchers, err := r.add(ti)
	if err != nil {
		return nil, err
	}
	for _, fn := range watchers {
		fn(ti.Name)
	}
	return ti, nil
}

// add stores ti and returns the watchers to tell.
func (r *Registry) add(ti *taskInfo) ([]func(string), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.tasks[ti.Name]; ok {
		return nil, fmt.Errorf("%w: %q is already registered (create each task once, e.g. as a package-level variable, and use a registry of its own with WithRegistry for another)", ErrDuplicateTask, ti.Name)
	}
	r.tasks[ti.Name] = ti
	return slices.Collect(maps.Values(r.watchers)), nil
}

// lookup returns the task registered under name.
func (r *Registry) lookup(name string) (*taskInfo, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ti, ok := r.tasks[name]
	return ti, ok
}

// Names returns the registered task names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.tasks))
	for n := range r.tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
