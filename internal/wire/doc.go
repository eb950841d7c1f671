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
package wire

// Version is the wire format of this build. Bump it, and record a history
// under temporal/testdata, when a change to this package is more than an
// added optional field.
const Version = 1
