package prompts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultLabel is the label GetPrompt looks up when no Label is given.
const DefaultLabel = "production"

// defaultVersion is the version of an entry that names none.
const defaultVersion = 1

// source says where a file is: its path for messages, the folder of its
// prompts' names ("" at the top) and its name without extension.
type source struct {
	display string
	folder  string
	stem    string
}

// qualify returns the full name of a prompt called key in the file's
// folder.
func (s source) qualify(key string) string {
	if s.folder == "" {
		return key
	}
	return s.folder + "/" + key
}

// errAt returns a *ParseError of the file at the line of n.
func (s source) errAt(n *yaml.Node, format string, args ...any) *ParseError {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ParseError{File: s.display, Line: line, Err: fmt.Errorf(format, args...)}
}

// parseFile reads the prompts of one file, in either form. A file with any
// problem yields no prompt and one *ParseError.
func parseFile(data []byte, src source) ([]*Prompt, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty file
		}
		return nil, &ParseError{File: src.display, Line: yamlErrorLine(err), Err: err}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, &ParseError{File: src.display, Line: yamlErrorLine(err), Err: err}
		}
		return nil, src.errAt(&extra, "more than one YAML document in the file")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	root = deref(root)
	var (
		out []*Prompt
		err error
	)
	switch {
	case isNull(root):
		return nil, nil
	case root.Kind == yaml.SequenceNode:
		out, err = parseList(root, src)
	case root.Kind == yaml.MappingNode:
		out, err = parseMapping(root, src)
	default:
		return nil, src.errAt(root, "want a list of {label, version, template} entries or a mapping of prompt names, got %s", describe(root))
	}
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		if err := p.compileAll(); err != nil {
			return nil, &ParseError{File: src.display, Line: p.Line, Err: fmt.Errorf("prompt %q label %q: %w", p.Name, p.Label, err)}
		}
	}
	return out, nil
}

// parseList reads the list form: the prompt's name is the file's path
// without extension.
func parseList(root *yaml.Node, src source) ([]*Prompt, error) {
	name := src.qualify(src.stem)
	var out []*Prompt
	for i, item := range root.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			return nil, src.errAt(item, "entry %d: want a mapping with label, version and template, got %s", i+1, describe(item))
		}
		fields, err := mappingFields(item, src)
		if err != nil {
			return nil, err
		}
		label := DefaultLabel
		if n, ok := fields["label"]; ok {
			if label, err = stringField(n, "label", src); err != nil {
				return nil, err
			}
			if label == "" {
				return nil, src.errAt(n, "entry %d: empty label", i+1)
			}
		}
		typ, err := typeField(fields, src)
		if err != nil {
			return nil, err
		}
		p, err := entry(name, label, typ, item, fields, src)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// parseMapping reads Graflow's mapping form: key → {type, labels: {label:
