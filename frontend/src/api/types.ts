// Types shared by both backends: the Wails bindings and the HTTP API.

/** The local user's identity. */
export interface Me {
  /** Full libp2p peer ID: the user's stable identity. */
  peerId: string
  /** Short fingerprint shown next to the display name. */
  shortId: string
  /** Display name; empty until set. */
  name: string
  /** Addresses another Parley can dial to reach this one. */
  addrs: readonly string[]
}

/** When a room notifies: every message, only messages that mention you, or never. */
export type NotifyLevel = 'all' | 'mentions' | 'none'

export interface Room {
  id: string
  name: string
  /** One line saying what the room is for; empty if none. */
  topic: string
  notify: NotifyLevel
  /** Messages after lastRead (capped at 1000). */
  unread: number
  /** Unread messages that mention you (among the newest 300 unread). */
  mentions: number
  /** Your own messages no peer has had yet (capped at 100). */
  undelivered: number
  /** ID of the newest message the user has seen; empty if none. */
  lastRead: string
  /** Wall time of the newest message, unix ms; 0 if none. */
  lastActivity: number
  /**
   * Visible on this network: peers found on the LAN see it under Nearby and
   * can join it from there. Otherwise only an invite link lets someone in.
   */
  nearby: boolean
  /** Made by an older Parley: anyone who has its ID can join. */
  legacy: boolean
  /** Only the members its log lists can join and read it (docs/SECURITY.md). */
  private: boolean
  /** A direct conversation between two people. */
  direct: boolean
  /** Your role in a private room; '' in open rooms, and while pending or removed. */
  myRole: Role
  /** Joined by link, not let in by a member yet. */
  pending: boolean
  /** Why a member turned the join away (the room stays pending); absent or '' if none did. */
  refused?: JoinRefusal | ''
  /** The owner or a moderator removed you: new messages no longer reach you. */
  removed: boolean
  /** A direct conversation from someone you share no room with. */
  request: boolean
}

/** A role in a private room: the owner, a moderator, or a member; '' in open rooms. */
export type Role = 'owner' | 'moderator' | 'member' | ''

/**
 * Why a member turned a join by link away: the link expired, was revoked or
 * used up, you were removed after it was made, or the room does not know it.
 */
export type JoinRefusal = 'expired' | 'revoked' | 'usedUp' | 'removed' | 'unknown'

/** An open invitation to a private room. */
export interface Invitation {
  id: string
  /** The invite link; '' for one made on another device. */
  link: string
  /** When it stops letting people in, unix ms; 0 never. */
  expiresAt: number
  /** How many people it lets in, 0 any number. */
  uses: number
  /** How many it let in so far. */
  used: number
  /** The peer ID of the member who made it (never shown: the window names them). */
  by: string
}

/**
 * What the user sees of an own message: sending (not yet stored), sent (a
 * peer was given it), stored (no peer has had it yet, also after a restart;
 * it goes out when someone joins), failed (not stored; the reason is kept).
 * The node sets sent and stored on own messages wherever it returns them.
 */
export type DeliveryState = 'sending' | 'sent' | 'stored' | 'failed'


/** Everyone's reactions with one emoji to a message. */
export interface Reaction {
  emoji: string
  count: number
  /** You are among those who reacted. */
  mine: boolean
  /** Display names (or short IDs) of those who reacted, in the order they did. */
  by: readonly string[]
}

/** What a reply shows of the message it answers. */
export interface ReplyPreview {
  id: string
  authorName: string
  authorShort: string
  /** The start of the answered message's text; empty when it is deleted or not here. */
  text: string
  deleted: boolean
  /** The answered message is not (yet) on this node. */
  missing: boolean
}

/** A piece of a search result's text: the parts that matched the query have match set. */
export interface HighlightPart {
  text: string
  match: boolean
}

/**
 * text: a message someone wrote. roomName / roomTopic: someone renamed the
 * room or changed its topic; text holds the new name or topic. roomNearby:
 * someone made the room visible on this network (text "on") or invite only
 * again ("off"). member: a private room's membership changed; text says
 * what, in words ("Ada removed Bob").
 */
export type MessageKind = 'text' | 'file' | 'roomName' | 'roomTopic' | 'roomNearby' | 'member'

/** Where a shared file stands on this node. */
export type FileState = 'complete' | 'fetching' | 'paused' | 'missing' | 'tooLarge'

