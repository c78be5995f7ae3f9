// The backend inside the desktop window: Wails bindings to the Go app.
import * as app from './wailsjs/go/main/App'
import { BrowserOpenURL, ClipboardSetText, EventsOn, OnFileDrop, OnFileDropOff, WindowSetTitle } from './wailsjs/runtime/runtime'
import { fileURL, sendFile } from './http'
import type { Backend, BackendEvent, FileInfo, InvitePreview, InviteStatus, Member, Message, Peer, ProxySetting, Room, Status } from './types'

/** The Wails event that carries batches of BackendEvent (app.go). */
const eventsName = 'parley:events'
/** The Wails event (no data) that says an invite link is waiting for PendingInvite. */
const linkEvent = 'parley:link'

export const wailsBackend: Backend = {
  me: () => app.Me(),
  setName: (name) => app.SetName(name),
  // The generated models type Room.notify, Room.myRole, Room.refused,
  // Message.kind, Message.state, File.state, Member.via, Member.presence, Member.role,
  // Peer.why, Status.proxy.mode and Status.wss.cert as plain strings; Go
  // only ever sets the values types.ts names.
  rooms: () => app.Rooms() as Promise<Room[]>,
  createRoom: (name) => app.CreateRoom(name) as Promise<Room>,
  createPrivateRoom: (name) => app.CreatePrivateRoom(name) as Promise<Room>,
  createInvite: (roomId, hours, uses) => app.CreateInvite(roomId, hours, uses),
  invites: (roomId) => app.Invites(roomId),
  revokeInvite: (roomId, inviteId) => app.RevokeInvite(roomId, inviteId),
  directMessage: (peerId) => app.DirectMessage(peerId) as Promise<Room>,
  block: (peerId) => app.Block(peerId),
  unblock: (peerId) => app.Unblock(peerId),
  blocked: () => app.Blocked(),
  fetchFile: (hash) => app.FetchFile(hash) as Promise<FileInfo>,
  cancelFetch: (hash) => app.CancelFetch(hash) as Promise<FileInfo>,
  // The window's asset server answers /api/files (api.WindowFiles): bytes
  // go as bodies, never through the bindings.
  fileURL,
  // As bytes, not a Blob: WebKitGTK crashes reading a Blob-backed body
  // in a custom scheme's handler. Only pastes come this way (a few MB at
  // most); files on disk go by path (desktop.shareFile).
  sendFile: async (roomId, file, name, caption) => sendFile(roomId, new Uint8Array(await file.arrayBuffer()), name, caption),
  removeFile: (hash) => app.RemoveFile(hash) as Promise<FileInfo>,
  files: (roomId, limit) => app.Files(roomId, limit) as Promise<Message[]>,
  filesUsage: () => app.FilesUsage(),
  fileLimits: () => app.FileLimits(),
  setFileLimits: (maxFileMiB, autoMiB, capMiB) => app.SetFileLimits(maxFileMiB, autoMiB, capMiB),
  removeFilesOlderThan: (days) => app.RemoveFilesOlderThan(days),
  desktop: {
    pickFiles: () => app.PickFiles(),
    onDrop: (fn) => {
      OnFileDrop((_x, _y, paths) => fn(app.LocalFiles(paths)), false)
      return () => OnFileDropOff()
    },
    shareFile: (roomId, path, caption) => app.ShareFile(roomId, path, caption) as Promise<Message>,
    saveFileAs: (hash) => app.SaveFileAs(hash),
    openWithSystem: (hash) => app.OpenWithSystem(hash),
  },
  setRole: (roomId, peerId, role) => app.SetRole(roomId, peerId, role),
  removeMember: (roomId, peerId) => app.RemoveMember(roomId, peerId),
  joinRoom: (idOrLink, name) => app.JoinRoom(idOrLink, name) as Promise<Room>,
  invite: (roomId) => app.Invite(roomId),
  inviteStatus: (roomId) => app.InviteStatus(roomId) as Promise<InviteStatus>,
  leaveRoom: (id) => app.LeaveRoom(id),
  send: (roomId, text) => app.Send(roomId, text) as Promise<Message>,
  reply: (roomId, messageId, text) => app.Reply(roomId, messageId, text) as Promise<Message>,
  react: (roomId, messageId, emoji) => app.React(roomId, messageId, emoji) as Promise<Message>,
  edit: (roomId, messageId, text) => app.Edit(roomId, messageId, text) as Promise<Message>,
  deleteMessage: (roomId, messageId) => app.Delete(roomId, messageId) as Promise<Message>,
  search: (query, roomId, limit) => app.Search(query, roomId, limit) as Promise<Message[]>,
  renameRoom: (roomId, name) => app.RenameRoom(roomId, name) as Promise<Room>,
  setTopic: (roomId, topic) => app.SetTopic(roomId, topic) as Promise<Room>,
  setNotify: (roomId, level) => app.SetNotify(roomId, level) as Promise<Room>,
  setRoomNearby: (roomId, on) => app.SetRoomNearby(roomId, on) as Promise<Room>,
  deleteRoomHistory: (roomId) => app.DeleteRoomHistory(roomId),
  typing: (roomId) => app.Typing(roomId),
  setAway: (away) => app.SetAway(away),
  history: (roomId, before, limit) => app.History(roomId, before, limit) as Promise<Message[]>,
  historyAfter: (roomId, after, limit) => app.HistoryAfter(roomId, after, limit) as Promise<Message[]>,
  historyAround: (roomId, at, limit) => app.HistoryAround(roomId, at, limit) as Promise<Message[]>,
  markRead: (roomId, messageId) => app.MarkRead(roomId, messageId),
  members: (roomId) => app.Members(roomId) as Promise<Member[]>,
  nearby: () => app.Nearby(),
  peers: () => app.Peers() as Promise<Peer[]>,
  helpers: () => app.Helpers(),
  status: () => app.Status() as Promise<Status>,
  connect: (addr) => app.Connect(addr),
  setProxy: (mode, url) => app.SetProxy(mode, url) as Promise<ProxySetting>,
  pendingInvite: async () => {
    const preview: InvitePreview = await app.PendingInvite()
    return preview.link ? preview : null
  },
  frontendReady: () => app.FrontendReady(),
  copyText: async (text) => {
    if (!(await ClipboardSetText(text))) throw new Error('The clipboard refused the text')
  },
  openURL: (url) => BrowserOpenURL(url),
  setTitle: (title) => WindowSetTitle(title),
  windowFocused: (focused) => void app.WindowFocused(focused),
  on: (fn) => {
    const stopEvents = EventsOn(eventsName, (batch: BackendEvent[]) => batch.forEach(fn))
    const stopLink = EventsOn(linkEvent, () => fn({ name: 'inviteLink', data: null }))
    return () => {
      stopEvents()
      stopLink()
    }
  },
}
