package codec_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/graflow-go/graflow/codec"
)

func newKey(t *testing.T, id string) codec.Key {
	t.Helper()
	secret := make([]byte, codec.KeySize)
	_, err := rand.Read(secret)
	require.NoError(t, err)
	return codec.Key{ID: id, Secret: secret}
}

func keyLine(k codec.Key) string {
	return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret)
}

func jsonPayload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	require.NoError(t, err)
	return p
}

func TestRoundTrip(t *testing.T) {
	c, err := codec.New([]codec.Key{newKey(t, "k1")})
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		value any
	}{
		{"string", "top-secret-value"},
		{"object", map[string]any{"channel": map[string]any{"password": "hunter2"}}},
		{"number", 42.5},
		{"nil", nil},
		{"bytes", []byte{0, 1, 2, 255}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := jsonPayload(t, tc.value)
			enc, err := c.Encode([]*commonpb.Payload{in})
			require.NoError(t, err)
			require.Len(t, enc, 1)
			assert.Equal(t, codec.EncodingEncrypted, string(enc[0].Metadata[converter.MetadataEncoding]))
			assert.Equal(t, "k1", string(enc[0].Metadata[codec.MetadataKeyID]))
			assert.Equal(t, codec.CipherAES256GCM, string(enc[0].Metadata[codec.MetadataCipher]))
			if len(in.Data) > 4 {
				assert.False(t, bytes.Contains(enc[0].Data, in.Data), "ciphertext holds the plaintext")
			}
			dec, err := c.Decode(enc)
			require.NoError(t, err)
			require.Len(t, dec, 1)
			assert.Equal(t, in.Metadata, dec[0].Metadata)
			assert.Equal(t, in.Data, dec[0].Data)
		})
	}
}

func TestNonceIsRandom(t *testing.T) {
	c, err := codec.New([]codec.Key{newKey(t, "k1")})
	require.NoError(t, err)
	in := jsonPayload(t, "same")
	a, err := c.Encode([]*commonpb.Payload{in, in})
	require.NoError(t, err)
	assert.NotEqual(t, a[0].Data, a[1].Data, "two encodings of one payload must differ")
}

func TestRotation(t *testing.T) {
	old, cur := newKey(t, "2026-01"), newKey(t, "2026-07")
	before, err := codec.New([]codec.Key{old})
	require.NoError(t, err)
	after, err := codec.New([]codec.Key{old, cur})
	require.NoError(t, err)
	assert.Equal(t, "2026-07", after.CurrentKeyID())
	assert.Equal(t, []string{"2026-01", "2026-07"}, after.KeyIDs())

	in := jsonPayload(t, "written before the rotation")
	oldEnc, err := before.Encode([]*commonpb.Payload{in})
	require.NoError(t, err)
	dec, err := after.Decode(oldEnc)
	require.NoError(t, err, "the old key still decodes")
	assert.Equal(t, in.Data, dec[0].Data)

	newEnc, err := after.Encode([]*commonpb.Payload{in})
	require.NoError(t, err)
	assert.Equal(t, "2026-07", string(newEnc[0].Metadata[codec.MetadataKeyID]), "new payloads use the current key")
	// Step one of a rotation: the new key is known, the old one still current.
	staged, err := codec.New([]codec.Key{{ID: old.ID, Secret: old.Secret, Current: true}, cur})
	require.NoError(t, err)
	assert.Equal(t, "2026-01", staged.CurrentKeyID())
	_, err = staged.Decode(newEnc)
	require.NoError(t, err, "a staged key decodes before it encrypts")

	_, err = before.Decode(newEnc)
	var de *codec.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "2026-07", de.KeyID)
	assert.ErrorIs(t, err, codec.ErrUnknownKey)
	assert.Contains(t, err.Error(), `"2026-07"`)
}

func TestDecodeFailures(t *testing.T) {
	k := newKey(t, "k1")
	c, err := codec.New([]codec.Key{k})
	require.NoError(t, err)
	other, err := codec.New([]codec.Key{newKey(t, "k1")}) // same id, other secret
	require.NoError(t, err)
	encode := func(t *testing.T) *commonpb.Payload {
		enc, err := c.Encode([]*commonpb.Payload{jsonPayload(t, "secret")})
		require.NoError(t, err)
		return enc[0]
	}
	for _, tc := range []struct {
		name   string
		mutate func(*commonpb.Payload)
		codec  *codec.Codec
		want   error
	}{
		{"flipped ciphertext byte", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 }, c, codec.ErrDecrypt},
		{"flipped nonce byte", func(p *commonpb.Payload) { p.Data[0] ^= 1 }, c, codec.ErrDecrypt},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:10] }, c, codec.ErrDecrypt},
		{"key id swapped", func(p *commonpb.Payload) { p.Metadata[codec.MetadataKeyID] = []byte("k2") }, c, codec.ErrUnknownKey},
		{"no key id", func(p *commonpb.Payload) { delete(p.Metadata, codec.MetadataKeyID) }, c, codec.ErrUnknownKey},
		{"other cipher", func(p *commonpb.Payload) { p.Metadata[codec.MetadataCipher] = []byte("ROT13") }, c, codec.ErrDecrypt},
		{"another key of the same id", func(*commonpb.Payload) {}, other, codec.ErrDecrypt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := encode(t)
			tc.mutate(p)
			_, err := tc.codec.Decode([]*commonpb.Payload{p})
			require.ErrorIs(t, err, tc.want)
			var de *codec.DecodeError
			require.ErrorAs(t, err, &de)
		})
	}
}

