package chat

import (
	"errors"

	"parley/p2p"
)

// Errors a UI can tell apart with errors.Is and explain to the user.
var (
	ErrNotJoined = errors.New("you have not joined this room")
	ErrBadRoomID = errors.New("not a valid room ID")
	// ErrNeedInvite: a room ID alone lets nobody in; its invite link does.
	ErrNeedInvite   = errors.New("a room ID alone does not let you in: ask a member for an invite link")
	ErrEmptyMessage = errors.New("message is empty")
	ErrTooLong      = errors.New("message is too long")
	ErrBadName      = errors.New("not a valid name")
	ErrConnect      = errors.New("could not connect to the peer")
	// ErrBadAddress: Connect takes a peer's whole address, ending in
	// /p2p/<peer ID>; ErrOwnAddress: and not this node's own.
	ErrBadAddress    = p2p.ErrBadAddress
	ErrOwnAddress    = p2p.ErrOwnAddress
	ErrBadInvite     = errors.New("not a usable invite link")
	ErrUnknownCursor = errors.New("unknown message to page from")
	// ErrUnknownMessage: the message acted on is not in the room here.
	ErrUnknownMessage = errors.New("no such message in this room")
	// ErrNotAuthor: only a message's author may edit or delete it.
	ErrNotAuthor      = errors.New("only the author may change this message")
	ErrMessageDeleted = errors.New("the message was deleted")
	ErrBadEmoji       = errors.New("a reaction is one emoji")
	ErrBadQuery       = errors.New("the search has nothing to look for")
	ErrBadNotify      = errors.New("notifications are all, mentions or none")
	// ErrBadTime: a time to jump to before 1970 or after the year 9999.
	ErrBadTime = errors.New("not a time to jump to")
	// ErrBusy: more own messages are waiting to be stored than the node
	// takes at once, for longer than a sender should wait.
	ErrBusy = errors.New("too many messages are waiting to be sent: try again in a moment")
	// ErrRoomFull: the room's history on this device reached its size cap.
	ErrRoomFull = errors.New("this room's history has reached its size limit on this device: nothing more can be sent to it")
	// ErrBadFileName: a file shared with no name, or with a path for one.
	ErrBadFileName = errors.New("not a usable file name")
	// ErrEmptyFile: a file with no bytes.
	ErrEmptyFile = errors.New("the file is empty")
	// ErrUnknownFile: a file no joined room names.
	ErrUnknownFile = errors.New("no room you are in shares this file")
)
