// Package testutil holds helpers shared by the repository's tests.
package testutil

import (
	"net"
	"testing"
)

// FreeAddress returns a loopback address ("127.0.0.1:port") that nothing
// listens on.
func FreeAddress(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free address: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("free address: %v", err)
	}
	return addr
}
