package devserver

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
)

// loopback is the only address the embedded server and its UI listen on.
const loopback = "127.0.0.1"

// portPicker hands out distinct free TCP ports on the loopback interface.
type portPicker struct {
	used map[int]bool
}

func newPortPicker() *portPicker {
	return &portPicker{used: map[int]bool{}}
}

// reserve records an explicitly requested port after checking that it can be
// listened on.
func (p *portPicker) reserve(port int) error {
	if port <= 0 || port > 65535 {
		return fmt.Errorf("port %d out of range", port)
	}
	if p.used[port] {
		return fmt.Errorf("port %d requested twice", port)
	}
	if err := checkPortFree(port); err != nil {
		return fmt.Errorf("port %d is not available: %w", port, err)
	}
	p.used[port] = true
	return nil
}

// pick returns a free port not handed out before by this picker.
func (p *portPicker) pick() (int, error) {
	for range 50 {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		if !p.used[port] {
			p.used[port] = true
			return port, nil
		}
	}
	return 0, errors.New("could not find a distinct free port")
}

// freePort asks the kernel for a free port on the loopback interface.
//
// On Linux the kernel may hand the same ephemeral port out again soon after
// the probing listener is closed. To make that unlikely, a connection to the
// probe is made and closed from the listening side first, which leaves the
// port in TIME_WAIT: bind(":0") then avoids it for a while, while an explicit
// bind to it (with SO_REUSEADDR, which Go sets on listeners) still succeeds.
func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, fmt.Errorf("listen for a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", l.Addr())
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		// These allocate ephemeral ports sequentially; no trick needed.
		return addr.Port, nil
	}
	client, err := net.Dial("tcp", net.JoinHostPort(loopback, strconv.Itoa(addr.Port)))
	if err != nil {
		return 0, fmt.Errorf("probe free port %d: %w", addr.Port, err)
	}
	defer func() { _ = client.Close() }()
	server, err := l.Accept()
	if err != nil {
		return 0, fmt.Errorf("probe free port %d: %w", addr.Port, err)
	}
	// Close the server side first so that it is this side that enters TIME_WAIT.
	_ = server.Close()
	return addr.Port, nil
}

// checkPortFree reports an error when port cannot be listened on.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

// hostPort formats a loopback address with the given port.
func hostPort(port int) string {
	return net.JoinHostPort(loopback, strconv.Itoa(port))
}
