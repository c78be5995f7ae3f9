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
		"Helpers": noArgs(svc.Helpers),
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
		"Invite": oneString(svc.Invite),
		"InviteStatus": oneString(func(_ context.Context, id string) (chat.InviteStatus, error) {
			return svc.InviteStatus(id)
		}),
		"JoinRoom": twoStrings(func(_ context.Context, id, name string) (chat.Room, error) {
			return svc.JoinRoom(id, name)
		}),
		"Send": twoStrings(svc.Send),
		"SetProxy": twoStrings(func(_ context.Context, mode, url string) (chat.ProxySetting, error) {
			return svc.SetProxy(mode, url)
		}),
		"MarkRead": twoStrings(func(_ context.Context, room, id string) (any, error) {
			return nil, svc.MarkRead(room, id)
		}),
		"HistoryAfter":  page(svc.HistoryAfter),
		"History":       page(svc.History),
		"HistoryAround": around(svc.HistoryAround),
		"Reply":         threeStrings(svc.Reply),
		"React":         threeStrings(svc.React),
		"Edit":          threeStrings(svc.Edit),
		"Delete":        twoStrings(svc.Delete),
		"Search":        searchArgs(svc.Search),
		"RenameRoom":    twoStrings(svc.RenameRoom),
		"SetTopic":      twoStrings(svc.SetTopic),
		"SetNotify": twoStrings(func(_ context.Context, room, level string) (chat.Room, error) {
			return svc.SetNotify(room, level)
		}),
		"DeleteRoomHistory": oneString(func(_ context.Context, id string) (any, error) {
			return nil, svc.DeleteRoomHistory(id)
		}),
		"Typing": oneString(func(ctx context.Context, id string) (any, error) {
			return nil, svc.Typing(ctx, id)
		}),
		"ForgetAuthor": twoStrings(func(_ context.Context, room, peerID string) (any, error) {
			return nil, svc.ForgetAuthor(room, peerID)
		}),
		"SetRoomNearby": func(ctx context.Context, args []json.RawMessage) (any, error) {
			var room string
			var on bool
			if err := bind(args, &room, &on); err != nil {
				return nil, err
			}
			return svc.SetRoomNearby(ctx, room, on)
		},
		"CreatePrivateRoom": oneString(func(_ context.Context, name string) (chat.Room, error) {
			return svc.CreatePrivateRoom(name)
		}),
		"CreateInvite": func(ctx context.Context, args []json.RawMessage) (any, error) {
			var room string
			var hours, uses int
			if err := bind(args, &room, &hours, &uses); err != nil {
				return nil, err
			}
			return svc.CreateInvite(ctx, room, hours, uses)
		},
		"Invites": oneString(func(_ context.Context, id string) ([]chat.Invitation, error) {
			return svc.Invites(id)
		}),
		"RevokeInvite": twoStrings(func(_ context.Context, room, inviteID string) (any, error) {
			return nil, svc.RevokeInvite(room, inviteID)
		}),
		"SetRole": threeStrings(func(_ context.Context, room, peerID, role string) (any, error) {
			return nil, svc.SetRole(room, peerID, role)
		}),
		"RemoveMember": twoStrings(func(_ context.Context, room, peerID string) (any, error) {
			return nil, svc.RemoveMember(room, peerID)
		}),
		"DirectMessage": oneString(func(_ context.Context, peerID string) (chat.Room, error) {
			return svc.DirectMessage(peerID)
		}),
		"Block": oneString(func(_ context.Context, peerID string) (any, error) {
			return nil, svc.Block(peerID)
		}),
		"Unblock": oneString(func(_ context.Context, peerID string) (any, error) {
			return nil, svc.Unblock(peerID)
		}),
		"Blocked": noArgs(svc.Blocked),
		"FetchFile": oneString(func(_ context.Context, hash string) (any, error) {
			return svc.FetchFile(hash)
		}),
		"CancelFetch": oneString(func(_ context.Context, hash string) (any, error) {
			return svc.CancelFetch(hash)
		}),
		"RemoveFile": oneString(func(_ context.Context, hash string) (any, error) {
			return svc.RemoveFile(hash)
		}),
		"Files": func(_ context.Context, args []json.RawMessage) (any, error) {
			var room string
			var limit int
			if err := bind(args, &room, &limit); err != nil {
				return nil, err
			}
			if limit < 1 || limit > chat.MaxFilesPage {
				return nil, badArgs("Argument 2, the limit, must be between 1 and %d, not %d.", chat.MaxFilesPage, limit)
			}
			return svc.Files(room, limit)
		},
		"FilesUsage": func(_ context.Context, args []json.RawMessage) (any, error) {
			if err := bind(args); err != nil {
				return nil, err
			}
			return svc.FilesUsage()
		},
		"FileLimits": noArgs(svc.FileLimits),
		"SetFileLimits": func(_ context.Context, args []json.RawMessage) (any, error) {
			var maxFile, auto, capMiB int
			if err := bind(args, &maxFile, &auto, &capMiB); err != nil {
				return nil, err
			}
			return svc.SetFileLimits(maxFile, auto, capMiB)
		},
		"RemoveFilesOlderThan": func(_ context.Context, args []json.RawMessage) (any, error) {
			var days int
			if err := bind(args, &days); err != nil {
				return nil, err
			}
			return svc.RemoveFilesOlderThan(days)
		},
		"SetAway": func(ctx context.Context, args []json.RawMessage) (any, error) {
			var away bool
			if err := bind(args, &away); err != nil {
				return nil, err
			}
			return nil, svc.SetAway(ctx, away)
		},
	}
}

