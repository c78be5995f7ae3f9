// Package usererr says what an error means to the people and scripts that
// meet it: one sentence for a person (what happened, what to do), a stable
// code for a script, and the HTTP status the API answers with. The window
// and the API both answer from this one table, so they never disagree, and
// neither shows parser or library text: the full error goes to the log.
package usererr

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"parley/chat"
	"parley/invite"
	"parley/p2p"
	"parley/store"
	"parley/wire"
)

// Answer is what a caller is told of an error.
type Answer struct {
	// Code is a stable word a script can match, e.g. "badLink".
	Code string `json:"code"`
	// Message is one sentence for a person.
	Message string `json:"error"`
	// Status is the HTTP status the API answers with.
	Status int `json:"-"`
}

// Error makes an Answer usable as an error, e.g. to reject a window call.
func (a Answer) Error() string { return a.Message }

// Internal is the answer for any error the table does not know: a fault of
// the node, whose detail is in its log.
var Internal = Answer{"internal", "Something went wrong in Parley; try again, and if it keeps happening, the details are in its log.", http.StatusInternalServerError}

// answers are the errors a person can meet, first match wins: more
// specific errors come before those that wrap them.
var answers = []struct {
	err error
	Answer
}{
	{chat.ErrForbidden, Answer{"forbidden", "Your role in this room does not allow that; ask the owner or a moderator.", http.StatusForbidden}},
	{chat.ErrNotAdmitted, Answer{"notAdmitted", "You are not a member of this room (yet): wait for a member to let you in, or ask for a new invite link.", http.StatusForbidden}},
	{chat.ErrNotMember, Answer{"notMember", "That person is not a member of this room; reopen the member list to see who is.", http.StatusNotFound}},
	{chat.ErrOwnerStays, Answer{"ownerStays", "The owner cannot leave while others stay; make someone else the owner first.", http.StatusConflict}},
	{chat.ErrPublicRoom, Answer{"publicRoom", "That is for private rooms only; this room is open to everyone with its link.", http.StatusBadRequest}},
	{chat.ErrUnknownInvite, Answer{"unknownInvite", "That invitation is not in this room; reopen the invite dialog to see the open ones.", http.StatusNotFound}},
	{chat.ErrOwnPeerID, Answer{"ownPeerId", "That is your own ID; give the ID of the person you want to reach.", http.StatusBadRequest}},
	{chat.ErrBadRole, Answer{"badRole", "A role is member, moderator or owner.", http.StatusBadRequest}},
	{chat.ErrBadHours, Answer{"badHours", "An invitation lasts 1 to 8760 hours, or 0 to last until revoked.", http.StatusBadRequest}},
	{chat.ErrBadUses, Answer{"badUses", "An invitation lets in 1 to 1000 people, or 0 for any number.", http.StatusBadRequest}},
	{chat.ErrNotJoined, Answer{"notJoined", "You have not joined this room; join it first to read and write in it.", http.StatusNotFound}},
	{chat.ErrBadRoomID, Answer{"badRoomId", "That is neither an invite link nor a room ID; copy the whole link again from the person who invited you.", http.StatusBadRequest}},
	{chat.ErrNeedInvite, Answer{"needInvite", "A room ID alone does not let you in; ask a member of the room for an invite link.", http.StatusForbidden}},
	{chat.ErrForgetSelf, Answer{"forgetSelf", "Your own messages cannot be forgotten; delete them one by one instead.", http.StatusBadRequest}},
	{chat.ErrBadPeerID, Answer{"badPeerId", "That is not a person's ID; copy it again from Connection details.", http.StatusBadRequest}},
	{invite.ErrVersion, Answer{"newerLink", "This invite link was made by a newer Parley; update Parley, then open the link again.", http.StatusBadRequest}},
	{invite.ErrOld, Answer{"oldLink", "This invite link was made by an older Parley and no longer opens its room; ask a member for a new link.", http.StatusBadRequest}},
	{invite.ErrTooLong, Answer{"badLink", "This invite link is too long to be a Parley invite; ask for a new one.", http.StatusBadRequest}},
	{invite.ErrMalformed, Answer{"badLink", "That link is damaged or incomplete; copy the whole link again, or ask for a new one.", http.StatusBadRequest}},
	{invite.ErrNotInvite, Answer{"badLink", "That is not a Parley invite link; it should start with parley://join/.", http.StatusBadRequest}},
	{chat.ErrBadInvite, Answer{"badLink", "That link is damaged or incomplete; copy the whole link again, or ask for a new one.", http.StatusBadRequest}},
	{chat.ErrEmptyMessage, Answer{"emptyMessage", "The message is empty; type something before sending.", http.StatusBadRequest}},
	{chat.ErrTooLong, Answer{"tooLong", fmt.Sprintf("The message is too long (at most %d KiB); shorten it or send it in parts.", wire.MaxTextSize>>10), http.StatusBadRequest}},
	{chat.ErrBadName, Answer{"badName", fmt.Sprintf("That name is empty or too long; use 1 to %d characters (%d for a room).", chat.MaxNameLen, chat.MaxRoomNameLen), http.StatusBadRequest}},
	{chat.ErrBadAddress, Answer{"badAddress", "That is not a whole peer address; copy it again, all of it, up to the peer ID after /p2p/.", http.StatusBadRequest}},
	{chat.ErrOwnAddress, Answer{"ownAddress", "That is this device's own address; give the address of another peer.", http.StatusBadRequest}},
	{chat.ErrConnect, Answer{"unreachable", "Could not connect to that peer; check that the address is complete (it ends in /p2p/ and a peer ID) and that the peer is running.", http.StatusBadGateway}},
	{chat.ErrUnknownCursor, Answer{"unknownCursor", "That message is not in this room any more; reopen the room to reload it.", http.StatusBadRequest}},
	{chat.ErrUnknownMessage, Answer{"unknownMessage", "That message is not in this room here; reopen the room to reload it.", http.StatusNotFound}},
	{chat.ErrNotAuthor, Answer{"notAuthor", "Only the person who wrote a message can edit or delete it.", http.StatusForbidden}},
	{chat.ErrMessageDeleted, Answer{"deleted", "That message was deleted, so it can no longer be changed.", http.StatusConflict}},
	{chat.ErrBadEmoji, Answer{"badEmoji", "A reaction is a single emoji; pick one from the list.", http.StatusBadRequest}},
	{chat.ErrBadQuery, Answer{"badQuery", "Type a word to search for.", http.StatusBadRequest}},
	{chat.ErrBadTime, Answer{"badArgs", "The time to jump to must be a date from 1970 to the year 9999, in unix milliseconds.", http.StatusBadRequest}},
	{chat.ErrBadNotify, Answer{"badNotify", "Pick all, mentions or none for the room's notifications.", http.StatusBadRequest}},
	{chat.ErrBusy, Answer{"busy", "Parley is still storing your earlier messages; try again in a moment.", http.StatusServiceUnavailable}},
	{chat.ErrRoomFull, Answer{"roomFull", "This room's history has reached its size limit on this device; delete its history here to write in it again.", http.StatusInsufficientStorage}},
	{chat.ErrBadFileName, Answer{"badFileName", "That file has no usable name; give it a name without slashes.", http.StatusBadRequest}},
	{chat.ErrEmptyFile, Answer{"emptyFile", "That file is empty; there is nothing to send.", http.StatusBadRequest}},
	{chat.ErrUnknownFile, Answer{"unknownFile", "No room you are in shares that file.", http.StatusNotFound}},
	{chat.ErrFilesCapReached, Answer{"filesCapReached", "Files already take all the space allowed for them; remove some or raise the limit in Settings, Storage.", http.StatusInsufficientStorage}},
	{p2p.ErrProxyURL, Answer{"badProxy", "That proxy address will not work; give it as http://host:port or socks5://host:port, with user:password@ before the host if it needs them.", http.StatusBadRequest}},
	{p2p.ErrProxyMode, Answer{"badProxyMode", "Choose how Parley reaches the internet: system, none or manual.", http.StatusBadRequest}},
	{store.ErrRoomFull, Answer{"roomFull", "This room's history has reached its size limit on this device; delete its history here to write in it again.", http.StatusInsufficientStorage}},
}

// Of is the answer for err: the first known error it wraps, else Internal.
func Of(err error) Answer {
	var a Answer
	if errors.As(err, &a) {
		return a
	}
	var tooLarge *chat.FileTooLargeError
	if errors.As(err, &tooLarge) {
		return Answer{"fileTooLarge", sentence(tooLarge.Error()) + "; nothing was sent.", http.StatusRequestEntityTooLarge}
	}
	if errors.Is(err, chat.ErrBadFileLimits) { // the bound it breaks, our own words
		return Answer{"badFileLimits", sentence(strings.TrimPrefix(err.Error(), chat.ErrBadFileLimits.Error()+": ")) + ".", http.StatusBadRequest}
	}
	for _, m := range answers {
		if errors.Is(err, m.err) {
			return m.Answer
		}
	}
	return Internal
}

// BadArgs is the answer for a call whose arguments do not fit its method;
// msg is a sentence of our own naming the argument, never decoder text.
func BadArgs(msg string) Answer { return Answer{"badArgs", msg, http.StatusBadRequest} }

// sentence begins text with a capital letter.
func sentence(text string) string {
	if text == "" {
		return text
	}
	return strings.ToUpper(text[:1]) + text[1:]
}
