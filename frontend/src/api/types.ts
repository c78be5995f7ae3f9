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
}

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
}

export interface Member {
  peerId: string
  shortId: string
  name: string
  online: boolean
  me: boolean
}

/** A change announced by the backend. */
export type BackendEvent =
  | { name: 'message'; data: Message }
  | { name: 'profile'; data: { peerId: string; shortId: string; name: string } }
  | { name: 'rooms' | 'members' | 'nearby' | 'lagged'; data: null }

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
}

export interface Status {
  peerId: string
  network: string
  peers: number
  mdns: boolean
  addrs: readonly string[]
}

/** Everything the UI can ask of a Parley node. */
export interface Backend {
  me(): Promise<Me>
  setName(name: string): Promise<Me>
  rooms(): Promise<Room[]>
  createRoom(name: string): Promise<Room>
  joinRoom(id: string, name: string): Promise<Room>
  leaveRoom(id: string): Promise<void>
  send(roomId: string, text: string): Promise<Message>
  /** Up to limit messages before the message `before` (newest when empty), oldest first. */
  history(roomId: string, before: string, limit: number): Promise<Message[]>
  members(roomId: string): Promise<Member[]>
  nearby(): Promise<NearbyPeer[]>
  peers(): Promise<Peer[]>
  status(): Promise<Status>
  connect(addr: string): Promise<void>
  /** Tells the backend the UI has mounted and is showing data. */
  frontendReady(): Promise<void>
  copyText(text: string): Promise<void>
  /** Calls fn for every backend event; returns the function that stops it. */
  on(fn: (e: BackendEvent) => void): () => void
}