func threeStrings[T any](f func(context.Context, string, string, string) (T, error)) method {
	return func(ctx context.Context, args []json.RawMessage) (any, error) {
		var a, b, c string
		if err := bind(args, &a, &b, &c); err != nil {
			return nil, err
		}
		return f(ctx, a, b, c)
	}
}

// searchArgs binds (query, room ID or "", limit). A limit outside 1 to
// chat.MaxSearchResults is refused, not clamped.
func searchArgs(f func(query, room string, limit int) ([]chat.Message, error)) method {
	return func(_ context.Context, args []json.RawMessage) (any, error) {
		var query, room string
		var limit int
		if err := bind(args, &query, &room, &limit); err != nil {
			return nil, err
		}
		if limit < 1 || limit > chat.MaxSearchResults {
			return nil, badArgs("Argument 3, the limit, must be between 1 and %d, not %d.", chat.MaxSearchResults, limit)
		}
		return f(query, room, limit)
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

// page binds (room, cursor message ID, limit) for the history calls. A
// limit outside 1 to chat.MaxHistoryPage is refused, not clamped.
func page(f func(room, cursor string, limit int) ([]chat.Message, error)) method {
	return func(_ context.Context, args []json.RawMessage) (any, error) {
		var room, cursor string
		var limit int
		if err := bind(args, &room, &cursor, &limit); err != nil {
			return nil, err
		}
		if err := checkPageLimit(limit); err != nil {
			return nil, err
		}
		return f(room, cursor, limit)
	}
}

// around binds (room, time in unix milliseconds, limit) for HistoryAround;
// the limit as page's. The service refuses a time out of range.
func around(f func(room string, at int64, limit int) ([]chat.Message, error)) method {
	return func(_ context.Context, args []json.RawMessage) (any, error) {
		var room string
		var at int64
		var limit int
		if err := bind(args, &room, &at, &limit); err != nil {
			return nil, err
		}
		if err := checkPageLimit(limit); err != nil {
			return nil, err
		}
		return f(room, at, limit)
	}
}

// checkPageLimit refuses a history page's limit (argument 3) outside 1 to
// chat.MaxHistoryPage.
func checkPageLimit(limit int) error {
	if limit < 1 || limit > chat.MaxHistoryPage {
		return badArgs("Argument 3, the limit, must be between 1 and %d, not %d.", chat.MaxHistoryPage, limit)
	}
	return nil
}