/** A shared file (Message.file); its bytes are fetched from the members who hold it. */
export interface FileInfo {
  hash: string
  name: string
  size: number
  /** The type the sender found in the bytes. */
  mime: string
  /** An image's size, 0 otherwise. */
  width: number
  height: number
  /** A small JPEG (a data URL) of an image, encoded by this node; absent when none. */
  preview?: string
  state: FileState
  /** Bytes here so far. */
  have: number
  /** Paused because files take all the space allowed for them (Settings, Storage). */
  full?: boolean
  /** It was here and was removed from this computer; Download gets it again. */
  removed?: boolean
  /** While fetching, from the file's events: bytes a second, and from how many people. */
  rate?: number
  peers?: number
}

/** The limits on files, in MiB. */
export interface FileLimits {
  /** The largest file shared or downloaded. */
  maxFileMiB: number
  /** Files up to this size download by themselves; 0: none do. */
  autoMiB: number
  /** The space files may take here. */
  capMiB: number
}

/** The space files take here, in bytes. */
export interface FilesUsage {
  used: number
  cap: number
  files: number
}

/** A file on this computer, picked or dropped in the desktop window. */
export interface LocalFile {
  path: string
  name: string
  size: number
}

/** A fetch's progress, at most 4 times a second per file. */
export interface FileProgress {
  hash: string
  room: string
  state: FileState
  have: number
  size: number
  /** Bytes a second since the fetch began. */
  rate: number
  peers: number
  full?: boolean
  removed?: boolean
}

export interface Message {
  id: string
  room: string
  kind: MessageKind
  author: string
  authorShort: string
  authorName: string
  /** Ordering key: fixed-width decimal, compare as text. */
  time: string
  /** Wall time in unix milliseconds. */
  sentAt: number
  /** The text; for a file, its caption. */
  text: string
  mine: boolean
  /** A file message's file. */
  file?: FileInfo
  replyTo?: string
  /** Set on replies: what the answered message looks like now. */
  replyPreview?: ReplyPreview
  /** Reactions, in the order their first reaction came. */
  reactions: readonly Reaction[]
  /** The author changed the text after sending it. */
  edited: boolean
  /** The author deleted it (or, when removed, the owner or a moderator did): text is empty, a stub stays in its place. */
  deleted: boolean
  /** Deleted by the owner or a moderator of the private room, not by its author. */
  removed?: boolean
  /** The name of whoever removed it; empty when unknown. */
  removedBy?: string
  /** The text mentions you (@ and your name). */
  mentionsMe: boolean
  /** Only on Search results: the matching stretch of the text. */
  highlight?: readonly HighlightPart[]
  /** Set on messages just sent (by the backend: sent or stored). */
  state?: DeliveryState
}

/**
 * How a peer is connected: over the local network, directly over the
 * internet, directly after both sides' routers were punched through, or
 * through a relay; '' when not connected.
 */
export type Via = 'local' | 'lan' | 'direct' | 'holepunched' | 'relayed' | ''

/** The transport of the connection Via describes; '' when not connected. */
export type Transport = 'quic' | 'tcp' | 'wss' | 'ws' | ''

/** online: connected and active; away: connected, idle for a while; offline: not connected. */
export type Presence = 'online' | 'away' | 'offline'

export interface Member {
  peerId: string
  shortId: string
  name: string
  online: boolean
  presence: Presence
  /** When the member was last connected, unix ms; 0 if never seen or online now. */
  lastSeen: number
  me: boolean
  /** How an online member is reached; '' otherwise. */
  via: Via
  transport: Transport
  /** The member's role in a private room; '' in open rooms. */
  role: Role
}

/** A person as the node knows them: the blocked list, a display name that changed. */
export interface Profile {
  peerId: string
  shortId: string
  name: string
}

/** A change announced by the backend. */
export type BackendEvent =
  | { name: 'message'; data: Message }
  /** An existing message changed (reactions, an edit, a delete): replace it by id. */
  | { name: 'changed'; data: Message }
  /** Someone is typing in a room; show it for a few seconds unless it comes again. */
  | { name: 'typing'; data: Typing }
  | { name: 'profile'; data: Profile }
  | { name: 'delivered'; data: { id: string; room: string } }
  | { name: 'sync'; data: SyncProgress }
  /** A history sync stored count messages of a room at once (one batch). */
  | { name: 'arrived'; data: { room: string; count: number } }
  /** A member turned away your join by link of a private room; it stays pending, refused. */
  | { name: 'joinRefused'; data: { room: string; reason: JoinRefusal } }
  /** status: how this node is reachable may have changed. */
  | { name: 'rooms' | 'members' | 'nearby' | 'status' | 'lagged'; data: null }
  /** Parley was asked to open an invite link: pendingInvite() has it. */
  | { name: 'inviteLink'; data: null }
  /**
   * In a browser only: the event socket to the node closed (connected
   * false) or opened again (true, followed by 'lagged').
   */
  | { name: 'connection'; data: { connected: boolean } }
  /** A file's fetch went on, ended or paused. */
  | { name: 'file'; data: FileProgress }

