//go:build !nowindow

package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"parley/chat"
	"parley/settings"
	"parley/usererr"
)

// errNoService is returned while `wails build` inspects the bindings, when
// no service is open.
var errNoService = errors.New("parley is not running")

// eventBatchInterval is how often queued events go to the window: one
// EventsEmit per interval instead of one per message (Wails evaluates
// JavaScript for every emit).
const eventBatchInterval = 100 * time.Millisecond

// eventsName is the one Wails event the frontend listens to; its data is a
// list of chat.Event.
const eventsName = "parley:events"

// linkEvent tells the window that an invite link waits for it: it then
// calls PendingInvite. (Sent bare, not in a batch: it must not wait, and the
// window asks for the link either way once it has mounted.)
const linkEvent = "parley:link"

// userError logs err in full, with the bound method that met it, and
// returns the error the window gets: one sentence, no internal detail.
func (a *App) userError(method string, err error) error {
	if err == nil {
		return nil
	}
	answer := usererr.Of(err)
	if answer == usererr.Internal {
		a.log.Error("call failed", "method", method, "err", err)
	} else {
		a.log.Info("call refused", "method", method, "err", err)
	}
	return errors.New(answer.Message)
}

// App is the one type bound to the window: a thin adapter from UI calls to
// chat.Service. Its methods return (T, error) so that Wails generates
// TypeScript models and rejects the promise on error.
type App struct {
	svc      *chat.Service
	settings settings.Settings
	notify   *notifier
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	started  atomic.Bool // set once startup has filled ctx

	linkMu sync.Mutex
	link   string // the invite link to offer next; "" for none
}

func newApp(svc *chat.Service, s settings.Settings, log *slog.Logger) *App {
	a := &App{svc: svc, settings: s, log: log.With("component", "app"), done: make(chan struct{})}
	a.notify = &notifier{app: a}
	a.notify.focused.Store(true)
	return a
}

// startup runs once the window exists. SIGINT and SIGTERM need nothing
// here: Wails' own handler quits through OnBeforeClose, as the window's
// close button does. (A second handler of ours made every signal quit GTK
// twice, from two threads: a GTK critical on about one stop in three, two
// racing settings saves, and now and then a crash.)
func (a *App) startup(ctx context.Context) {
	a.ctx, a.cancel = context.WithCancel(ctx)
	a.started.Store(true)
	if a.svc == nil {
		close(a.done)
		return
	}
	events, unsubscribe := a.svc.Subscribe()
	go func() {
		defer close(a.done)
		defer unsubscribe()
		a.forwardEvents(events)
	}()
}

// shutdown stops forwarding events before the window goes away.
func (a *App) shutdown(context.Context) {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
}

// forwardEvents sends service events to the window in batches.
func (a *App) forwardEvents(events <-chan chat.Event) {
	// The timer runs only while a batch waits: an idle app does not wake.
	flush := time.NewTimer(eventBatchInterval)
	flush.Stop()
	defer flush.Stop()
	var batch []chat.Event
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return
			}
			if len(batch) == 0 {
				flush.Reset(eventBatchInterval)
			}
			batch = append(batch, e)
		case <-flush.C:
			a.notify.consider(batch)
			runtime.EventsEmit(a.ctx, eventsName, batch)
			batch = nil
		case <-a.ctx.Done():
			return
		}
	}
}

// FrontendReady is called by the UI once it has mounted and shown the user's
// identity; the desktop smoke test waits for its log line.
func (a *App) FrontendReady() {
	a.log.Info("frontend ready")
}

// offerInvite keeps an invite link Parley was asked to open (by its start,
// a second start or, on macOS, the system) for the window, which asks the
// user before joining. A newer link replaces one not yet shown.
func (a *App) offerInvite(link string) {
	a.linkMu.Lock()
	a.link = link
	a.linkMu.Unlock()
	if a.started.Load() {
		runtime.EventsEmit(a.ctx, linkEvent)
	}
}

