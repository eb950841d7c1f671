// Package prompts manages prompt templates kept in YAML files, with labels
// (production, staging, …) and versions, and renders them with a
// Jinja2-compatible engine (github.com/nikolalohinski/gonja/v2).
//
// The package is standalone: it imports no Temporal code and can be used
// from any Go program as well as from graflow tasks.
//
//	m := prompts.NewManager("prompts/") // "" = $GRAFLOW_PROMPTS_DIR or ./prompts
//	p, err := m.GetPrompt("summarize", prompts.Label("production"))
//	if err != nil {
//		return err
//	}
//	text, err := p.Render(map[string]any{"text": "content to summarize", "max_words": 100})
//
// # File forms
//
// Every *.yaml and *.yml file under the directory is read (files and
// folders whose name starts with a dot are skipped). A file holds one of two
// forms.
//
// The list form, as in Graflow's pattern documentation: the top level is a
// list of entries, and the prompt's name is the file's path relative to the
// directory without its extension (prompts/summarize.yaml is "summarize",
// prompts/a/b.yaml is "a/b"):
//
//	# prompts/summarize.yaml
//	- label: production       # default "production"
//	  version: 1              # default 1
//	  template: |
//	    Summarize the following text in {{max_words}} words or less:
//
//	    {{text}}
//	- label: development
//	  version: 2
//	  template: "[DEV] Summarize: {{text}}"
//
// The mapping form, Graflow's YAMLPromptManager format: the top level maps
// prompt keys to prompts, and a file in the folder a/b/ defines the prompts
// a/b/<key> (virtual folders; the file's own name does not matter):
//
//	# prompts/any-name.yaml
//	greeting:
//	  type: text              # text (default) or chat
//	  labels:
//	    production: {content: "Hello {{name}}!", version: 2}
//	    staging:    {content: "Hi {{name}}!"}
//	assistant:
//	  type: chat
//	  labels:
//	    production:
//	      content:
//	        - {role: system, content: "You help with {{product}}."}
//	        - {role: user, content: "{{question}}"}
//
// In both forms an entry's template may be given as template or content; a
// list of {role, content} messages makes a chat prompt. Other fields
// (metadata, created_at, description, …) are accepted and ignored.
//
// # Selection
//
// GetPrompt picks a label (Label, default "production") and, within it, the
// highest version unless Version asks for a given one. One name may be
// defined by several files (list-form and mapping-form files of the same
// folder, different labels or versions); the same name, label and version
// defined twice is a *DuplicateError naming both places.
//
// # Rendering
//
// Templates are Jinja2: {{ var }}, filters ({{ name | title }}),
// conditionals, loops, {% set %}, tests such as "is defined" and the default
// filter. Undefined variables are strict, as with Jinja2's StrictUndefined:
// rendering a template that uses a variable absent from vars fails with a
// *RenderError naming it (errors.Is(err, ErrMissingVariable)). Extra
// variables are ignored. As in Jinja2, a single trailing newline of the
// template is dropped. {% include %}, {% import %} and {% extends %} are not
// supported: a prompt is one self-contained template.
//
// # Errors
//
// Lookups fail with ErrPromptNotFound (wrapped with the name),
// *LabelNotFoundError and *VersionNotFoundError (listing what exists),
// *DuplicateError, and *ParseError (file and line) for a file that cannot be
// read as prompts. A broken file never hides the prompts of the other files:
// its *ParseError is joined to every failed lookup of a name in its folder,
// and to the error of List, until the file is fixed.
//
// # Caching and reload
//
// Files are read lazily, one folder at a time, on the first lookup of a name
// in that folder, and kept parsed. Every lookup lists the folder and compares
// each file's modification time and size with what was read: changed and new
// files are parsed again, deleted files are dropped. A Manager is safe for
// concurrent use.
package prompts
