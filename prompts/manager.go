package prompts

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EnvDir is the environment variable naming the default prompts directory.
const EnvDir = "GRAFLOW_PROMPTS_DIR"

// DefaultDir returns the default prompts directory: $GRAFLOW_PROMPTS_DIR
// when set, else "prompts" (relative to the working directory).
func DefaultDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return "prompts"
}

// Manager finds prompts in the YAML files of a directory (or of an fs.FS)
// and keeps them parsed, reading a changed file again on the next lookup.
// It is safe for concurrent use. The zero Manager reads DefaultDir().
type Manager struct {
	init sync.Once
	fsys fs.FS
	// dir prefixes the file names in prompts and errors ("" for an fs.FS).
	dir string

	mu      sync.RWMutex
	folders map[string]*folder // by folder path inside fsys ("." = top)
}

// NewManager returns a manager of the prompts under dir; "" means
// DefaultDir(). Nothing is read until the first lookup, and a directory that
// does not exist only means that every lookup fails with ErrPromptNotFound.
func NewManager(dir string) *Manager {
	if dir == "" {
		dir = DefaultDir()
	}
	m := &Manager{fsys: os.DirFS(dir), dir: dir}
	m.init.Do(func() {})
	return m
}

// NewManagerFS returns a manager of the prompts in fsys, such as an
// embed.FS; file names in prompts and errors are paths inside fsys. A nil
// fsys behaves like an empty directory.
func NewManagerFS(fsys fs.FS) *Manager {
	m := &Manager{fsys: fsys}
	m.init.Do(func() {})
	return m
}

// filesystem returns the file system, setting up a zero Manager.
func (m *Manager) filesystem() fs.FS {
	m.init.Do(func() {
		m.dir = DefaultDir()
		m.fsys = os.DirFS(m.dir)
	})
	return m.fsys
}

// Dir returns the directory of a manager made by NewManager (or the zero
// Manager), "" for one made by NewManagerFS.
func (m *Manager) Dir() string {
	if m == nil {
		return ""
	}
	m.filesystem()
	return m.dir
}

// Option is an option of GetPrompt.
type Option func(*lookup)

// lookup holds GetPrompt's options.
type lookup struct {
	label      string
	version    int
	hasVersion bool
}

// Label selects the label to look up; the default, and Label(""), is
// DefaultLabel ("production").
func Label(label string) Option {
	return func(l *lookup) { l.label = label }
}

// Version selects a version of the label; by default the highest one.
func Version(v int) Option {
	return func(l *lookup) { l.version, l.hasVersion = v, true }
}

// GetPrompt returns a copy of the prompt called name with the selected
// label (default "production") and version (default the label's highest).
//
// It fails with ErrPromptNotFound (wrapped with the name) when no file
// defines the name, *LabelNotFoundError or *VersionNotFoundError when the
// label or version does not exist, and *DuplicateError when two definitions
// claim the selected version; the *ParseError of every broken file in the
// name's folder is joined to those errors.
func (m *Manager) GetPrompt(name string, opts ...Option) (*Prompt, error) {
	if m == nil {
		return nil, errors.New("prompts: GetPrompt on a nil Manager")
	}
	var o lookup
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.label == "" {
		o.label = DefaultLabel
	}
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("%w: %q (%v)", ErrPromptNotFound, name, err)
	}
	dir, base := splitName(name)
	f, err := m.folder(dir)
	if err != nil {
		return nil, err
	}
	p, err := f.pick(name, base, o)
	if err != nil {
		return nil, err
	}
	return p.clone(), nil
}

// Render looks up a prompt as GetPrompt does and renders it with vars.
func (m *Manager) Render(name string, vars map[string]any, opts ...Option) (string, error) {
	p, err := m.GetPrompt(name, opts...)
	if err != nil {
		return "", err
	}
	return p.Render(vars)
}

// RenderMessages looks up a prompt as GetPrompt does and renders it as chat
// messages (a text prompt gives one "user" message).
func (m *Manager) RenderMessages(name string, vars map[string]any, opts ...Option) ([]Message, error) {
	p, err := m.GetPrompt(name, opts...)
	if err != nil {
		return nil, err
	}
	return p.RenderMessages(vars)
}

// PromptInfo describes one defined prompt version.
type PromptInfo struct {
	// Name is the prompt's name.
	Name string
	// Label is the version's label.
	Label string
	// Version is the version number within the label.
	Version int
	// Type is TypeText or TypeChat.
	Type Type
	// File is the file defining it.
	File string
	// Line is the line of its entry in File.
	Line int
}