// PendingInvite returns what the invite link Parley was last asked to open
// leads to, once: the next call finds nothing (an empty Link).
func (a *App) PendingInvite() (chat.InvitePreview, error) {
	a.linkMu.Lock()
	link := a.link
	a.link = ""
	a.linkMu.Unlock()
	if link == "" || a.svc == nil {
		return chat.InvitePreview{}, nil
	}
	preview, err := a.svc.PreviewInvite(link)
	if err != nil {
		return chat.InvitePreview{}, a.userError("PendingInvite", err)
	}
	a.log.Info("invite link shown", "room", preview.Name, "joined", preview.Joined)
	return preview, nil
}

// Me returns the local user's identity.
func (a *App) Me() (chat.Me, error) {
	if a.svc == nil {
		return chat.Me{}, errNoService
	}
	return a.svc.Me(), nil
}

// SetName sets the display name and announces it.
func (a *App) SetName(name string) (chat.Me, error) {
	if a.svc == nil {
		return chat.Me{}, errNoService
	}
	me, err := a.svc.SetName(a.ctx, name)
	return me, a.userError("SetName", err)
}

// SetProxy sets how the node reaches helpers over HTTPS: mode "system",
// "none" or "manual" with url (http:// or socks5://).
func (a *App) SetProxy(mode, url string) (chat.ProxySetting, error) {
	if a.svc == nil {
		return chat.ProxySetting{}, errNoService
	}
	proxy, err := a.svc.SetProxy(mode, url)
	return proxy, a.userError("SetProxy", err)
}

// Rooms lists the joined rooms.
func (a *App) Rooms() ([]chat.Room, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Rooms(), nil
}

// CreateRoom makes a new room and joins it.
func (a *App) CreateRoom(name string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.CreateRoom(name)
	return room, a.userError("CreateRoom", err)
}

// JoinRoom joins a room by its ID or an invite link.
func (a *App) JoinRoom(roomID, name string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.JoinRoom(roomID, name)
	return room, a.userError("JoinRoom", err)
}

// Invite returns a parley://join/ link for a joined room.
func (a *App) Invite(roomID string) (string, error) {
	if a.svc == nil {
		return "", errNoService
	}
	link, err := a.svc.Invite(a.ctx, roomID)
	return link, a.userError("Invite", err)
}

// CreatePrivateRoom makes a private room, with the user as its owner.
func (a *App) CreatePrivateRoom(name string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.CreatePrivateRoom(name)
	return room, a.userError("CreatePrivateRoom", err)
}

// CreateInvite makes an invitation to a private room: valid for hours (0
// until revoked), for uses people (0 any number).
func (a *App) CreateInvite(roomID string, hours, uses int) (chat.Invitation, error) {
	if a.svc == nil {
		return chat.Invitation{}, errNoService
	}
	inv, err := a.svc.CreateInvite(a.ctx, roomID, hours, uses)
	return inv, a.userError("CreateInvite", err)
}

// Invites lists a private room's open invitations.
func (a *App) Invites(roomID string) ([]chat.Invitation, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	invs, err := a.svc.Invites(roomID)
	return invs, a.userError("Invites", err)
}

// RevokeInvite ends an invitation.
func (a *App) RevokeInvite(roomID, inviteID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("RevokeInvite", a.svc.RevokeInvite(roomID, inviteID))
}

// SetRole gives a member of a private room a role.
func (a *App) SetRole(roomID, peerID, role string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("SetRole", a.svc.SetRole(roomID, peerID, role))
}

// RemoveMember removes someone from a private room.
func (a *App) RemoveMember(roomID, peerID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("RemoveMember", a.svc.RemoveMember(roomID, peerID))
}

// DirectMessage opens the direct conversation with a person.
func (a *App) DirectMessage(peerID string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.DirectMessage(peerID)
	return room, a.userError("DirectMessage", err)
}

// Block hides a person on this device.
func (a *App) Block(peerID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("Block", a.svc.Block(peerID))
}

// Unblock undoes Block.
func (a *App) Unblock(peerID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("Unblock", a.svc.Unblock(peerID))
}

// Blocked lists the people blocked on this device.
func (a *App) Blocked() ([]chat.Profile, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Blocked(), nil
}

// FetchFile starts or goes on fetching a file a joined room shares.
func (a *App) FetchFile(hash string) (chat.File, error) {
	if a.svc == nil {
		return chat.File{}, errNoService
	}
	f, err := a.svc.FetchFile(hash)
	return f, a.userError("FetchFile", err)
}

