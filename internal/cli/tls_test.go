package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/graflow-go/graflow/internal/testutil"
)

// tlsServer is a gRPC server over TLS that answers every call with
// Unimplemented and records the authorization headers it was sent.
type tlsServer struct {
	addr       string
	mu         sync.Mutex
	auth       []string
	namespaces []string
}

func (s *tlsServer) authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func (s *tlsServer) namespaceHeaders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.namespaces...)
}

// startTLSServer serves TLS with the server certificate of f; with mTLS it
// requires a client certificate signed by f.CA.
func startTLSServer(t *testing.T, f testutil.TLSFiles, mTLS bool) *tlsServer {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(f.ServerCert, f.ServerKey)
	require.NoError(t, err)
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if mTLS {
		pem, err := os.ReadFile(f.CA)
		require.NoError(t, err)
		pool := x509.NewCertPool()
		require.True(t, pool.AppendCertsFromPEM(pem))
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &tlsServer{addr: l.Addr().String()}
	gs := grpc.NewServer(grpc.Creds(credentials.NewTLS(tc)), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		md, _ := metadata.FromIncomingContext(stream.Context())
		s.mu.Lock()
		s.auth = append(s.auth, md.Get("authorization")...)
		s.namespaces = append(s.namespaces, md.Get(NamespaceHeader)...)
		s.mu.Unlock()
		return status.Error(codes.Unimplemented, "fake server")
	}))
	go func() { _ = gs.Serve(l) }()
	t.Cleanup(gs.Stop)
	return s
}

func TestDialTLSErrors(t *testing.T) {
	f := testutil.NewTLSFiles(t, t.TempDir())
	mtls := startTLSServer(t, f, true)
	tests := []struct {
		name       string
		cfg        Config
		wantReason string
	}{
		{name: "wrong CA", cfg: Config{TLSCA: f.OtherCA, TLSCert: f.ClientCert, TLSKey: f.ClientKey}, wantReason: "tls: certificate signed by unknown authority"},
		{name: "no client certificate", cfg: Config{TLSCA: f.CA}, wantReason: "tls: the server refused the handshake (client certificate missing or not trusted?)"},
		{name: "untrusted client certificate", cfg: Config{TLSCA: f.CA, TLSCert: f.OtherClientCert, TLSKey: f.OtherClientKey}, wantReason: "tls: the server refused the handshake (client certificate missing or not trusted?)"},
		{name: "wrong server name", cfg: Config{TLSCA: f.CA, TLSCert: f.ClientCert, TLSKey: f.ClientKey, TLSServerName: "temporal.example"}, wantReason: "tls: certificate is valid for localhost, not temporal.example"},
		{name: "plaintext", cfg: Config{}, wantReason: "the server closed the connection (does it need TLS? see --tls-ca, --api-key)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Address, cfg.Namespace = mtls.addr, "default"
			c, err := DialConfig(context.Background(), cfg)
			if c != nil {
				c.Close()
			}
			require.Error(t, err)
			t.Log(err)
			prefix := "cannot reach Temporal at " + mtls.addr + ": "
			assert.True(t, strings.HasPrefix(err.Error(), prefix+tt.wantReason), err.Error())
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// An API key travels as a bearer token, over TLS, with the namespace
// header Temporal Cloud routes by.
func TestDialAPIKeyOverTLS(t *testing.T) {
	f := testutil.NewTLSFiles(t, t.TempDir())
	srv := startTLSServer(t, f, false)
	c, err := DialConfig(context.Background(), Config{Address: srv.addr, Namespace: "my-ns.acct", TLSCA: f.CA, APIKey: "secret-key"})
	if c != nil {
		c.Close()
	}
	t.Logf("dial: %v", err)
	auth := srv.authorizations()
	require.NotEmpty(t, auth, "the server saw calls")
	for _, a := range auth {
		assert.Equal(t, "Bearer secret-key", a)
	}
	ns := srv.namespaceHeaders()
	require.Len(t, ns, len(auth))
	for _, n := range ns {
		assert.Equal(t, "my-ns.acct", n)
	}
}

// Without an API key no bearer token or namespace header is sent.
func TestDialTLSWithoutAPIKey(t *testing.T) {
	f := testutil.NewTLSFiles(t, t.TempDir())
	srv := startTLSServer(t, f, false)
	c, err := DialConfig(context.Background(), Config{Address: srv.addr, Namespace: "default", TLSCA: f.CA})
	if c != nil {
		c.Close()
	}
	require.Error(t, err, "the fake server implements nothing")
	assert.Contains(t, err.Error(), "unimplemented: fake server", "the TLS handshake succeeded")
	assert.Empty(t, srv.authorizations())
	assert.Empty(t, srv.namespaceHeaders())
}
