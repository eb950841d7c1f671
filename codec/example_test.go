package codec_test

import (
	"crypto/rand"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/codec"
)

// A Temporal client (and the workers built on it) that encrypts every
// payload. In a program, codec.LoadKeyFile(path) reads the keys.
func ExampleNewDataConverter() {
	secret := make([]byte, codec.KeySize)
	_, _ = rand.Read(secret)
	c, err := codec.New([]codec.Key{{ID: "2026-07", Secret: secret}})
	if err != nil {
		fmt.Println(err)
		return
	}
	dc := codec.NewDataConverter(c)
	opts := client.Options{
		HostPort:         "127.0.0.1:7233",
		DataConverter:    dc,
		FailureConverter: codec.NewFailureConverter(dc),
	}
	_ = opts // client.Dial(opts)

	p, _ := dc.ToPayload("hunter2")
	fmt.Println(string(p.Metadata["encoding"]), string(p.Metadata[codec.MetadataKeyID]))
	var back string
	_ = dc.FromPayload(p, &back)
	fmt.Println(back)
	// Output:
	// binary/encrypted 2026-07
	// hunter2
}
