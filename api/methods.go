package api

import (
	"context"
	"encoding/json"

	"parley/chat"
)

// method is one API call: it binds its arguments and calls the service.
type method func(ctx context.Context, args []json.RawMessage) (any, error)

// methods mirrors the desktop bindings in app.go; docs/API.md lists them.
func methods(svc *chat.Service) map[string]method {
	return map[string]method{
		"Me":      noArgs(svc.Me),
		"Rooms":   noArgs(svc.Rooms),
		"Peers":   noArgs(svc.Peers),
		"Nearby":  noArgs(svc.Nearby),
		"Status":  noArgs(svc.Status),
		"SetName": oneString(svc.SetName),
		"CreateRoom": oneString(func(_ context.Context, name string) (chat.Room, error) {
			return svc.CreateRoom(name)
		}),
		"LeaveRoom": oneString(func(_ context.Context, id string) (any, error) {
			return nil, svc.LeaveRoom(id)
		}),
		"MessageCount": oneString(func(_ context.Context, id string) (int, error) {
			return svc.MessageCount(id)
		}),
		"Members": oneString(func(_ context.Context, id string) ([]chat.Member, error) {
			return svc.Members(id)
		}),
		"Connect": oneString(func(ctx context.Context, addr string) (any, error) {
			return nil, svc.Connect(ctx, addr)
		}),
		"JoinRoom": twoStrings(func(_ context.Context, id, name string) (chat.Room, error) {
			return svc.JoinRoom(id, name)
		}),
		"Send": twoStrings(svc.Send),
		"MarkRead": twoStrings(func(_ context.Context, room, id string) (any, error) {
			return nil, svc.MarkRead(room, id)
		}),
		"HistoryAfter": page(svc.HistoryAfter),
		"History":      page(svc.History),
	}
}

func noArgs[T any](f func() T) method {
	return func(_ context.Context, args []json.RawMessage) (any, error) {
		if err := bind(args); err != nil {
			return nil, err
		}
		return f(), nil
	}
}

func oneString[T any](f func(context.Context, string) (T, error)) method {
	return func(ctx context.Context, args []json.RawMessage) (any, error) {
		var a string
		if err := bind(args, &a); err != nil {
			return nil, err
		}
		return f(ctx, a)
	}
}

func twoStrings[T any](f func(context.Context, string, string) (T, error)) method {
	return func(ctx context.Context, args []json.RawMessage) (any, error) {
		var a, b string
		if err := bind(args, &a, &b); err != nil {
			return nil, err
		}
		return f(ctx, a, b)
	}
}

// page binds (room, cursor message ID, limit) for the history calls.
func page(f func(room, cursor string, limit int) ([]chat.Message, error)) method {
	return func(_ context.Context, args []json.RawMessage) (any, error) {
		var room, cursor string
		var limit int
		if err := bind(args, &room, &cursor, &limit); err != nil {
			return nil, err
		}
		return f(room, cursor, limit)
	}
}
