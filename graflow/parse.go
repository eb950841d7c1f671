package graflow

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseFlow reads a Graflow expression such as
// "fetch >> (a | b | c) >> aggregate" and returns the node it describes.
//
// Identifiers ([A-Za-z0-9_-]+) name tasks registered in reg (nil means
// DefaultRegistry); each stands for the task itself, exactly as if the *Task
// were used as a node, so its id is its name. ">>" chains, "|" groups, and
// ">>" binds tighter than "|", as in Python: "a | b >> c" is a | (b >> c).
// Parentheses group; "a | b | c" is one three-member group, while a
// parenthesized group inside a group, as in "a | (b | c)", stays a nested
// group (this is how Node.String prints one). A named group is written
// "name:(a | b)".
//
// ParseFlow(n.String()) rebuilds a node that prints the same as n. Policies
// and instance parameters are not part of the expression.
//
// Errors are *ParseError values, which wrap ErrInvalidGraph (and
// ErrTaskNotRegistered for an unknown task name) and give the 1-based column
// of the problem.
func ParseFlow(expr string, reg *Registry) (Node, error) {
	if reg == nil {
		reg = DefaultRegistry
	}
	p := &flowParser{expr: expr, reg: reg}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, p.fail(0, "empty expression")
	}
	n, err := p.alt()
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tokEOF:
		return n, nil
	case tokRParen:
		return nil, p.fail(p.tok.pos, "unmatched ')'")
	default:
		return nil, p.fail(p.tok.pos, "unexpected %s after a complete expression (missing '>>' or '|'?)", p.tok)
	}
}

// ParseError reports why and where ParseFlow rejected an expression. It
// wraps ErrInvalidGraph, and also ErrTaskNotRegistered when Task is set.
type ParseError struct {
	// Expr is the expression that was parsed.
	Expr string
	// Column is the 1-based column (in characters) of the problem; one past
	// the end for a problem at the end of the expression.
	Column int
	// Msg says what is wrong.
	Msg string
	// Task is the unknown task name, when that is the problem.
	Task string
}

// Error describes the failure.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%v: flow %q: column %d: %s", ErrInvalidGraph, e.Expr, e.Column, e.Msg)
}

// Unwrap returns ErrInvalidGraph, plus ErrTaskNotRegistered for an unknown
// task name.
func (e *ParseError) Unwrap() []error {
	if e.Task != "" {
		return []error{ErrInvalidGraph, ErrTaskNotRegistered}
	}
	return []error{ErrInvalidGraph}
}

// taskRef is a registered task used as a node by its name, as ParseFlow
// builds it. It adds the very graph node the *Task itself adds.
type taskRef struct{ info *taskInfo }

// String returns the task's name.
func (r *taskRef) String() string { return r.info.Name }

func (r *taskRef) build(b *builder) (string, string) {
	b.task(r.info.Name, r.info.Name, r.info, nil, nil)
	return r.info.Name, r.info.Name
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokSeq    // >>
	tokBar    // |
	tokLParen // (
	tokRParen // )
	tokColon  // :
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the expression
}

// String names the token in error messages.
func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokIdent:
		return fmt.Sprintf("name %q", t.text)
	default:
		return "'" + t.text + "'"
	}
}

type flowParser struct {
	expr string
	reg  *Registry
	off  int // byte offset of the next unread character
	tok  token
}