// {content, version}}}.
func parseMapping(root *yaml.Node, src source) ([]*Prompt, error) {
	var out []*Prompt
	for i := 0; i+1 < len(root.Content); i += 2 {
		keyNode, val := root.Content[i], deref(root.Content[i+1])
		key, err := stringField(keyNode, "prompt name", src)
		if err != nil {
			return nil, err
		}
		if err := checkKey(key); err != nil {
			return nil, src.errAt(keyNode, "prompt name %q: %v", key, err)
		}
		if val.Kind != yaml.MappingNode {
			return nil, src.errAt(val, "prompt %q: want a mapping with type and labels, got %s", key, describe(val))
		}
		fields, err := mappingFields(val, src)
		if err != nil {
			return nil, err
		}
		typ, err := typeField(fields, src)
		if err != nil {
			return nil, err
		}
		labelsNode, ok := fields["labels"]
		if !ok {
			return nil, src.errAt(val, "prompt %q: no labels", key)
		}
		labelsNode = deref(labelsNode)
		if labelsNode.Kind != yaml.MappingNode {
			return nil, src.errAt(labelsNode, "prompt %q: labels: want a mapping of label to {content, version}, got %s", key, describe(labelsNode))
		}
		name := src.qualify(key)
		for j := 0; j+1 < len(labelsNode.Content); j += 2 {
			labelNode, body := labelsNode.Content[j], deref(labelsNode.Content[j+1])
			label, err := stringField(labelNode, "label", src)
			if err != nil {
				return nil, err
			}
			if label == "" {
				return nil, src.errAt(labelNode, "prompt %q: empty label", key)
			}
			if body.Kind != yaml.MappingNode {
				return nil, src.errAt(body, "prompt %q label %q: want a mapping with content and version, got %s", key, label, describe(body))
			}
			bodyFields, err := mappingFields(body, src)
			if err != nil {
				return nil, err
			}
			p, err := entry(name, label, typ, labelNode, bodyFields, src)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// entry builds one prompt version from its fields: version, and the
// template as template or content (a string, or a list of messages for a
// chat prompt). typ is the declared type ("" = from the template's shape).
func entry(name, label string, typ Type, at *yaml.Node, fields map[string]*yaml.Node, src source) (*Prompt, error) {
	p := &Prompt{Name: name, Label: label, Version: defaultVersion, File: src.display, Line: at.Line}
	where := fmt.Sprintf("prompt %q label %q", name, label)
	if n, ok := fields["version"]; ok {
		n = deref(n)
		var v int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
			return nil, src.errAt(n, "%s: version: want an integer, got %s", where, describe(n))
		}
		if v < 1 {
			return nil, src.errAt(n, "%s: version %d: want a positive integer", where, v)
		}
		p.Version = v
	}
	tmpl, hasTemplate := fields["template"]
	content, hasContent := fields["content"]
	switch {
	case hasTemplate && hasContent:
		return nil, src.errAt(content, "%s: both template and content are given", where)
	case hasContent:
		tmpl = content
	case !hasTemplate:
		return nil, src.errAt(at, "%s: no template (or content)", where)
	}
	tmpl = deref(tmpl)
	switch {
	case tmpl.Kind == yaml.SequenceNode:
		if typ == TypeText {
			return nil, src.errAt(tmpl, "%s: a text prompt wants a string template, got a list (set type: chat for messages)", where)
		}
		msgs, err := messages(tmpl, where, src)
		if err != nil {
			return nil, err
		}
		p.Type, p.Messages = TypeChat, msgs
	case tmpl.Kind == yaml.ScalarNode && !isNull(tmpl):
		if typ == TypeChat {
			return nil, src.errAt(tmpl, "%s: a chat prompt wants a list of {role, content} messages, got a string", where)
		}
		p.Type, p.Template = TypeText, tmpl.Value
	default:
		hint := ""
		if tmpl.Kind == yaml.MappingNode && tmpl.Style&yaml.FlowStyle != 0 {
			hint = ` (quote a template that starts with "{")`
		}
		return nil, src.errAt(tmpl, "%s: want a string template or a list of messages, got %s%s", where, describe(tmpl), hint)
	}
	return p, nil
}

// messages reads a chat prompt's list of {role, content} messages.
func messages(list *yaml.Node, where string, src source) ([]Message, error) {
	if len(list.Content) == 0 {
		return nil, src.errAt(list, "%s: empty message list", where)
	}
	out := make([]Message, 0, len(list.Content))
	for i, item := range list.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			return nil, src.errAt(item, "%s: message %d: want a mapping with role and content, got %s", where, i+1, describe(item))
		}
		fields, err := mappingFields(item, src)
		if err != nil {
			return nil, err
		}
		var m Message
		roleNode, ok := fields["role"]
		if !ok {
			return nil, src.errAt(item, "%s: message %d: no role", where, i+1)
		}
		if m.Role, err = stringField(roleNode, "role", src); err != nil {
			return nil, err
		}
		if m.Role == "" {
			return nil, src.errAt(roleNode, "%s: message %d: empty role", where, i+1)
		}
		contentNode, ok := fields["content"]
		if !ok {
			return nil, src.errAt(item, "%s: message %d: no content", where, i+1)
		}
		if m.Content, err = stringField(contentNode, "content", src); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// typeField reads the optional type field: text, chat or absent ("").
func typeField(fields map[string]*yaml.Node, src source) (Type, error) {
	n, ok := fields["type"]
	if !ok {
		return "", nil
	}
	s, err := stringField(n, "type", src)
	if err != nil {
		return "", err
	}
	switch t := Type(strings.ToLower(s)); t {
	case TypeText, TypeChat:
		return t, nil
	default:
		return "", src.errAt(n, "type %q: want text or chat", s)
	}
}

// mappingFields returns the fields of a mapping node by key.
func mappingFields(n *yaml.Node, src source) (map[string]*yaml.Node, error) {
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			return nil, src.errAt(k, "want a string key, got %s", describe(k))
		}
		out[k.Value] = n.Content[i+1]
	}
	return out, nil
}

// stringField returns a scalar's text (a number or boolean as written).
func stringField(n *yaml.Node, what string, src source) (string, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", src.errAt(n, "%s: want a string, got %s", what, describe(n))
	}
	return n.Value, nil
}

// checkKey checks a mapping-form prompt key: one path element.
func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty")
	case key == "." || key == "..":
		return errors.New("not a name")
	case strings.ContainsAny(key, `/\`):
		return errors.New("contains a slash (use a folder for a/b names)")
	}
	return nil
}

// deref follows YAML aliases.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports a null scalar (~, null or nothing).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the kind of a node for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	default:
		return "something else"
	}
}
