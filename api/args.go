package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// errBadRequest marks errors in what the client sent (HTTP 400).
var errBadRequest = errors.New("bad request")

// parseArgs reads a request body: a JSON array of arguments.
func parseArgs(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, nil // no body: no arguments
	}
	// json.Unmarshal takes null for an empty array; the API does not.
	if body[0] != '[' {
		return nil, fmt.Errorf("%w: the body must be a JSON array of arguments", errBadRequest)
	}
	var args []json.RawMessage
	if err := json.Unmarshal(body, &args); err != nil {
		return nil, fmt.Errorf("%w: the body must be a JSON array of arguments: %v", errBadRequest, err)
	}
	return args, nil
}

// bind decodes the arguments into dst, one each, checking count and types.
func bind(args []json.RawMessage, dst ...any) error {
	if len(args) != len(dst) {
		return fmt.Errorf("%w: want %d argument(s), got %d", errBadRequest, len(dst), len(args))
	}
	for i, raw := range args {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return fmt.Errorf("%w: argument %d is null", errBadRequest, i+1)
		}
		if err := json.Unmarshal(raw, dst[i]); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return fmt.Errorf("%w: argument %d: want %s, got %s", errBadRequest, i+1, typeErr.Type, typeErr.Value)
			}
			return fmt.Errorf("%w: argument %d: %v", errBadRequest, i+1, err)
		}
	}
	return nil
}
