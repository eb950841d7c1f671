package codec

import (
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
)

// corsAllowHeaders are the request headers the Web UI sends to a codec
// endpoint.
const corsAllowHeaders = "Content-Type, X-Namespace, Authorization"

// HTTPOptions configure NewHTTPHandler.
type HTTPOptions struct {
	// AllowedOrigins are the origins (scheme://host:port, no trailing
	// slash) of the Web UIs whose browsers may call the endpoint; "*"
	// allows any. Without any, only non-browser clients (the temporal CLI,
	// SDKs) can use it.
	AllowedOrigins []string
}

// NewHTTPHandler returns Temporal's remote codec endpoint for codecs:
// POST <prefix>/encode and <prefix>/decode take and return a JSON
// Payloads message (converter.NewPayloadCodecHTTPHandler), with CORS for
// the origins in opts: an OPTIONS preflight is answered 204, and responses
// to an allowed Origin carry Access-Control-Allow-Origin. Mount it at the
// codec endpoint the Web UI is configured with (a path prefix is fine).
func NewHTTPHandler(opts HTTPOptions, codecs ...converter.PayloadCodec) http.Handler {
	origins := make([]string, len(opts.AllowedOrigins))
	for i, o := range opts.AllowedOrigins {
		origins[i] = strings.TrimRight(strings.TrimSpace(o), "/")
	}
	return &corsHandler{origins: origins, next: converter.NewPayloadCodecHTTPHandler(codecs...)}
}

type corsHandler struct {
	origins []string
	next    http.Handler
}

func (h *corsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" {
		w.Header().Add("Vary", "Origin")
		if h.allowed(origin) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", corsAllowHeaders)
			w.Header().Set("Access-Control-Max-Age", "600")
		}
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.next.ServeHTTP(w, r)
}

func (h *corsHandler) allowed(origin string) bool {
	return slices.Contains(h.origins, "*") || slices.Contains(h.origins, origin)
}