// CancelFetch stops fetching a file; what is here stays.
func (a *App) CancelFetch(hash string) (chat.File, error) {
	if a.svc == nil {
		return chat.File{}, errNoService
	}
	f, err := a.svc.CancelFetch(hash)
	return f, a.userError("CancelFetch", err)
}

// RemoveFile removes a file's bytes from this computer; its messages stay.
func (a *App) RemoveFile(hash string) (chat.File, error) {
	if a.svc == nil {
		return chat.File{}, errNoService
	}
	f, err := a.svc.RemoveFile(hash)
	return f, a.userError("RemoveFile", err)
}

// Files lists a room's files, newest first.
func (a *App) Files(roomID string, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	msgs, err := a.svc.Files(roomID, limit)
	return msgs, a.userError("Files", err)
}

// FilesUsage says how much disk files take here, against the cap.
func (a *App) FilesUsage() (chat.FilesUsage, error) {
	if a.svc == nil {
		return chat.FilesUsage{}, errNoService
	}
	u, err := a.svc.FilesUsage()
	return u, a.userError("FilesUsage", err)
}

// FileLimits returns the limits on files.
func (a *App) FileLimits() (chat.FileLimits, error) {
	if a.svc == nil {
		return chat.FileLimits{}, errNoService
	}
	return a.svc.FileLimits(), nil
}

// SetFileLimits sets the largest file, the largest fetched by itself and
// the space files may take, in MiB.
func (a *App) SetFileLimits(maxFileMiB, autoMiB, capMiB int) (chat.FileLimits, error) {
	if a.svc == nil {
		return chat.FileLimits{}, errNoService
	}
	l, err := a.svc.SetFileLimits(maxFileMiB, autoMiB, capMiB)
	return l, a.userError("SetFileLimits", err)
}

// RemoveFilesOlderThan removes the files fetched here and not used for
// days.
func (a *App) RemoveFilesOlderThan(days int) (chat.RemovedFiles, error) {
	if a.svc == nil {
		return chat.RemovedFiles{}, errNoService
	}
	r, err := a.svc.RemoveFilesOlderThan(days)
	return r, a.userError("RemoveFilesOlderThan", err)
}

// InviteStatus says whether an invite made now lets someone far away in
// at once, and if not, why.
func (a *App) InviteStatus(roomID string) (chat.InviteStatus, error) {
	if a.svc == nil {
		return chat.InviteStatus{}, errNoService
	}
	status, err := a.svc.InviteStatus(roomID)
	return status, a.userError("InviteStatus", err)
}

// LeaveRoom leaves a room; its history stays.
func (a *App) LeaveRoom(roomID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("LeaveRoom", a.svc.LeaveRoom(roomID))
}

// Send posts a text message to a room.
func (a *App) Send(roomID, text string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	msg, err := a.svc.Send(a.ctx, roomID, text)
	return msg, a.userError("Send", err)
}

// History returns up to limit messages before the message with ID before
// (the newest when empty), oldest first.
func (a *App) History(roomID, before string, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	msgs, err := a.svc.History(roomID, before, limit)
	return msgs, a.userError("History", err)
}

// HistoryAfter returns up to limit messages just after the message with ID
// after, oldest first.
func (a *App) HistoryAfter(roomID, after string, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	msgs, err := a.svc.HistoryAfter(roomID, after, limit)
	return msgs, a.userError("HistoryAfter", err)
}

// HistoryAround returns up to limit messages around the time at (unix
// milliseconds), half before it and the rest from it on, oldest first.
func (a *App) HistoryAround(roomID string, at int64, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	msgs, err := a.svc.HistoryAround(roomID, at, limit)
	return msgs, a.userError("HistoryAround", err)
}

// MarkRead records that the user has seen a room up to a message.
func (a *App) MarkRead(roomID, messageID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("MarkRead", a.svc.MarkRead(roomID, messageID))
}

// Members lists a room's members and whether they are online.
func (a *App) Members(roomID string) ([]chat.Member, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	members, err := a.svc.Members(roomID)
	return members, a.userError("Members", err)
}

