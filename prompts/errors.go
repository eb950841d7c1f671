package prompts

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrPromptNotFound is returned, wrapped with the prompt's name, when no
	// file defines the name.
	ErrPromptNotFound = errors.New("prompts: prompt not found")
	// ErrMissingVariable is matched by a *RenderError whose template uses a
	// variable that the render call did not give.
	ErrMissingVariable = errors.New("prompts: missing variable")
	// ErrWrongType is returned by Render on a chat prompt (use
	// RenderMessages).
	ErrWrongType = errors.New("prompts: wrong prompt type")
)

// LabelNotFoundError is returned when the prompt exists but not with the
// requested label.
type LabelNotFoundError struct {
	// Name is the prompt's name.
	Name string
	// Label is the label that was asked for.
	Label string
	// Available lists the prompt's labels, sorted.
	Available []string
}

// Error describes the missing label and lists the available ones.
func (e *LabelNotFoundError) Error() string {
	return fmt.Sprintf("prompts: label %q not found for prompt %q; available labels: %s",
		e.Label, e.Name, strings.Join(e.Available, ", "))
}

// VersionNotFoundError is returned when the prompt has the label but not the
// requested version.
type VersionNotFoundError struct {
	// Name is the prompt's name.
	Name string
	// Label is the label that was looked up.
	Label string
	// Version is the version that was asked for.
	Version int
	// Available lists the versions of the label, ascending.
	Available []int
}

// Error describes the missing version and lists the available ones.
func (e *VersionNotFoundError) Error() string {
	vs := make([]string, len(e.Available))
	for i, v := range e.Available {
		vs[i] = strconv.Itoa(v)
	}
	return fmt.Sprintf("prompts: version %d not found for prompt %q with label %q; available versions: %s",
		e.Version, e.Name, e.Label, strings.Join(vs, ", "))
}

// ParseError is a file that cannot be read as prompts: bad YAML, a wrong
// structure, or a template with a syntax error.
type ParseError struct {
	// File is the file's path (the manager's directory joined with the path
	// inside it).
	File string
	// Line is the 1-based line of the problem, 0 when unknown.
	Line int
	// Err is the cause.
	Err error
}

// Error gives file:line and the cause.
func (e *ParseError) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = yamlLinePrefix.ReplaceAllString(e.Err.Error(), "")
	}
	if e.Line > 0 {
		return fmt.Sprintf("prompts: %s:%d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("prompts: %s: %s", e.File, msg)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// yamlLinePrefix matches the "yaml: line N: " prefix of yaml.v3's errors.
var yamlLinePrefix = regexp.MustCompile(`^yaml: (line (\d+): )?`)

// yamlErrorLine returns the line number that a yaml.v3 error names, or 0.
func yamlErrorLine(err error) int {
	m := yamlLinePrefix.FindStringSubmatch(err.Error())
	if len(m) < 3 || m[2] == "" {
		return 0
	}
	n, convErr := strconv.Atoi(m[2])
	if convErr != nil {
		return 0
	}
	return n
}

// Location is a place in a prompt file.
type Location struct {
	// File is the file's path.
	File string
	// Line is the 1-based line of the entry.
	Line int
}

// String returns file:line.
func (l Location) String() string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// DuplicateError is returned when the same name, label and version is
// defined more than once, in two files or twice in one.
type DuplicateError struct {
	// Name is the prompt's name.
	Name string
	// Label is the duplicated label.
	Label string
	// Version is the duplicated version.
	Version int
	// Locations lists every definition, sorted by file and line.
	Locations []Location
}

// Error names the prompt and every place defining it.
func (e *DuplicateError) Error() string {
	locs := make([]string, len(e.Locations))
	for i, l := range e.Locations {
		locs[i] = l.String()
	}
	return fmt.Sprintf("prompts: prompt %q label %q version %d is defined more than once: %s",
		e.Name, e.Label, e.Version, strings.Join(locs, " and "))
}

// RenderError is a template that failed to render: a missing variable, a
// filter applied to the wrong kind of value, and so on.
type RenderError struct {
	// Prompt is the prompt's name.
	Prompt string
	// Label and Version identify the rendered version.
	Label   string
	Version int
	// File is the file defining the prompt ("" for a Prompt built in code).
	File string
	// Message is the 1-based index of the chat message that failed, 0 for a
	// text prompt.
	Message int
	// Variable is the missing variable (or attribute path, as in
	// "user.name"); "" when the failure is something else.
	Variable string
	// Err is the template engine's error.
	Err error
}

// Error describes the failure.
func (e *RenderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "prompts: render %q", e.Prompt)
	var where []string
	if e.Label != "" {
		where = append(where, "label "+e.Label)
	}
	if e.Version != 0 {
		where = append(where, "version "+strconv.Itoa(e.Version))
	}
	if e.File != "" {
		where = append(where, e.File)
	}
	if len(where) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(where, ", "))
	}
	if e.Message > 0 {
		fmt.Fprintf(&b, ", message %d", e.Message)
	}
	switch {
	case e.Variable != "":
		fmt.Fprintf(&b, ": missing variable %q", e.Variable)
	case e.Err != nil:
		fmt.Fprintf(&b, ": %s", strings.TrimPrefix(e.Err.Error(), "unable to execute template: "))
	}
	return b.String()
}

// Unwrap returns the engine's error.
func (e *RenderError) Unwrap() error { return e.Err }

// Is reports ErrMissingVariable for a missing variable.
func (e *RenderError) Is(target error) bool {
	return target == ErrMissingVariable && e.Variable != ""
}

// The messages of gonja's StrictUndefined mode that name what is undefined.
var (
	undefinedName = regexp.MustCompile(`(?i)unable to evaluate name "([^"]+)"`)
	undefinedAttr = regexp.MustCompile(`(?i)unable to evaluate (\S+): (?:attribute|item) .*? not found`)
)

// missingVariable returns the variable that a gonja render error says is
// undefined, or "".
func missingVariable(err error) string {
	msg := err.Error()
	if m := undefinedName.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if m := undefinedAttr.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}
