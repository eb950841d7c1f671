package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/codec"
	"github.com/graflow-go/graflow/internal/testutil"
)

// silentAddress returns a loopback address that accepts connections and
// never answers.
func silentAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return l.Addr().String()
}

func TestDialError(t *testing.T) {
	tests := []struct {
		name       string
		address    func(t *testing.T) string
		wantReason string
	}{
		{name: "nothing listening", address: func(t *testing.T) string { return testutil.FreeAddress(t) }, wantReason: "connection refused"},
		{name: "no answer", address: silentAddress, wantReason: "no answer within 5s"},
		{
			name:       "unknown host",
			address:    func(*testing.T) string { return "graflow-no-such-host.invalid:7233" },
			wantReason: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.address(t)
			v := viper.New()
			v.Set(KeyAddress, addr)
			v.Set(KeyNamespace, "default")
			v.Set(KeyTaskQueue, "q")
			start := time.Now()
			c, err := Dial(context.Background(), v)
			elapsed := time.Since(start)
			if c != nil {
				c.Close()
			}
			require.Error(t, err)
			assert.Less(t, elapsed, 10*time.Second)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "cannot reach Temporal at "+addr+": "), msg)
			assert.NotContains(t, msg, "\n")
			assert.Contains(t, msg, tt.wantReason)
			t.Log(msg)
		})
	}
}

func TestDialCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := DialConfig(ctx, Config{Address: silentAddress(t), Namespace: "default"})
	if c != nil {
		c.Close()
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "interrupted")
}

func TestClientOptionsTLS(t *testing.T) {
	opts, err := ClientOptions(Config{Address: "a:1", Namespace: "ns", APIKey: "k"}, nil)
	require.NoError(t, err)
	assert.NotNil(t, opts.ConnectionOptions.TLS, "an API key turns TLS on")
	assert.NotNil(t, opts.Credentials)

	opts, err = ClientOptions(Config{Address: "a:1", Namespace: "ns"}, nil)
	require.NoError(t, err)
	assert.Nil(t, opts.ConnectionOptions.TLS)

	_, err = ClientOptions(Config{Address: "a:1", Namespace: "ns", TLSCA: "/does/not/exist.pem"}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TLS CA")
}

func TestClientOptionsEncryption(t *testing.T) {
	opts, err := ClientOptions(Config{Address: "a:1", Namespace: "ns"}, nil)
	require.NoError(t, err)
	assert.Nil(t, opts.DataConverter, "no key file: the SDK's default converter")
	assert.Nil(t, opts.FailureConverter)

	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	require.NoError(t, os.WriteFile(keys, []byte("k1:"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))+"\n"), 0o600))
	opts, err = ClientOptions(Config{Address: "a:1", Namespace: "ns", EncryptionKeyFile: keys}, nil)
	require.NoError(t, err)
	require.NotNil(t, opts.DataConverter)
	require.NotNil(t, opts.FailureConverter)
	p, err := opts.DataConverter.ToPayload("hunter2")
	require.NoError(t, err)
	assert.Equal(t, codec.EncodingEncrypted, string(p.GetMetadata()["encoding"]))
	assert.Equal(t, "k1", string(p.GetMetadata()[codec.MetadataKeyID]))
	f := opts.FailureConverter.ErrorToFailure(errors.New("task saw hunter2"))
	assert.NotContains(t, f.GetMessage(), "hunter2")

	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("k1:AAAA\n"), 0o600))
	_, err = ClientOptions(Config{Address: "a:1", Namespace: "ns", EncryptionKeyFile: bad}, nil)
	var kf *codec.KeyFileError
	require.ErrorAs(t, err, &kf)
	assert.ErrorIs(t, err, codec.ErrKeyLength)
	assert.Contains(t, err.Error(), bad)
	assert.Contains(t, err.Error(), `"k1"`)

	_, err = Codec(Config{})
	assert.ErrorContains(t, err, "GRAFLOW_ENCRYPTION_KEY_FILE")
}
