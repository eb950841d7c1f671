package graflow

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
)

// namePattern is the rule for task names, instance ids, group names and
// workflow names. Dots are excluded: Temporal's replay compares only the part
// of a type name after the last dot.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func checkName(kind, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%w: %s name %q must match [A-Za-z0-9_-]+", ErrInvalidGraph, kind, name)
	}
	return nil
}

// autoID returns "<name>_<8 lowercase hex>", Graflow's id for an unnamed instance.
func autoID(name string) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return name + "_" + hex.EncodeToString(b[:])
}