export interface Typing {
  room: string
  peerId: string
  shortId: string
  name: string
}

export interface NearbyRoom {
  id: string
  name: string
  joined: boolean
  /** Made by an older Parley, which shows all its rooms: anyone who has its ID can join. */
  legacy: boolean
}

/** A peer found nearby, with only the rooms it made visible on this network. */
export interface NearbyPeer {
  peerId: string
  shortId: string
  name: string
  connected: boolean
  lan: boolean
  rooms: readonly NearbyRoom[]
}

/**
 * Why this node is connected to a peer: found on the local network, shares
 * a room, is a helper node, is a contact kept from before, answers room
 * look-ups (the DHT), or relays a connection on the way to a direct one.
 */
export type PeerWhy = 'nearby' | 'member' | 'helper' | 'kept' | 'dht' | 'relay'

export interface Peer {
  peerId: string
  shortId: string
  name: string
  lan: boolean
  via: Via
  transport: Transport
  why: PeerWhy
}

/**
 * A helper node this node uses: one given at start (--bootstrap), or one
 * the invite link of a joined room named. It leaves when no joined room
 * names it any more.
 */
export interface Helper {
  peerId: string
  shortId: string
  name: string
  /** IDs of the joined rooms whose invite link named it; empty for a helper given at start. */
  rooms: readonly string[]
  /** Those rooms' names, in the same order. */
  roomNames: readonly string[]
  connected: boolean
}

/** A history sync with a peer: "syncing 3,200 of 10,000 from Bob". */
export interface SyncProgress {
  room: string
  peerId: string
  peerName: string
  received: number
  total: number
  sent: number
  done: boolean
  error?: string
}

/** Where the node looks for peers: explicit peers only, the local network, or also the internet. */
export type NetworkMode = 'off' | 'lan' | 'internet'

/** Whether peers on the internet can dial this node: public (yes), private (behind NAT), unknown (not yet known). */
export type Reachability = 'public' | 'private' | 'unknown'

export interface Status {
  peerId: string
  network: NetworkMode
  peers: number
  mdns: boolean
  addrs: readonly string[]
  reachability: Reachability
  /** Peer IDs of the relays that carry connections to this node. */
  relays: readonly string[]
  /** 'cone', 'symmetric', or '' when unknown. */
  natType: string
  /** True on a helper node (a headless node that relays for others). */
  helper: boolean
  /**
   * This network seems to let only web traffic out: every helper this node
   * is connected to is reached over secure WebSocket only.
   */
  restricted: boolean
  /** The proxy setting in use for secure WebSocket dials to helpers. */
  proxy: ProxySetting
  /** A helper's secure WebSocket listener; null on other nodes and on helpers without one. */
  wss: WSSStatus | null
  /** Messages from peers refused since start: malformed, badly signed, or an edit or delete by someone else. */
  rejected: number
  /** The running Parley's version: "0.4.0", or "0.0.0+110.gbe9f173" between releases. */
  version: string
  /** Members whose messages came faster than the per-author limit in the last minute; the excess was dropped. */
  throttled: readonly ThrottledAuthor[]
  /** Messages dropped by the per-author limit since start. */
  throttledTotal: number
  /** Neighbours that passed on more than the per-peer limit in the last minute; the excess was dropped. */
  throttledPeers: readonly ThrottledPeer[]
  /** What every flood limit turned away since start. */
  limits: Limits
}

/**
 * How secure WebSocket dials to helpers go out: system uses HTTPS_PROXY
 * from the environment, none dials straight, manual uses url.
 */
export type ProxyMode = 'system' | 'none' | 'manual'

export interface ProxySetting {
  mode: ProxyMode
  /** The manual proxy, http://host:port or socks5://host:port; never with a user name or password. */
  url: string
  /** A user name and password are saved with the URL (they are never sent back). */
  credentials: boolean
}

/** A helper's secure WebSocket listener and its certificate. */
export interface WSSStatus {
  /** The listener's addresses, as invite links carry them. */
  addrs: readonly string[]
  /** Where the certificate comes from: files the admin gave, or obtained automatically (libp2p.direct). */
  cert: 'file' | 'autotls'
  /** The DNS names the certificate is for. */
  names: readonly string[]
  /** When the certificate ends, unix ms; 0 while there is none. */
  expiresAt: number
  /** One sentence when something needs the admin (a failed reload, an end near or past); '' if nothing. */
  error: string
}