// List returns every prompt version of every file under the directory,
// sorted by name, label, version and file. The error, when not nil, joins
// the problems found (*ParseError of broken files, *DuplicateError); the
// list still holds every prompt that loaded.
func (m *Manager) List() ([]PromptInfo, error) {
	if m == nil {
		return nil, errors.New("prompts: List on a nil Manager")
	}
	fsys := m.filesystem()
	var dirs []string
	if fsys != nil {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == "." && absent(err) {
					return fs.SkipAll
				}
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			dirs = append(dirs, p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("prompts: list %s: %w", m.displayDir(), err)
		}
	}
	var (
		infos []PromptInfo
		errs  []error
	)
	for _, dir := range dirs {
		f, err := m.folder(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, f.broken...)
		for _, name := range slices.Sorted(maps.Keys(f.index)) {
			for _, label := range slices.Sorted(maps.Keys(f.index[name])) {
				versions := f.index[name][label]
				for i, p := range versions {
					infos = append(infos, PromptInfo{
						Name: p.Name, Label: p.Label, Version: p.Version,
						Type: p.kind(), File: p.File, Line: p.Line,
					})
					if i > 0 && versions[i-1].Version == p.Version {
						continue // reported with the first one
					}
					if err := duplicate(versions, p.Version); err != nil {
						errs = append(errs, err)
					}
				}
			}
		}
	}
	m.forgetExcept(dirs)
	slices.SortFunc(infos, func(a, b PromptInfo) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Label, b.Label),
			cmp.Compare(a.Version, b.Version), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return infos, errors.Join(errs...)
}

// displayDir names the manager's directory in messages.
func (m *Manager) displayDir() string {
	if m.dir == "" {
		return "file system"
	}
	return m.dir
}

