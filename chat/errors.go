package chat

import "errors"

// Errors a UI can tell apart with errors.Is and explain to the user.
var (
	ErrNotJoined     = errors.New("you have not joined this room")
	ErrBadRoomID     = errors.New("not a valid room ID")
	ErrEmptyMessage  = errors.New("message is empty")
	ErrTooLong       = errors.New("message is too long")
	ErrBadName       = errors.New("not a valid name")
	ErrConnect       = errors.New("could not connect to the peer")
	ErrBadInvite     = errors.New("not a usable invite link")
	ErrUnknownCursor = errors.New("unknown message to page from")
)
