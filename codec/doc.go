// Package codec encrypts Temporal payloads with AES-256-GCM, so that a
// run's history (workflow inputs and results, activity inputs and results,
// signals, Updates, queries, memos and, with NewFailureConverter, failure
// messages) holds no plaintext.
//
// A Codec is a converter.PayloadCodec with a ring of named keys. Encode
// always uses the current key and records its id in the payload's
// metadata; Decode picks the key by that id, so payloads written with older
// keys still decode after a rotation:
//
//	c, err := codec.LoadKeyFile("/etc/graflow/keys")
//	if err != nil { ... }
//	dc := codec.NewDataConverter(c)
//	cl, err := client.Dial(client.Options{
//		DataConverter:    dc,
//		FailureConverter: codec.NewFailureConverter(dc),
//	})
//
// Workers and clients of one namespace must share the key file: a worker
// without it cannot read what an encrypting client started, and the other
// way round.
//
// # Key file
//
// One key a line, "<key-id>:<base64 of 32 random bytes>" (standard base64,
// padded). Blank lines and lines starting with "#" are ignored. Key ids
// are 1 to 64 letters, digits, '.', '_' or '-'. The current key encrypts;
// every key decrypts. The current key is the one whose line starts with
// "*", else (no line marked) the last one.
//
//	# graflow payload keys; the last one (or the one marked *) encrypts
//	2026-01:<base64 of 32 random bytes>
//	2026-07:<base64 of 32 random bytes>
//
// A key of all zero bytes is refused. Errors name the file, the line and
// the key id, never key material (*KeyFileError).
//
// To rotate without a window in which a process meets a key it does not
// have, go in two steps, each deployed to every worker and client: first
// append the new key and mark the old one current ("*2026-01:..."), so
// that everyone can decrypt with the new key; then drop the mark, so that
// the new (last) key encrypts. Remove an old key only once no history that
// needs it is kept (retention) or will be resumed. A new line is
//
//	echo "$(date +%Y-%m):$(head -c 32 /dev/urandom | base64)" >> keys
//
// Nonces are random, so one key should encrypt well under 2^32 payloads:
// rotate long before that.
//
// # Payload format
//
// An encrypted payload has metadata encoding "binary/encrypted",
// "encryption-key-id" (the key's id) and "encryption-cipher"
// ("AES-256-GCM"); its data is a random 12-byte nonce followed by the
// GCM-sealed protobuf encoding of the original payload (its metadata
// included), with the key id as additional data. Decode passes payloads
// of any other encoding through unchanged: histories written before
// encryption was turned on, and inputs given by clients without the codec,
// stay readable. The guarantee is about writing: everything this codec
// encodes is encrypted.
//
// # Codec server
//
// NewHTTPHandler serves Temporal's remote codec endpoint (POST .../encode,
// .../decode) with CORS for the Web UI, so the UI and the temporal CLI
// (--codec-endpoint) show decoded payloads. `starter codec-server` runs it.
// It has no authentication of its own: listen on loopback or put it behind
// one.
package codec
