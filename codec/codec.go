package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload.
const (
	// EncodingEncrypted is the "encoding" metadata of an encrypted payload.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID names the key that encrypted the payload.
	MetadataKeyID = "encryption-key-id"
	// MetadataCipher names the cipher: always CipherAES256GCM.
	MetadataCipher = "encryption-cipher"
	// CipherAES256GCM is the value of MetadataCipher.
	CipherAES256GCM = "AES-256-GCM"
	// KeySize is the size of a key in bytes.
	KeySize = 32
	// maxKeyIDLen bounds the length of a key id.
	maxKeyIDLen = 64
)

// Errors of the codec; match them with errors.Is.
var (
	// ErrNoKeys: a key ring or key file holds no key.
	ErrNoKeys = errors.New("no encryption key")
	// ErrKeyLength: a key is not KeySize bytes long.
	ErrKeyLength = errors.New("key has the wrong length")
	// ErrInvalidKeyID: a key id is empty, too long or has characters other
	// than letters, digits, '.', '_' and '-'.
	ErrInvalidKeyID = errors.New("invalid key id")
	// ErrDuplicateKeyID: two keys have the same id.
	ErrDuplicateKeyID = errors.New("duplicate key id")
	// ErrTwoCurrent: more than one key is marked current.
	ErrTwoCurrent = errors.New("more than one current key")
	// ErrMalformed: a key file line is not "<key-id>:<base64>", or a
	// key's base64 does not decode.
	ErrMalformed = errors.New("malformed key")
	// ErrUnknownKey: an encrypted payload names a key the codec does not
	// have (removed from the key file too early, or another key file).
	ErrUnknownKey = errors.New("unknown encryption key id")
	// ErrDecrypt: an encrypted payload does not authenticate (tampered
	// with, truncated, or encrypted with another key of the same id) or is
	// malformed.
	ErrDecrypt = errors.New("cannot decrypt payload")
)

// Key is one named AES-256 key.
type Key struct {
	// ID names the key in the payloads it encrypts.
	ID string
	// Secret is the key, KeySize bytes.
	Secret []byte
	// Current marks the key that encrypts; when no key is marked, the last
	// one does. At most one key may be marked.
	Current bool
}

// KeyError is a bad key given to New: it names the key and wraps
// ErrKeyLength, ErrInvalidKeyID or ErrDuplicateKeyID.
type KeyError struct {
	// KeyID is the id of the key ("" when the id itself is empty).
	KeyID string
	// Err is the reason.
	Err error
}

func (e *KeyError) Error() string { return fmt.Sprintf("codec: key %q: %v", e.KeyID, e.Err) }

// Unwrap returns the reason.
func (e *KeyError) Unwrap() error { return e.Err }

// DecodeError is a payload Decode cannot decrypt: it names the key id the
// payload asks for and wraps ErrUnknownKey or ErrDecrypt.
type DecodeError struct {
	// KeyID is the payload's key id ("" when it has none).
	KeyID string
	// Err is the reason.
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("codec: payload encrypted with key %q: %v", e.KeyID, e.Err)
}

// Unwrap returns the reason.
func (e *DecodeError) Unwrap() error { return e.Err }

