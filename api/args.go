package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"parley/usererr"
)

// badArgs is the answer for arguments that do not fit the method: a
// sentence of our own, never the JSON decoder's text.
func badArgs(format string, a ...any) error { return usererr.BadArgs(fmt.Sprintf(format, a...)) }

// parseArgs reads a request body: a JSON array of arguments.
func parseArgs(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, nil // no body: no arguments
	}
	// json.Unmarshal takes null for an empty array; the API does not.
	if body[0] != '[' {
		return nil, badArgs("The request body must be a JSON array of arguments.")
	}
	var args []json.RawMessage
	if err := json.Unmarshal(body, &args); err != nil {
		return nil, badArgs("The request body must be a JSON array of arguments.")
	}
	return args, nil
}

// bind decodes the arguments into dst, one each, checking count and types.
func bind(args []json.RawMessage, dst ...any) error {
	if len(args) != len(dst) {
		return badArgs("This method takes %d argument(s), not %d; see docs/API.md.", len(dst), len(args))
	}
	for i, raw := range args {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return badArgs("Argument %d is null; give a value.", i+1)
		}
		if err := json.Unmarshal(raw, dst[i]); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return badArgs("Argument %d must be %s, not %s.", i+1, jsonKind(typeErr.Type), typeErr.Value)
			}
			return badArgs("Argument %d is not valid JSON.", i+1)
		}
	}
	return nil
}

// jsonKind names the JSON value a Go type is decoded from, with its article.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	default:
		return "another kind of value"
	}
}