/** An invite link Parley was asked to open, and the room it leads to. */
export interface InvitePreview {
  link: string
  roomId: string
  /** The room's name as the link carries it; may be empty. */
  name: string
  /** This node is already in the room. */
  joined: boolean
}

/**
 * Whether an invite link made now lets someone on the internet in at once.
 * findingWayIn: helpers are known but no relay or public address is ready
 * yet (invite() waits up to 20 s for one); noHelpers: no helper is known,
 * the link carries only this network's addresses.
 */
export interface InviteStatus {
  ready: boolean
  why: '' | 'findingWayIn' | 'noHelpers'
}

/** A member sending faster than anyone types (a flood or a broken bot). */
export interface ThrottledPeer {
  peerId: string
  shortId: string
  name: string
  /** Messages and bytes it passed on that were dropped since the node last logged about it. */
  dropped: number
  droppedBytes: number
}

export interface Limits {
  authorMessages: number
  peerMessages: number
  peerBytes: number
  /** Sync sessions peers started that were refused: too many of one room lately, or too many at once. */
  syncsLimited: number
  syncsBusy: number
}

export interface ThrottledAuthor {
  peerId: string
  shortId: string
  name: string
  room: string
  /** Its messages dropped since the node last logged about it. */
  dropped: number
}

/** Files on disk, in the desktop window (Backend.desktop). */
export interface DesktopFiles {
  pickFiles(): Promise<LocalFile[]>
  /** Calls fn with the files dropped on the window (rejected for one that cannot be shared, e.g. a folder); returns what stops it. */
  onDrop(fn: (files: Promise<LocalFile[]>) => void): () => void
  shareFile(roomId: string, path: string, caption: string): Promise<Message>
  /** Asks where to save and copies the file there; '' when cancelled. */
  saveFileAs(hash: string): Promise<string>
  openWithSystem(hash: string): Promise<void>
}

