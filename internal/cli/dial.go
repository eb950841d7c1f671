package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/viper"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/graflow-go/graflow/codec"
)

// DialTimeout bounds Dial: connecting and the first round trip to the
// server.
const DialTimeout = 5 * time.Second

// Dial connects an SDK client to the Temporal server configured in v
// (address, namespace, TLS, API key). The client logs through slog on
// stderr, warnings and errors only. Dial gives up after DialTimeout and then
// returns a one-line error naming the address:
//
//	cannot reach Temporal at 127.0.0.1:7233: connection refused
//	cannot reach Temporal at 127.0.0.1:7233: tls: certificate signed by unknown authority
func Dial(ctx context.Context, v *viper.Viper) (client.Client, error) {
	cfg, err := Load(v)
	if err != nil {
		return nil, err
	}
	return DialConfig(ctx, cfg)
}

// DialConfig is Dial with resolved settings.
func DialConfig(ctx context.Context, cfg Config) (client.Client, error) {
	opts, err := ClientOptions(cfg, os.Stderr)
	if err != nil {
		return nil, err
	}
	return DialOptions(ctx, opts)
}

// DialOptions dials with client options built by ClientOptions, with the
// same timeout and errors as DialConfig.
func DialOptions(ctx context.Context, opts client.Options) (client.Client, error) {
	dialCtx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()
	c, err := client.DialContext(dialCtx, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s: %s", opts.HostPort, shortReason(ctx, err, opts.ConnectionOptions.TLS != nil))
	}
	return c, nil
}

// ClientOptions returns the SDK client options for cfg; the SDK's own logs
// (warnings and errors) go to logOut. With an encryption key file, the
// options' DataConverter encrypts every payload with it (package codec)
// and their FailureConverter moves failure messages and stack traces into
// an encrypted payload (task errors often quote user data).
func ClientOptions(cfg Config, logOut io.Writer) (client.Options, error) {
	opts := client.Options{
		HostPort:  cfg.Address,
		Namespace: cfg.Namespace,
		Logger:    SDKLogger(logOut, cfg.LogLevel),
	}
	if cfg.EncryptionKeyFile != "" {
		c, err := Codec(cfg)
		if err != nil {
			return client.Options{}, err
		}
		opts.DataConverter = codec.NewDataConverter(c)
		opts.FailureConverter = codec.NewFailureConverter(opts.DataConverter)
	}
	if cfg.TLSEnabled() {
		tc, err := tlsConfig(cfg)
		if err != nil {
			return client.Options{}, err
		}
		opts.ConnectionOptions.TLS = tc
	}
	if cfg.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.APIKey)
		// Temporal Cloud's regional endpoints route API-key requests by
		// this header; other servers ignore it.
		opts.HeadersProvider = namespaceHeader(cfg.Namespace)
	}
	return opts, nil
}

// NamespaceHeader is the gRPC header naming the namespace of a request.
const NamespaceHeader = "temporal-namespace"

// namespaceHeader is a client.HeadersProvider that adds NamespaceHeader to
// every request.
type namespaceHeader string

// GetHeaders implements client.HeadersProvider.
func (n namespaceHeader) GetHeaders(context.Context) (map[string]string, error) {
	return map[string]string{NamespaceHeader: string(n)}, nil
}

// Codec loads the payload codec of cfg's encryption key file. It is an
// error when no key file is configured.
func Codec(cfg Config) (*codec.Codec, error) {
	if cfg.EncryptionKeyFile == "" {
		return nil, errors.New("no encryption key file: set --" + KeyEncryptionKeyFile + " or " + EnvName(KeyEncryptionKeyFile))
	}
	return codec.LoadKeyFile(cfg.EncryptionKeyFile)
}

// SDKLogger returns a logger for the Temporal SDK that writes to w through
// slog, at level warn or above (or level, when it is higher): the SDK's info
// logs (one per worker start, poller, ...) are noise in a CLI. A nil w
// discards everything.
func SDKLogger(w io.Writer, level slog.Level) sdklog.Logger {
	if w == nil {
		w = io.Discard
	}
	level = max(level, slog.LevelWarn)
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	return sdklog.NewStructuredLogger(slog.New(h).With("component", "temporal-sdk"))
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLSServerName}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if cfg.TLSCA != "" {
		pem, err := os.ReadFile(cfg.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA: no PEM certificate in %s", cfg.TLSCA)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// shortReason turns a dial error into a few words: the innermost cause of a
// transport error ("connection refused", "no such host"), what failed in
// the TLS handshake ("tls: certificate signed by unknown authority"), or
// what went wrong otherwise. withTLS tells whether the dial used TLS.
func shortReason(parent context.Context, err error, withTLS bool) string {
	if parent.Err() != nil {
		return "interrupted"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", DialTimeout)
	}
	st, ok := status.FromError(unwrapAll(err))
	if !ok {
		return firstLine(err.Error())
	}
	msg := firstLine(st.Message())
	if reason, ok := tlsReason(msg, withTLS); ok {
		return reason
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "connection error") {
			return strings.Trim(msg[i+2:], `"`)
		}
		return fmt.Sprintf("no answer within %s", DialTimeout)
	case codes.Unavailable:
		if strings.Contains(msg, "no children to pick from") || strings.Contains(msg, "produced zero addresses") {
			return "cannot resolve the host name"
		}
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			return strings.Trim(msg[i+2:], `"`)
		}
		return "unavailable: " + msg
	default:
		return strings.ToLower(st.Code().String()) + ": " + msg
	}
}

// refusedHandshake is the reason of a TLS dial the server refused, which
// happens when it requires a client certificate it did not get or does not
// trust.
const refusedHandshake = "tls: the server refused the handshake (client certificate missing or not trusted?)"

// tlsReason recognizes a failed TLS handshake, or a plain connection to a
// TLS server, in the message of a gRPC transport error.
func tlsReason(msg string, withTLS bool) (string, bool) {
	if i := strings.Index(msg, "x509: "); i >= 0 {
		// Our verification of the server's certificate failed.
		return "tls: " + strings.Trim(msg[i+len("x509: "):], `"`), true
	}
	if i := strings.Index(msg, "remote error: tls: "); i >= 0 {
		// The server sent an alert, about our certificate.
		alert := strings.Trim(msg[i+len("remote error: tls: "):], `"`)
		return refusedHandshake + ": " + alert, true
	}
	if i := strings.Index(msg, "tls: "); i >= 0 {
		return strings.Trim(msg[i:], `"`), true
	}
	closed := strings.Contains(msg, "broken pipe") || strings.Contains(msg, "connection reset by peer") || strings.HasSuffix(strings.Trim(msg, `"`), "EOF")
	switch {
	case !closed:
		return "", false
	case withTLS:
		// A server that rejects the client certificate under TLS 1.3 may
		// close the connection before the client reads its alert.
		return refusedHandshake, true
	default:
		return "the server closed the connection (does it need TLS? see --tls-ca, --api-key)", true
	}
}

// unwrapAll returns the first error in err's chain that carries a gRPC
// status (the SDK's serviceerror types or a raw gRPC error), or err.
func unwrapAll(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch s := e.(type) {
		case interface{ Status() *status.Status }:
			if st := s.Status(); st != nil {
				return st.Err()
			}
		case interface{ GRPCStatus() *status.Status }:
			return e
		}
	}
	return err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