func TestDecodePassesThroughUnencrypted(t *testing.T) {
	c, err := codec.New([]codec.Key{newKey(t, "k1")})
	require.NoError(t, err)
	in := []*commonpb.Payload{jsonPayload(t, "plain"), jsonPayload(t, nil), {Data: []byte("raw")}}
	out, err := c.Decode(in)
	require.NoError(t, err)
	assert.Equal(t, in, out)
}

func TestNewRejectsBadKeys(t *testing.T) {
	good := newKey(t, "good")
	for _, tc := range []struct {
		name string
		keys []codec.Key
		want error
		id   string
	}{
		{"none", nil, codec.ErrNoKeys, ""},
		{"short", []codec.Key{{ID: "short", Secret: make([]byte, 16)}}, codec.ErrKeyLength, "short"},
		{"empty id", []codec.Key{{ID: "", Secret: good.Secret}}, codec.ErrInvalidKeyID, ""},
		{"bad id", []codec.Key{{ID: "a b", Secret: good.Secret}}, codec.ErrInvalidKeyID, "a b"},
		{"duplicate", []codec.Key{good, good}, codec.ErrDuplicateKeyID, "good"},
		{"two current", []codec.Key{{ID: "a", Secret: good.Secret, Current: true}, {ID: "b", Secret: good.Secret, Current: true}}, codec.ErrTwoCurrent, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := codec.New(tc.keys)
			require.ErrorIs(t, err, tc.want)
			if tc.id != "" {
				var ke *codec.KeyError
				require.ErrorAs(t, err, &ke)
				assert.Equal(t, tc.id, ke.KeyID)
			}
		})
	}
}

func TestLoadKeyFile(t *testing.T) {
	a, b := newKey(t, "a"), newKey(t, "b-2")
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	zero := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, tc := range []struct {
		name    string
		content string
		want    error  // nil: loads
		line    int    // of the error
		keyID   string // of the error
		current string // when it loads
	}{
		{"one key", keyLine(a) + "\n", nil, 0, "", "a"},
		{"last is current, comments and blanks", "# keys\n\n" + keyLine(a) + "\n  # old above\n" + keyLine(b), nil, 0, "", "b-2"},
		{"spaces around", "  a : " + base64.StdEncoding.EncodeToString(a.Secret) + "  \n", nil, 0, "", "a"},
		{"marked current", "*" + keyLine(a) + "\n" + keyLine(b), nil, 0, "", "a"},
		{"two marked", "*" + keyLine(a) + "\n*" + keyLine(b), codec.ErrTwoCurrent, 2, "b-2", ""},
		{"empty", "", codec.ErrNoKeys, 0, "", ""},
		{"only comments", "# nothing\n", codec.ErrNoKeys, 0, "", ""},
		{"no colon", "# c\n" + base64.StdEncoding.EncodeToString(a.Secret), codec.ErrMalformed, 2, "", ""},
		{"bad base64", "k:not*base64", codec.ErrMalformed, 1, "k", ""},
		{"short key", keyLine(a) + "\nshort:" + short, codec.ErrKeyLength, 2, "short", ""},
		{"zero key", "z:" + zero, codec.ErrMalformed, 1, "z", ""},
		{"bad id", "bad id:" + base64.StdEncoding.EncodeToString(a.Secret), codec.ErrInvalidKeyID, 1, "bad id", ""},
		{"duplicate id", keyLine(a) + "\n" + keyLine(a), codec.ErrDuplicateKeyID, 2, "a", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			c, err := codec.LoadKeyFile(path)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.current, c.CurrentKeyID())
				return
			}
			require.ErrorIs(t, err, tc.want)
			var kf *codec.KeyFileError
			require.ErrorAs(t, err, &kf)
			assert.Equal(t, path, kf.File)
			assert.Equal(t, tc.line, kf.Line)
			assert.Equal(t, tc.keyID, kf.KeyID)
			assert.Contains(t, err.Error(), path)
			assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString(a.Secret), "errors never show key material")
		})
	}
	_, err := codec.LoadKeyFile(filepath.Join(t.TempDir(), "missing"))
	var kf *codec.KeyFileError
	require.ErrorAs(t, err, &kf)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestDataConverterAndFailureConverter(t *testing.T) {
	c, err := codec.New([]codec.Key{newKey(t, "k1")})
	require.NoError(t, err)
	dc := codec.NewDataConverter(c)
	p, err := dc.ToPayload(map[string]string{"password": "hunter2"})
	require.NoError(t, err)
	assert.NotContains(t, string(p.Data), "hunter2")
	var got map[string]string
	require.NoError(t, dc.FromPayload(p, &got))
	assert.Equal(t, "hunter2", got["password"])

	fc := codec.NewFailureConverter(dc)
	f := fc.ErrorToFailure(temporal.NewApplicationError("bad input hunter2", "MyError"))
	raw := fmt.Sprint(f.GetMessage(), f.GetStackTrace(), string(f.GetEncodedAttributes().GetData()))
	assert.NotContains(t, raw, "hunter2", "the failure's message travels encrypted")
	back := fc.FailureToError(f)
	assert.True(t, strings.Contains(back.Error(), "bad input hunter2"), back.Error())
}