// forgetExcept drops the cached folders that are not in dirs (deleted).
func (m *Manager) forgetExcept(dirs []string) {
	keep := make(map[string]bool, len(dirs))
	for _, d := range dirs {
		keep[d] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.folders {
		if !keep[k] {
			delete(m.folders, k)
		}
	}
}

// folder is the parsed state of one folder, never modified once built.
type folder struct {
	files map[string]*file // by file name
	// index maps a prompt's last name element to its label's versions,
	// sorted by version, file and line.
	index map[string]map[string][]*Prompt
	// broken holds the *ParseError of every broken file, sorted by file.
	broken []error
}

// emptyFolder is the state of a folder without prompt files.
var emptyFolder = &folder{}

// file is one parsed file, never modified once built.
type file struct {
	modTime time.Time
	size    int64
	prompts []*Prompt
	err     error
}

// stat is what a folder listing says of a file.
type stat struct {
	name    string
	modTime time.Time
	size    int64
}

// folder returns the up-to-date state of the folder dir ("." = top),
// reading the files that changed since the last call.
func (m *Manager) folder(dir string) (*folder, error) {
	fsys := m.filesystem()
	stats, err := scan(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("prompts: read folder %s: %w", m.display(dir), err)
	}
	if len(stats) == 0 {
		m.mu.RLock()
		_, cached := m.folders[dir]
		m.mu.RUnlock()
		if cached {
			m.mu.Lock()
			delete(m.folders, dir)
			m.mu.Unlock()
		}
		return emptyFolder, nil
	}
	m.mu.RLock()
	cur := m.folders[dir]
	m.mu.RUnlock()
	if cur.matches(stats) {
		return cur, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur = m.folders[dir]
	if cur.matches(stats) {
		return cur, nil // another lookup refreshed it meanwhile
	}
	next := m.build(fsys, dir, cur, stats)
	if m.folders == nil {
		m.folders = map[string]*folder{}
	}
	m.folders[dir] = next
	return next, nil
}

// scan lists the prompt files of a folder with their modification times
// and sizes. A folder that does not exist has no files.
func scan(fsys fs.FS, dir string) ([]stat, error) {
	if fsys == nil {
		return nil, nil
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		if absent(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []stat
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !isPromptFile(name) {
			continue
		}
		var info fs.FileInfo
		if e.Type()&fs.ModeSymlink != 0 {
			info, err = fs.Stat(fsys, path.Join(dir, name))
		} else {
			info, err = e.Info()
		}
		if err != nil || info.IsDir() {
			continue // removed meanwhile, dangling link, or a folder
		}
		out = append(out, stat{name: name, modTime: info.ModTime(), size: info.Size()})
	}
	return out, nil
}

// absent reports an error meaning that a folder is not there.
func absent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// isPromptFile reports a YAML file name.
func isPromptFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return (ext == ".yaml" || ext == ".yml") && len(name) > len(ext)
}

// matches reports whether f was built from exactly these files.
func (f *folder) matches(stats []stat) bool {
	if f == nil {
		return false
	}
	if len(f.files) != len(stats) {
		return false
	}
	for _, s := range stats {
		old, ok := f.files[s.name]
		if !ok || old.size != s.size || !old.modTime.Equal(s.modTime) {
			return false
		}
	}
	return true
}

// build returns the folder's new state, reusing the unchanged files of cur.
func (m *Manager) build(fsys fs.FS, dir string, cur *folder, stats []stat) *folder {
	next := &folder{files: make(map[string]*file, len(stats)), index: map[string]map[string][]*Prompt{}}
	for _, s := range stats {
		if cur != nil {
			if old, ok := cur.files[s.name]; ok && old.size == s.size && old.modTime.Equal(s.modTime) {
				next.files[s.name] = old
				continue
			}
		}
		next.files[s.name] = m.readFile(fsys, dir, s)
	}
	for _, name := range slices.Sorted(maps.Keys(next.files)) {
		f := next.files[name]
		if f.err != nil {
			next.broken = append(next.broken, f.err)
			continue
		}
		for _, p := range f.prompts {
			_, base := splitName(p.Name)
			if next.index[base] == nil {
				next.index[base] = map[string][]*Prompt{}
			}
			next.index[base][p.Label] = append(next.index[base][p.Label], p)
		}
	}
	for _, labels := range next.index {
		for _, versions := range labels {
			slices.SortStableFunc(versions, func(a, b *Prompt) int {
				return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
			})
		}
	}
	return next
}

// readFile reads and parses one file.
func (m *Manager) readFile(fsys fs.FS, dir string, s stat) *file {
	rel := path.Join(dir, s.name)
	f := &file{modTime: s.modTime, size: s.size}
	src := source{display: m.display(rel), stem: strings.TrimSuffix(s.name, path.Ext(s.name))}
	if dir != "." {
		src.folder = dir
	}
	data, err := fs.ReadFile(fsys, rel)
	if err != nil {
		f.err = &ParseError{File: src.display, Err: err}
		return f
	}
	f.prompts, f.err = parseFile(data, src)
	return f
}

// display returns the name of a path inside the file system for messages.
func (m *Manager) display(rel string) string {
	if m.dir == "" {
		return rel
	}
	return filepath.Join(m.dir, filepath.FromSlash(rel))
}

// pick selects the version of a lookup.
func (f *folder) pick(name, base string, o lookup) (*Prompt, error) {
	labels := f.index[base]
	if len(labels) == 0 {
		return nil, f.withBroken(fmt.Errorf("%w: %q", ErrPromptNotFound, name))
	}
	versions := labels[o.label]
	if len(versions) == 0 {
		return nil, f.withBroken(&LabelNotFoundError{Name: name, Label: o.label, Available: slices.Sorted(maps.Keys(labels))})
	}
	v := versions[len(versions)-1].Version
	if o.hasVersion {
		v = o.version
	}
	i := slices.IndexFunc(versions, func(p *Prompt) bool { return p.Version == v })
	if i < 0 {
		var avail []int
		for _, p := range versions {
			avail = append(avail, p.Version)
		}
		return nil, f.withBroken(&VersionNotFoundError{Name: name, Label: o.label, Version: v, Available: slices.Compact(avail)})
	}
	if err := duplicate(versions, v); err != nil {
		return nil, err
	}
	return versions[i], nil
}

// withBroken joins the folder's parse errors to a lookup's error.
func (f *folder) withBroken(err error) error {
	if len(f.broken) == 0 {
		return err
	}
	return errors.Join(append([]error{err}, f.broken...)...)
}

// duplicate returns a *DuplicateError when versions (sorted) hold version v
// more than once.
func duplicate(versions []*Prompt, v int) error {
	var locs []Location
	for _, p := range versions {
		if p.Version == v {
			locs = append(locs, Location{File: p.File, Line: p.Line})
		}
	}
	if len(locs) < 2 {
		return nil
	}
	p := versions[0]
	return &DuplicateError{Name: p.Name, Label: p.Label, Version: v, Locations: locs}
}

// checkName checks a prompt name: slash-separated elements, none empty or
// starting with a dot (hidden files and folders are not read).
func checkName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if !fs.ValidPath(name) || strings.Contains(name, `\`) {
		return errors.New(`invalid name: want slash-separated elements without "", "." or ".."`)
	}
	for _, elem := range strings.Split(name, "/") {
		if strings.HasPrefix(elem, ".") {
			return fmt.Errorf("invalid name: element %q starts with a dot", elem)
		}
	}
	return nil
}

// splitName splits a name into its folder ("." at the top) and last
// element.
func splitName(name string) (dir, base string) {
	dir, base = path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	return dir, base
}
