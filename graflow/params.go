package graflow

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

type paramField struct {
	key   string
	name  string
	index []int
}

// paramFields lists the parameters of an In type: the exported fields of a
// struct, keyed by `graflow:"key"`, else the json name, else the field name.
func paramFields(t reflect.Type) ([]paramField, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("input type %s must be a struct (or graflow.None)", t)
	}
	var out []paramField
	seen := map[string]string{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		key, skip := fieldKey(f)
		if skip {
			continue
		}
		if other, dup := seen[key]; dup {
			return nil, fmt.Errorf("fields %s and %s of %s share the key %q", other, f.Name, t, key)
		}
		seen[key] = f.Name
		out = append(out, paramField{key: key, name: f.Name, index: f.Index})
	}
	return out, nil
}

// fieldKey returns the channel key of a struct field, or skip for a field
// tagged `graflow:"-"` or `json:"-"`. Like encoding/json, `json:"-,"` names
// the key "-"; an empty tag name falls back to the next rule.
func fieldKey(f reflect.StructField) (key string, skip bool) {
	if tag, ok := f.Tag.Lookup("graflow"); ok {
		if tag == "-" {
			return "", true
		}
		if name, _, _ := strings.Cut(tag, ","); name != "" {
			return name, false
		}
	}
	if tag, ok := f.Tag.Lookup("json"); ok {
		if tag == "-" {
			return "", true
		}
		if name, _, _ := strings.Cut(tag, ","); name != "" {
			return name, false
		}
	}
	return f.Name, false
}

func fieldKeys(fields []paramField) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

// decodeParams fills the fields of *dst from params; absent keys keep their
// zero value, a value that does not decode is a *ParamError.
func decodeParams(task string, fields []paramField, params map[string]json.RawMessage, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	for _, f := range fields {
		raw, ok := params[f.key]
		if !ok {
			continue
		}
		fv, err := settableField(v, f.index)
		if err == nil {
			err = json.Unmarshal(raw, fv.Addr().Interface())
		}
		if err != nil {
			return &ParamError{Task: task, Field: f.name, Key: f.key, Err: err}
		}
	}
	return nil
}

// settableField walks index from v like reflect.Value.FieldByIndex, but
// allocates nil embedded struct pointers on the way (as encoding/json does)
// instead of panicking.
func settableField(v reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("cannot set a field through a nil pointer to unexported embedded struct %s", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}
