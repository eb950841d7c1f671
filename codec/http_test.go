package codec_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/graflow-go/graflow/codec"
)

func TestHTTPHandler(t *testing.T) {
	c, err := codec.New([]codec.Key{newKey(t, "k1")})
	require.NoError(t, err)
	srv := httptest.NewServer(codec.NewHTTPHandler(codec.HTTPOptions{AllowedOrigins: []string{"http://127.0.0.1:8233/"}}, c))
	defer srv.Close()
	in := jsonPayload(t, "the-secret")
	enc, err := c.Encode([]*commonpb.Payload{in})
	require.NoError(t, err)

	post := func(t *testing.T, path, origin string, ps []*commonpb.Payload) (*http.Response, []*commonpb.Payload) {
		t.Helper()
		body, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", "default")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out commonpb.Payloads
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		if resp.StatusCode == http.StatusOK {
			require.NoError(t, protojson.Unmarshal(buf.Bytes(), &out), buf.String())
		}
		return resp, out.Payloads
	}

	t.Run("decode", func(t *testing.T) {
		resp, got := post(t, "/decode", "http://127.0.0.1:8233", enc)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Len(t, got, 1)
		assert.Equal(t, `"the-secret"`, string(got[0].Data))
		assert.Equal(t, "http://127.0.0.1:8233", resp.Header.Get("Access-Control-Allow-Origin"))
	})
	t.Run("encode with a prefix", func(t *testing.T) {
		resp, got := post(t, "/codec/encode", "", []*commonpb.Payload{in})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Len(t, got, 1)
		assert.Equal(t, codec.EncodingEncrypted, string(got[0].Metadata["encoding"]))
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		dec, err := c.Decode(got)
		require.NoError(t, err)
		assert.Equal(t, in.Data, dec[0].Data)
	})
	t.Run("other origin gets no CORS", func(t *testing.T) {
		resp, _ := post(t, "/decode", "http://evil.example", enc)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	})
	t.Run("tampered payload is a 400", func(t *testing.T) {
		bad := &commonpb.Payload{Metadata: enc[0].Metadata, Data: append([]byte(nil), enc[0].Data...)}
		bad.Data[len(bad.Data)-1] ^= 1
		resp, _ := post(t, "/decode", "", []*commonpb.Payload{bad})
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("preflight", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodOptions, srv.URL+"/decode", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", "http://127.0.0.1:8233")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "http://127.0.0.1:8233", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
		for _, h := range []string{"Content-Type", "X-Namespace", "Authorization"} {
			assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), h)
		}
	})
	t.Run("GET is not found", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/decode")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
}
