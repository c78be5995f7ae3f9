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

export interface Room {
  id: string
  name: string
  /** Messages after lastRead (capped at 1000). */
  unread: number
  /** ID of the newest message the user has seen; empty if none. */
  lastRead: string
  /** Wall time of the newest message, unix ms; 0 if none. */
  lastActivity: number
}

/**
 * What the user sees of an own message: sending (not yet stored), sent (a
 * peer was given it), stored (nobody online yet; it goes out when someone
 * joins), failed (not stored; the reason is kept).
 */
export type DeliveryState = 'sending' | 'sent' | 'stored' | 'failed'


export interface Message {
  id: string
  room: string
  author: string
  authorShort: string
  authorName: string
  /** Ordering key: fixed-width decimal, compare as text. */
  time: string
  /** Wall time in unix milliseconds. */
  sentAt: number
  text: string
  mine: boolean
  replyTo?: string
  /** Set on messages just sent (by the backend: sent or stored). */
  state?: DeliveryState
}

/**
 * How a peer is connected: over the local network, directly over the
 * internet, directly after both sides' routers were punched through, or
 * through a relay; '' when not connected.
 */
export type Via = 'lan' | 'direct' | 'holepunched' | 'relayed' | ''

export interface Member {
  peerId: string
  shortId: string
  name: string
  online: boolean
  me: boolean
  /** How an online member is reached; '' otherwise. */
  via: Via
}

/** A change announced by the backend. */
export type BackendEvent =
  | { name: 'message'; data: Message }
  | { name: 'profile'; data: { peerId: string; shortId: string; name: string } }
  | { name: 'delivered'; data: { id: string; room: string } }
  | { name: 'sync'; data: SyncProgress }
  /** A history sync stored count messages of a room at once (one batch). */
  | { name: 'arrived'; data: { room: string; count: number } }
  /** status: how this node is reachable may have changed. */
  | { name: 'rooms' | 'members' | 'nearby' | 'status' | 'lagged'; data: null }

export interface NearbyRoom {
  id: string
  name: string
  joined: boolean
}

export interface NearbyPeer {
  peerId: string
  shortId: string
  name: string
  connected: boolean
  lan: boolean
  rooms: readonly NearbyRoom[]
}

export interface Peer {
  peerId: string
  shortId: string
  name: string
  lan: boolean
  via: Via
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
}

/** Everything the UI can ask of a Parley node. */
export interface Backend {
  me(): Promise<Me>
  setName(name: string): Promise<Me>
  rooms(): Promise<Room[]>
  createRoom(name: string): Promise<Room>
  /** Joins by room ID or invite link; an empty name takes the link's (or a placeholder). */
  joinRoom(idOrLink: string, name: string): Promise<Room>
  /** A parley://join/ link that lets someone else join a joined room. */
  invite(roomId: string): Promise<string>
  leaveRoom(id: string): Promise<void>
  send(roomId: string, text: string): Promise<Message>
  /** Up to limit messages before the message `before` (newest when empty), oldest first. */
  history(roomId: string, before: string, limit: number): Promise<Message[]>
  /** Up to limit messages just after the message `after` (from the first when empty), oldest first. */
  historyAfter(roomId: string, after: string, limit: number): Promise<Message[]>
  markRead(roomId: string, messageId: string): Promise<void>
  members(roomId: string): Promise<Member[]>
  nearby(): Promise<NearbyPeer[]>
  peers(): Promise<Peer[]>
  status(): Promise<Status>
  connect(addr: string): Promise<void>
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
