package devserver

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"go.temporal.io/server/common/config"
)

// TLSOptions serve the frontend (the address clients dial) over TLS, and
// with ClientCAFile over mutual TLS. All files are PEM. The server's internal
// traffic on the loopback interface stays plain.
type TLSOptions struct {
	// CertFile and KeyFile are the frontend's certificate (chain) and private
	// key. Both are required.
	CertFile, KeyFile string
	// ClientCAFile, when set, makes the frontend require a client
	// certificate signed by one of its CAs (mutual TLS).
	ClientCAFile string
	// CAFile is the CA bundle with which the server's own clients (Client,
	// the server's system workers, the Web UI) verify the frontend's
	// certificate; "" = the system roots.
	CAFile string
	// ClientCertFile and ClientKeyFile are the certificate and key those
	// clients present; required with ClientCAFile.
	ClientCertFile, ClientKeyFile string
	// ServerName is the name those clients verify; "" = 127.0.0.1 (the
	// frontend's certificate must then name that IP address).
	ServerName string
}

// check reports a missing or unreadable file, before the server (or the
// Web UI, which exits the process on a bad CA file) reads them.
func (o *TLSOptions) check() error {
	if o.CertFile == "" || o.KeyFile == "" {
		return errors.New("TLS: CertFile and KeyFile are required")
	}
	if (o.ClientCertFile == "") != (o.ClientKeyFile == "") {
		return errors.New("TLS: ClientCertFile and ClientKeyFile must be given together")
	}
	if o.ClientCAFile != "" && o.ClientCertFile == "" {
		return errors.New("TLS: ClientCAFile (mutual TLS) needs ClientCertFile and ClientKeyFile for the server's own clients")
	}
	if _, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile); err != nil {
		return fmt.Errorf("TLS: server certificate: %w", err)
	}
	for _, f := range []string{o.ClientCAFile, o.CAFile} {
		if f == "" {
			continue
		}
		if _, err := loadPool(f); err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
	}
	return nil
}

// serverName is the name the server's own clients verify.
func (o *TLSOptions) serverName() string {
	if o.ServerName != "" {
		return o.ServerName
	}
	return loopback
}

// rootTLS is the server's TLS config: the frontend's listener and the system
// workers' connection to it.
func (o *TLSOptions) rootTLS() config.RootTLS {
	var root config.RootTLS
	root.Frontend.Server = config.ServerTLS{
		CertFile:          o.CertFile,
		KeyFile:           o.KeyFile,
		RequireClientAuth: o.ClientCAFile != "",
	}
	if o.ClientCAFile != "" {
		root.Frontend.Server.ClientCAFiles = []string{o.ClientCAFile}
	}
	client := config.ClientTLS{ServerName: o.serverName(), ForceTLS: true}
	if o.CAFile != "" {
		client.RootCAFiles = []string{o.CAFile}
	}
	root.SystemWorker = config.WorkerTLS{CertFile: o.ClientCertFile, KeyFile: o.ClientKeyFile, Client: client}
	return root
}

// clientConfig is the TLS config of the dev server's SDK client.
func (o *TLSOptions) clientConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.serverName()}
	if o.CAFile != "" {
		pool, err := loadPool(o.CAFile)
		if err != nil {
			return nil, err
		}
		tc.RootCAs = pool
	}
	if o.ClientCertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.ClientCertFile, o.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate", file)
	}
	return pool, nil
}
