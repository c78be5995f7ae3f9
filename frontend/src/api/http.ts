// The backend in a browser: a headless node's HTTP API and event WebSocket.
// The login link the node prints sets the cookie these requests carry.
import type { Backend, BackendEvent, Message } from './types'

/**
 * A call the node refused or failed: `message` is the node's one sentence
 * for a person, `code` its stable word for what went wrong ("badLink").
 */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
    this.name = 'BackendError'
  }
}

/** What a call says when the node does not answer at all. */
export const nodeGoneText = 'Your Parley node is not answering: check that it is still running.'

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  let resp: Response
  try {
    resp = await fetch(`/api/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    })
  } catch {
    // fetch gives a TypeError in the browser's own words ("Failed to fetch").
    throw new BackendError(nodeGoneText, 'nodeGone')
  }
  return answer<T>(resp)
}

/** A call's answer: its JSON, or its error sentence as a BackendError. */
async function answer<T>(resp: Response): Promise<T> {
  const body = await resp.json().catch(() => null)
  if (!resp.ok) {
    if (body && typeof body.error === 'string') {
      throw new BackendError(body.error, typeof body.code === 'string' ? body.code : 'unknown')
    }
    throw new BackendError(`The Parley node answered with HTTP ${resp.status}; try again.`, 'unknown')
  }
  return body as T
}

/** Where a file's bytes are read: the node's own route (the window's asset server in the desktop app). */
export function fileURL(hash: string): string {
  return `/api/files/${encodeURIComponent(hash)}`
}

/** Shares bytes as a file: PUT with the bytes as the body, the answer a Message. */
export async function sendFile(roomId: string, file: Blob | Uint8Array<ArrayBuffer>, name: string, caption: string): Promise<Message> {
  const q = new URLSearchParams({ name })
  if (caption) q.set('text', caption)
  let resp: Response
  try {
    resp = await fetch(`/api/files/${encodeURIComponent(roomId)}?${q}`, { method: 'PUT', credentials: 'same-origin', body: file })
  } catch {
    throw new BackendError(nodeGoneText, 'nodeGone')
  }
  return answer<Message>(resp)
}

/** Reconnect delays after the event socket drops, capped at the last. */
const retryDelaysMs = [500, 1000, 2000, 5000]

/**
 * Everyone who listens shares one socket: it opens with the first listener
 * and closes after the last, so a second listener (a view waiting for one
 * kind of event) does not make the node send every event twice.
 */
const listeners = new Set<(e: BackendEvent) => void>()
let socket: WebSocket | null = null
let retryTimer: ReturnType<typeof setTimeout> | undefined
let attempt = 0

function emit(e: BackendEvent): void {
  for (const fn of [...listeners]) fn(e)
}

function open(): void {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const s = new WebSocket(`${scheme}://${location.host}/api/events`)
  socket = s
  s.onopen = () => {
    // Events may have been missed while disconnected: reload.
    if (attempt > 0) {
      emit({ name: 'connection', data: { connected: true } })
      emit({ name: 'lagged', data: null })
    }
    attempt = 0
  }
  s.onmessage = (msg) => emit(JSON.parse(String(msg.data)) as BackendEvent)
  s.onclose = () => {
    if (socket !== s) return // closed on purpose after the last listener left
    socket = null
    if (attempt === 0) emit({ name: 'connection', data: { connected: false } })
    const delay = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)]
    attempt++
    retryTimer = setTimeout(open, delay)
  }
}

function subscribe(fn: (e: BackendEvent) => void): () => void {
  // A function passed twice still gets each event once per subscription.
  const listener = (e: BackendEvent): void => fn(e)
  listeners.add(listener)
  if (listeners.size === 1) open()
  return () => {
    if (!listeners.delete(listener) || listeners.size > 0) return
    clearTimeout(retryTimer)
    retryTimer = undefined
    attempt = 0
    const s = socket
    socket = null
    s?.close()
  }
}

export const httpBackend: Backend = {
  me: () => call('Me'),
  setName: (name) => call('SetName', name),
  rooms: () => call('Rooms'),
  createRoom: (name) => call('CreateRoom', name),
  createPrivateRoom: (name) => call('CreatePrivateRoom', name),
  createInvite: (roomId, hours, uses) => call('CreateInvite', roomId, hours, uses),
  invites: (roomId) => call('Invites', roomId),
  revokeInvite: (roomId, inviteId) => call('RevokeInvite', roomId, inviteId),
  directMessage: (peerId) => call('DirectMessage', peerId),
  block: (peerId) => call('Block', peerId),
  unblock: (peerId) => call('Unblock', peerId),
  blocked: () => call('Blocked'),
  fetchFile: (hash) => call('FetchFile', hash),
  cancelFetch: (hash) => call('CancelFetch', hash),
  fileURL,
  sendFile,
  removeFile: (hash) => call('RemoveFile', hash),
  files: (roomId, limit) => call('Files', roomId, limit),
  filesUsage: () => call('FilesUsage'),
  fileLimits: () => call('FileLimits'),
  setFileLimits: (maxFileMiB, autoMiB, capMiB) => call('SetFileLimits', maxFileMiB, autoMiB, capMiB),
  removeFilesOlderThan: (days) => call('RemoveFilesOlderThan', days),
  setRole: (roomId, peerId, role) => call('SetRole', roomId, peerId, role),
  removeMember: (roomId, peerId) => call('RemoveMember', roomId, peerId),
  joinRoom: (idOrLink, name) => call('JoinRoom', idOrLink, name),
  invite: (roomId) => call('Invite', roomId),
  inviteStatus: (roomId) => call('InviteStatus', roomId),
  leaveRoom: (id) => call('LeaveRoom', id),
  send: (roomId, text) => call('Send', roomId, text),
  reply: (roomId, messageId, text) => call('Reply', roomId, messageId, text),
  react: (roomId, messageId, emoji) => call('React', roomId, messageId, emoji),
  edit: (roomId, messageId, text) => call('Edit', roomId, messageId, text),
  deleteMessage: (roomId, messageId) => call('Delete', roomId, messageId),
  search: (query, roomId, limit) => call('Search', query, roomId, limit),
  renameRoom: (roomId, name) => call('RenameRoom', roomId, name),
  setTopic: (roomId, topic) => call('SetTopic', roomId, topic),
  setNotify: (roomId, level) => call('SetNotify', roomId, level),
  setRoomNearby: (roomId, on) => call('SetRoomNearby', roomId, on),
  deleteRoomHistory: (roomId) => call('DeleteRoomHistory', roomId),
  typing: (roomId) => call('Typing', roomId),
  setAway: (away) => call('SetAway', away),
  history: (roomId, before, limit) => call('History', roomId, before, limit),
  historyAfter: (roomId, after, limit) => call('HistoryAfter', roomId, after, limit),
  historyAround: (roomId, at, limit) => call('HistoryAround', roomId, at, limit),
  markRead: (roomId, messageId) => call('MarkRead', roomId, messageId),
  members: (roomId) => call('Members', roomId),
  nearby: () => call('Nearby'),
  peers: () => call('Peers'),
  helpers: () => call('Helpers'),
  status: () => call('Status'),
  connect: (addr) => call('Connect', addr),
  setProxy: (mode, url) => call('SetProxy', mode, url),
  pendingInvite: async () => null, // a headless node joins the link it was started with itself
  frontendReady: async () => {}, // only the desktop shell listens for it
  copyText: (text) => navigator.clipboard.writeText(text),
  openURL: (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
  setTitle: (title) => {
    document.title = title
  },
  windowFocused: () => {}, // notifications are the desktop app's
  on: subscribe,
}
