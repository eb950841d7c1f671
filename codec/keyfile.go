package codec

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
)

// KeyFileError is a key file that cannot be used: it names the file, the
// line (0 for the whole file) and the key id when known, and wraps the
// reason (ErrMalformed, ErrKeyLength, ErrInvalidKeyID, ErrDuplicateKeyID,
// ErrTwoCurrent, ErrNoKeys or an I/O error). It never contains key material.
type KeyFileError struct {
	// File is the key file's name.
	File string
	// Line is the 1-based line of the bad key, 0 for the whole file.
	Line int
	// KeyID is the id of the bad key, when known.
	KeyID string
	// Err is the reason.
	Err error
}

func (e *KeyFileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "codec: key file %s", e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.KeyID != "" {
		fmt.Fprintf(&b, " (key %q)", e.KeyID)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the reason.
func (e *KeyFileError) Unwrap() error { return e.Err }

// LoadKeyFile reads the key file at path (see the package documentation
// for its format) and returns a codec with its keys: the one marked "*"
// current, else the last one.
// Errors are *KeyFileError.
func LoadKeyFile(path string) (*Codec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &KeyFileError{File: path, Err: err}
	}
	defer f.Close()
	keys, err := ParseKeyFile(path, f)
	if err != nil {
		return nil, err
	}
	return New(keys)
}

// ParseKeyFile parses a key file read from r; name is the file's name in
// errors. Errors are *KeyFileError.
func ParseKeyFile(name string, r io.Reader) ([]Key, error) {
	var keys []Key
	seen := map[string]int{}
	currentLine := 0
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fail := func(id string, err error) error { return &KeyFileError{File: name, Line: line, KeyID: id, Err: err} }
		current := strings.HasPrefix(text, "*")
		text = strings.TrimPrefix(text, "*")
		id, b64, ok := strings.Cut(text, ":")
		id, b64 = strings.TrimSpace(id), strings.TrimSpace(b64)
		if !ok {
			return nil, fail("", fmt.Errorf(`%w: want "<key-id>:<base64 of %d bytes>"`, ErrMalformed, KeySize))
		}
		if err := checkKeyID(id); err != nil {
			return nil, fail(id, err)
		}
		if prev, dup := seen[id]; dup {
			return nil, fail(id, fmt.Errorf("%w (also on line %d)", ErrDuplicateKeyID, prev))
		}
		secret, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fail(id, fmt.Errorf("%w: not standard base64: %v", ErrMalformed, err))
		}
		if len(secret) != KeySize {
			return nil, fail(id, fmt.Errorf("%w: %d bytes, want %d", ErrKeyLength, len(secret), KeySize))
		}
		if bytes.Equal(secret, make([]byte, KeySize)) {
			return nil, fail(id, fmt.Errorf("%w: all zero bytes", ErrMalformed))
		}
		if current && currentLine > 0 {
			return nil, fail(id, fmt.Errorf("%w (also on line %d)", ErrTwoCurrent, currentLine))
		}
		if current {
			currentLine = line
		}
		seen[id] = line
		keys = append(keys, Key{ID: id, Secret: secret, Current: current})
	}
	if err := sc.Err(); err != nil {
		return nil, &KeyFileError{File: name, Err: err}
	}
	if len(keys) == 0 {
		return nil, &KeyFileError{File: name, Err: ErrNoKeys}
	}
	return keys, nil
}