// fail returns a *ParseError at byte offset pos.
func (p *flowParser) fail(pos int, format string, args ...any) *ParseError {
	return &ParseError{Expr: p.expr, Column: utf8.RuneCountInString(p.expr[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// next reads the next token into p.tok.
func (p *flowParser) next() error {
	for p.off < len(p.expr) && strings.IndexByte(" \t\r\n", p.expr[p.off]) >= 0 {
		p.off++
	}
	start := p.off
	if start == len(p.expr) {
		p.tok = token{kind: tokEOF, pos: start}
		return nil
	}
	c := p.expr[start]
	switch {
	case isNameByte(c):
		for p.off < len(p.expr) && isNameByte(p.expr[p.off]) {
			p.off++
		}
		p.tok = token{kind: tokIdent, text: p.expr[start:p.off], pos: start}
		return nil
	case strings.HasPrefix(p.expr[start:], ">>"):
		p.off += 2
		p.tok = token{kind: tokSeq, text: ">>", pos: start}
		return nil
	case c == '|':
		p.tok = token{kind: tokBar, text: "|", pos: start}
	case c == '(':
		p.tok = token{kind: tokLParen, text: "(", pos: start}
	case c == ')':
		p.tok = token{kind: tokRParen, text: ")", pos: start}
	case c == ':':
		p.tok = token{kind: tokColon, text: ":", pos: start}
	case c == '>':
		return p.fail(start, "unexpected '>' (did you mean '>>'?)")
	default:
		r, _ := utf8.DecodeRuneInString(p.expr[start:])
		return p.fail(start, "unexpected character %q", r)
	}
	p.off++
	return nil
}

// alt parses seq ('|' seq)*.
func (p *flowParser) alt() (Node, error) {
	first, err := p.seq()
	if err != nil {
		return nil, err
	}
	members := []Node{first}
	for p.tok.kind == tokBar {
		if err := p.next(); err != nil {
			return nil, err
		}
		m, err := p.seq()
		if err != nil {
			return nil, err
		}
		members = append(members, m)
	}
	if len(members) == 1 {
		return first, nil
	}
	// NewParallelGroup, not Parallel: a parenthesized member group stays
	// nested, as String printed it.
	return NewParallelGroup(members, GroupOptions{}), nil
}

// seq parses primary ('>>' primary)*.
func (p *flowParser) seq() (Node, error) {
	first, err := p.primary()
	if err != nil {
		return nil, err
	}
	var rest []Node
	for p.tok.kind == tokSeq {
		if err := p.next(); err != nil {
			return nil, err
		}
		n, err := p.primary()
		if err != nil {
			return nil, err
		}
		rest = append(rest, n)
	}
	return Chain(first, rest...), nil
}

// primary parses a task name, a named group name:(...) or a parenthesized
// expression.
func (p *flowParser) primary() (Node, error) {
	tok := p.tok
	switch tok.kind {
	case tokIdent:
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokColon {
			return p.namedGroup(tok)
		}
		info, ok := p.reg.lookup(tok.text)
		if !ok {
			e := p.fail(tok.pos, "task %q is not registered", tok.text)
			e.Task = tok.text
			return nil, e
		}
		return &taskRef{info: info}, nil
	case tokLParen:
		if err := p.next(); err != nil {
			return nil, err
		}
		n, err := p.alt()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.fail(p.tok.pos, "missing ')' to close the '(' at column %d, found %s", utf8.RuneCountInString(p.expr[:tok.pos])+1, p.tok)
		}
		return n, p.next()
	default:
		return nil, p.fail(tok.pos, "expected a task name or '(', found %s", tok)
	}
}

// namedGroup parses ":(a | b ...)" after the group name and names the group.
func (p *flowParser) namedGroup(name token) (Node, error) {
	if err := p.next(); err != nil { // skip ':'
		return nil, err
	}
	open := p.tok
	if open.kind != tokLParen {
		return nil, p.fail(open.pos, "expected '(' after %q:, found %s", name.text, open)
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	body := p.tok
	n, err := p.alt()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, p.fail(p.tok.pos, "missing ')' to close the '(' at column %d, found %s", utf8.RuneCountInString(p.expr[:open.pos])+1, p.tok)
	}
	g, ok := n.(*Group)
	switch {
	case !ok:
		return nil, p.fail(body.pos, "group %q needs at least two members joined by '|'", name.text)
	case g.Name() != "":
		return nil, p.fail(body.pos, "group %q is already named %q", name.text, g.Name())
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	return g.Named(name.text), nil
}