/** Everything the UI can ask of a Parley node. */
export interface Backend {
  me(): Promise<Me>
  setName(name: string): Promise<Me>
  rooms(): Promise<Room[]>
  /** Makes an invite-only room (not visible on this network). */
  createRoom(name: string): Promise<Room>
  /** Makes a private room, with you as its owner: only whom you invite joins, only members read it. */
  createPrivateRoom(name: string): Promise<Room>
  /**
   * A new invite link to a private room, valid for hours (0: until revoked)
   * and for uses people (0: any number). Owner and moderators only.
   */
  createInvite(roomId: string, hours: number, uses: number): Promise<Invitation>
  /** A private room's open invitations, oldest first. Owner and moderators only. */
  invites(roomId: string): Promise<Invitation[]>
  /**
   * The direct conversation with a person, started if there is none. It
   * is offered to them when they are next in reach; from someone they
   * share no room with it arrives as a request.
   */
  directMessage(peerId: string): Promise<Room>
  /**
   * Hides a person on this device: their messages no longer show or
   * notify, the direct conversations they offer are turned away. They are
   * not told.
   */
  block(peerId: string): Promise<void>
  unblock(peerId: string): Promise<void>
  /** The people blocked, by name. */
  blocked(): Promise<Profile[]>
  /** Starts (or goes on with) fetching a shared file, whatever its size within the limit. */
  fetchFile(hash: string): Promise<FileInfo>
  /** Stops fetching a file; what is here stays. */
  cancelFetch(hash: string): Promise<FileInfo>
  /** Where a complete file's bytes are read (an image shows from it). */
  fileURL(hash: string): string
  /** Shares a file's bytes (a pasted image, a file picked in a browser) in a room, with an optional caption. */
  sendFile(roomId: string, file: Blob, name: string, caption: string): Promise<Message>
  /** Removes a file's bytes from this computer; its messages stay. */
  removeFile(hash: string): Promise<FileInfo>
  /** A room's file messages, newest first. */
  files(roomId: string, limit: number): Promise<Message[]>
  filesUsage(): Promise<FilesUsage>
  fileLimits(): Promise<FileLimits>
  setFileLimits(maxFileMiB: number, autoMiB: number, capMiB: number): Promise<FileLimits>
  /** Removes the files downloaded here and not used for days (not your own of the last 30 days). */
  removeFilesOlderThan(days: number): Promise<{ files: number; freed: number }>
  /**
   * The desktop window's own ways with files on disk, absent in a browser:
   * a native picker, drops as paths, sharing from a path, Save as and
   * opening in the system's program.
   */
  desktop?: DesktopFiles
  /** Ends an invitation: its link lets no one else in. */
  revokeInvite(roomId: string, inviteId: string): Promise<void>
  /** Gives a member of a private room a role; owner only. 'owner' hands the room over (you become a moderator). */
  setRole(roomId: string, peerId: string, role: Exclude<Role, ''>): Promise<void>
  /** Removes someone from a private room: the owner anyone, moderators members. */
  removeMember(roomId: string, peerId: string): Promise<void>
  /**
   * Joins by invite link, or by room ID for a room seen under Nearby (a bare
   * ID of another room is refused: only an invite lets you in); an empty name
   * takes the link's (or a placeholder).
   */
  joinRoom(idOrLink: string, name: string): Promise<Room>
  /** Shows a room under Nearby for peers on this network (on), or stops it; any member may. */
  setRoomNearby(roomId: string, on: boolean): Promise<Room>
  /** A parley://join/ link that lets someone else join a joined room. */
  invite(roomId: string): Promise<string>
  /** Whether a link made now works from far away at once, and if not why. */
  inviteStatus(roomId: string): Promise<InviteStatus>
  leaveRoom(id: string): Promise<void>
  send(roomId: string, text: string): Promise<Message>
  /** Sends text as a reply to a message of the room. */
  reply(roomId: string, messageId: string, text: string): Promise<Message>
  /** Toggles your reaction with emoji on a message; returns the message as it is now. */
  react(roomId: string, messageId: string, emoji: string): Promise<Message>
  /** Replaces the text of your own message; returns it as it is now. */
  edit(roomId: string, messageId: string, text: string): Promise<Message>
  /** Deletes your own message (its text leaves every node); returns the stub. */
  deleteMessage(roomId: string, messageId: string): Promise<Message>
  /** Messages matching query, newest first, each with its highlight; roomId '' searches every room. */
  search(query: string, roomId: string, limit: number): Promise<Message[]>
  /** Renames a room for everyone in it; the newest rename wins. */
  renameRoom(roomId: string, name: string): Promise<Room>
  /** Sets the room's topic for everyone in it ('' clears it). */
  setTopic(roomId: string, topic: string): Promise<Room>
  /** When this room notifies you; kept on this node only. */
  setNotify(roomId: string, level: NotifyLevel): Promise<Room>
  /** Leaves a room and deletes its history from this node. */
  deleteRoomHistory(roomId: string): Promise<void>
  /** Tells the room you are typing; calls closer than a few seconds apart are dropped. */
  typing(roomId: string): Promise<void>
  /** Marks you away (idle) or back; others see it in their member lists. */
  setAway(away: boolean): Promise<void>
  /** Up to limit messages before the message `before` (newest when empty), oldest first. */
  history(roomId: string, before: string, limit: number): Promise<Message[]>
  /** Up to limit messages just after the message `after` (from the first when empty), oldest first. */
  historyAfter(roomId: string, after: string, limit: number): Promise<Message[]>
  /**
   * Up to limit messages around the time `at` (unix ms), oldest first, to jump
   * to a date: limit/2 sent before it, the rest from it on; a side with fewer
   * leaves its share to the other.
   */
  historyAround(roomId: string, at: number, limit: number): Promise<Message[]>
  markRead(roomId: string, messageId: string): Promise<void>
  members(roomId: string): Promise<Member[]>
  nearby(): Promise<NearbyPeer[]>
  peers(): Promise<Peer[]>
  /** The helper nodes in use, each with the rooms whose invite links named it. */
  helpers(): Promise<Helper[]>
  status(): Promise<Status>
  connect(addr: string): Promise<void>
  /**
   * Sets and saves how secure WebSocket dials to helpers go out, from the
   * next dial on; url (manual only) may carry user:password@, which the
   * answer never does. Rejects with a sentence for a URL or mode it refuses.
   */
  setProxy(mode: ProxyMode, url: string): Promise<ProxySetting>
  /**
   * The invite link Parley was last asked to open (at start, by a second
   * start, or by the system), once: null when there is none. Rejects with a
   * sentence for the user when the link is damaged.
   */
  pendingInvite(): Promise<InvitePreview | null>
  /** Tells the backend the UI has mounted and is showing data. */
  frontendReady(): Promise<void>
  copyText(text: string): Promise<void>
  /** Opens a link in the system browser, never inside the app. */
  openURL(url: string): void
  setTitle(title: string): void
  windowFocused(focused: boolean): void
  /** Calls fn for every backend event; returns the function that stops it. */
  on(fn: (e: BackendEvent) => void): () => void
}