// Nearby lists peers that introduced themselves, with their public rooms.
func (a *App) Nearby() ([]chat.NearbyPeer, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Nearby(), nil
}

// Peers lists the connected peers.
func (a *App) Peers() ([]chat.Peer, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Peers(), nil
}

// Helpers lists the helper nodes in use, with the rooms whose links named them.
func (a *App) Helpers() ([]chat.Helper, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	return a.svc.Helpers(), nil
}

// Status reports the node's network state.
func (a *App) Status() (chat.Status, error) {
	if a.svc == nil {
		return chat.Status{}, errNoService
	}
	return a.svc.Status(), nil
}

// Connect dials a peer by multiaddr.
func (a *App) Connect(addr string) error {
	if a.svc == nil {
		return errNoService
	}
	ctx, cancel := context.WithTimeout(a.ctx, 20*time.Second)
	defer cancel()
	return a.userError("Connect", a.svc.Connect(ctx, addr))
}

// Reply sends text as an answer to a message of a room.
func (a *App) Reply(roomID, messageID, text string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	msg, err := a.svc.Reply(a.ctx, roomID, messageID, text)
	return msg, a.userError("Reply", err)
}

// React toggles the user's reaction with emoji on a message.
func (a *App) React(roomID, messageID, emoji string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	msg, err := a.svc.React(a.ctx, roomID, messageID, emoji)
	return msg, a.userError("React", err)
}

// Edit replaces the text of one of the user's messages.
func (a *App) Edit(roomID, messageID, text string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	msg, err := a.svc.Edit(a.ctx, roomID, messageID, text)
	return msg, a.userError("Edit", err)
}

// Delete deletes one of the user's messages, leaving a stub.
func (a *App) Delete(roomID, messageID string) (chat.Message, error) {
	if a.svc == nil {
		return chat.Message{}, errNoService
	}
	msg, err := a.svc.Delete(a.ctx, roomID, messageID)
	return msg, a.userError("Delete", err)
}

// Search finds messages matching query in one room, or all with roomID empty.
func (a *App) Search(query, roomID string, limit int) ([]chat.Message, error) {
	if a.svc == nil {
		return nil, errNoService
	}
	msgs, err := a.svc.Search(query, roomID, limit)
	return msgs, a.userError("Search", err)
}

// RenameRoom renames a room for everyone in it.
func (a *App) RenameRoom(roomID, name string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.RenameRoom(a.ctx, roomID, name)
	return room, a.userError("RenameRoom", err)
}

// SetTopic sets a room's topic for everyone in it.
func (a *App) SetTopic(roomID, topic string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.SetTopic(a.ctx, roomID, topic)
	return room, a.userError("SetTopic", err)
}

// SetRoomNearby makes a room visible on this network, or invite-only, for
// everyone in it.
func (a *App) SetRoomNearby(roomID string, on bool) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.SetRoomNearby(a.ctx, roomID, on)
	return room, a.userError("SetRoomNearby", err)
}

// ForgetAuthor drops a person's messages from a room on this device and
// keeps them from coming back.
func (a *App) ForgetAuthor(roomID, peerID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("ForgetAuthor", a.svc.ForgetAuthor(roomID, peerID))
}

// SetNotify sets when a room notifies: all, mentions or none.
func (a *App) SetNotify(roomID, level string) (chat.Room, error) {
	if a.svc == nil {
		return chat.Room{}, errNoService
	}
	room, err := a.svc.SetNotify(roomID, level)
	return room, a.userError("SetNotify", err)
}

// DeleteRoomHistory leaves a room and deletes its history from this computer.
func (a *App) DeleteRoomHistory(roomID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("DeleteRoomHistory", a.svc.DeleteRoomHistory(roomID))
}

// Typing tells a room the user is typing.
func (a *App) Typing(roomID string) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("Typing", a.svc.Typing(a.ctx, roomID))
}

// SetAway marks the user away (idle) or back.
func (a *App) SetAway(away bool) error {
	if a.svc == nil {
		return errNoService
	}
	return a.userError("SetAway", a.svc.SetAway(a.ctx, away))
}