// Codec is an AES-256-GCM converter.PayloadCodec with a key ring: it
// encrypts with the current key and decrypts with whichever key a payload
// names. It is safe for concurrent use.
type Codec struct {
	aeads   map[string]cipher.AEAD
	ids     []string
	current string
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a codec with keys; the current key is the one marked
// Current, else the last one. Every key must be KeySize bytes with a
// valid, unique id, and at most one marked, else New returns a *KeyError
// (or ErrNoKeys for none). The secrets are copied.
func New(keys []Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("codec: %w", ErrNoKeys)
	}
	c := &Codec{aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		if err := checkKeyID(k.ID); err != nil {
			return nil, &KeyError{KeyID: k.ID, Err: err}
		}
		if len(k.Secret) != KeySize {
			return nil, &KeyError{KeyID: k.ID, Err: fmt.Errorf("%w: %d bytes, want %d", ErrKeyLength, len(k.Secret), KeySize)}
		}
		if _, dup := c.aeads[k.ID]; dup {
			return nil, &KeyError{KeyID: k.ID, Err: ErrDuplicateKeyID}
		}
		block, err := aes.NewCipher(slices.Clone(k.Secret))
		if err != nil {
			return nil, &KeyError{KeyID: k.ID, Err: err}
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, &KeyError{KeyID: k.ID, Err: err}
		}
		c.aeads[k.ID] = aead
		c.ids = append(c.ids, k.ID)
		if k.Current {
			if c.current != "" {
				return nil, &KeyError{KeyID: k.ID, Err: fmt.Errorf("%w (also %q)", ErrTwoCurrent, c.current)}
			}
			c.current = k.ID
		}
	}
	if c.current == "" {
		c.current = keys[len(keys)-1].ID
	}
	return c, nil
}

// checkKeyID reports whether id is 1 to 64 letters, digits, '.', '_' or '-'.
func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDLen {
		return fmt.Errorf("%w: want 1 to %d characters", ErrInvalidKeyID, maxKeyIDLen)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("%w: %q is not a letter, digit, '.', '_' or '-'", ErrInvalidKeyID, r)
		}
	}
	return nil
}

// CurrentKeyID returns the id of the key that encrypts.
func (c *Codec) CurrentKeyID() string { return c.current }

// KeyIDs returns the ids of all keys, in the order given.
func (c *Codec) KeyIDs() []string { return slices.Clone(c.ids) }

// Encode encrypts every payload with the current key (a fresh random nonce
// each).
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload: %w", err)
		}
		data := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(data); err != nil {
			return nil, fmt.Errorf("codec: nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(c.current),
				MetadataCipher:             []byte(CipherAES256GCM),
			},
			Data: aead.Seal(data, data, plain, []byte(c.current)),
		}
	}
	return out, nil
}

// Decode decrypts the payloads this codec's format encrypted (encoding
// EncodingEncrypted) and passes the others through unchanged. A payload it
// cannot decrypt is a *DecodeError.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		d, err := c.decrypt(p)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	id := string(p.GetMetadata()[MetadataKeyID])
	if cph, ok := p.GetMetadata()[MetadataCipher]; ok && string(cph) != CipherAES256GCM {
		return nil, &DecodeError{KeyID: id, Err: fmt.Errorf("%w: cipher %q, want %s", ErrDecrypt, cph, CipherAES256GCM)}
	}
	aead, ok := c.aeads[id]
	if !ok {
		return nil, &DecodeError{KeyID: id, Err: fmt.Errorf("%w (known: %s)", ErrUnknownKey, strings.Join(c.ids, ", "))}
	}
	data := p.GetData()
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, &DecodeError{KeyID: id, Err: fmt.Errorf("%w: %d bytes is too short", ErrDecrypt, len(data))}
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, data[:n], data[n:], []byte(id))
	if err != nil {
		return nil, &DecodeError{KeyID: id, Err: fmt.Errorf("%w: authentication failed (tampered with, or another key)", ErrDecrypt)}
	}
	var d commonpb.Payload
	if err := proto.Unmarshal(plain, &d); err != nil {
		return nil, &DecodeError{KeyID: id, Err: fmt.Errorf("%w: %v", ErrDecrypt, err)}
	}
	return &d, nil
}

// NewDataConverter returns Temporal's default data converter with c
// applied to every payload: use it as client.Options.DataConverter.
func NewDataConverter(c converter.PayloadCodec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// NewFailureConverter returns Temporal's default failure converter with
// dc for failure details and EncodeCommonAttributes on: the message and
// stack trace of every failure travel in an encoded payload (encrypted by
// dc), and history shows "Encoded failure" in their place. Use it as
// client.Options.FailureConverter next to NewDataConverter; clients with
// the codec see the real message.
func NewFailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
}
