// Package wire holds every type graflow serialises into a run's history:
// the interpreter's input, output and continue-as-new state, the nodes of a
// run's graph, a task's input and output, its control-flow commands, channel
// entries and writes, and the HITL records.
//
// These types are the format of running workflows: a worker must decode the
// histories of runs started by the workers before it. So they are separate
// from the user API (package graflow converts its own types to and from
// them explicitly), and a change to them is deliberate: Version names the
// format, testdata/wire.golden.json shows one value of every type in it, and
// the replay tests of package temporal decode histories recorded by earlier
// versions. Add fields with omitempty; never rename or retype one.
//
// # Changing the interpreter without breaking runs in flight
//
// Temporal replays a run's history against the worker's code, so the
// interpreter (package temporal) must emit the same commands, in the same
// order, for every history a running workflow may have. The rule:
//
//   - Every run behaves as one interpreter version. A run's first workflow
//     task records it (the marker "graflow-interpreter" of
//     workflow.GetVersion); continue-as-new carries it over
//     (RunState.Interpreter) and a group's child runs inherit their
//     parent's (ChildInput.Interpreter), so neither records it again. Runs
//     recorded before versioning replay as workflow.DefaultVersion.
//   - A change to the commands emitted for the same history (their kind,
//     order or count, a child's id, an activity's options) adds a version:
//     raise temporal's currentInterpreter to N and keep the old path for
//     older runs (if r.version >= N { new } else { old }). Never change what
//     an existing version does.
//   - Limits that shape a history (branches run inline or per child, batch
//     size, channel view bytes, when local runs continue as new) are a row
//     per version in temporal's limitsByVersion. A row is never edited: a
//     new limit is a new version with a new row.
//   - Record the new behaviour: go test ./e2e -run TestHistoriesReplay
//     -record-histories writes the corpus's runs of the new version under
//     temporal/testdata/histories/interpreter-<N>/. Recorded files are never
//     rewritten or removed (the recorder refuses to overwrite one); the
//     replay tests replay all of them, plain and traced, on every build.
//
// A change that alters no command (a refactor, a new query, a faster
// path to the same commands) needs no version: the replay of the corpus
// proves it.
package wire

// Version is the wire format of this build. Bump it, and record a history
// under temporal/testdata, when a change to this package is more than an
// added optional field.
const Version = 1
