package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/graflow-go/graflow/codec"
	"github.com/graflow-go/graflow/internal/testutil"
)

func writeKeys(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func goodKeys(t *testing.T) string {
	return writeKeys(t, "k1:"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))+"\n"+
		"k2:"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))+"\n")
}

func TestEncryptionUsageErrors(t *testing.T) {
	short := writeKeys(t, "k1:"+base64.StdEncoding.EncodeToString([]byte("short"))+"\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"codec-server without keys", []string{"codec-server"}, []string{"no encryption key file", "GRAFLOW_ENCRYPTION_KEY_FILE"}},
		{"codec-server with a short key", []string{"codec-server", "--encryption-key-file", short}, []string{short, `line 1 (key "k1")`, "wrong length"}},
		{"codec-server with a missing file", []string{"codec-server", "--encryption-key-file", "/no/such/keys"}, []string{"/no/such/keys"}},
		{"dev with a short key", []string{"dev", "--encryption-key-file", short}, []string{short, "wrong length"}},
		{"result with a short key", []string{"result", "x-1", "--encryption-key-file", short}, []string{short, "wrong length"}},
		{"bad codec port", []string{"codec-server", "--encryption-key-file", goodKeys(t), "--port", "-2"}, []string{"invalid --port -2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := execute(t, tc.args...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// `starter dev` with a key file serves the codec endpoint itself and
// configures its Web UI with it; the endpoint allows the UI's origin.
func TestDevServesCodecEndpoint(t *testing.T) {
	isolate(t)
	keys := goodKeys(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	var stderr syncBuffer
	root := newRootCmd()
	root.SetArgs([]string{"dev", "--db-file", "", "--port", strings.Split(testutil.FreeAddress(t), ":")[1], "--ui-port", "0", "--no-worker", "--codec-port", "0", "--encryption-key-file", keys})
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&stderr)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(runCtx) }()
	defer func() {
		stop()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("dev did not stop")
		}
	}()

	uiRe := regexp.MustCompile(`web UI:\s+(http://\S+)`)
	codecRe := regexp.MustCompile(`codec:\s+(http://\S+)`)
	require.Eventually(t, func() bool {
		select {
		case err := <-done:
			require.NoError(t, err, stderr.String())
		default:
		}
		return strings.Contains(stderr.String(), "Press Ctrl+C")
	}, 90*time.Second, 50*time.Millisecond)
	banner := stderr.String()
	assert.Contains(t, banner, "payloads:  encrypted, key k2 (keys: k1, k2)")
	assert.Contains(t, banner, "--encryption-key-file "+keys)
	ui, endpoint := uiRe.FindStringSubmatch(banner), codecRe.FindStringSubmatch(banner)
	require.Len(t, ui, 2, banner)
	require.Len(t, endpoint, 2, banner)

	// The UI's settings name the codec endpoint.
	resp, err := http.Get(ui[1] + "/api/v1/settings")
	require.NoError(t, err)
	var settings struct{ Codec struct{ Endpoint string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&settings))
	resp.Body.Close()
	assert.Equal(t, endpoint[1], settings.Codec.Endpoint)

	// The endpoint decodes the keys' payloads for the UI's origin.
	c, err := codec.LoadKeyFile(keys)
	require.NoError(t, err)
	p, err := codec.NewDataConverter(c).ToPayload("hunter2")
	require.NoError(t, err)
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{p}})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, endpoint[1]+"/decode", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", ui[1])
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, ui[1], resp.Header.Get("Access-Control-Allow-Origin"))
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	var decoded commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(out.Bytes(), &decoded))
	require.Len(t, decoded.Payloads, 1)
	var s string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(decoded.Payloads[0], &s))
	assert.Equal(t, "hunter2", s)
}
