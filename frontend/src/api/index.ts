// The one door between the UI and the Parley backend. Components and stores
// import from here only; nothing else knows about the Wails bindings.
import * as backend from './wailsjs/go/main/App'
import { ClipboardSetText, EventsOn } from './wailsjs/runtime/runtime'

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
  | { name: 'rooms' | 'members' | 'lagged'; data: null }

/** The Wails event that carries batches of BackendEvent. */
const eventsName = 'parley:events'

export const api = {
  me: (): Promise<Me> => backend.Me(),
  setName: (name: string): Promise<Me> => backend.SetName(name),
  rooms: (): Promise<Room[]> => backend.Rooms(),
  createRoom: (name: string): Promise<Room> => backend.CreateRoom(name),
  joinRoom: (id: string, name: string): Promise<Room> => backend.JoinRoom(id, name),
  leaveRoom: (id: string): Promise<void> => backend.LeaveRoom(id),
  send: (roomId: string, text: string): Promise<Message> => backend.Send(roomId, text),
  /** Up to limit messages before the message `before` (newest when empty), oldest first. */
  history: (roomId: string, before: string, limit: number): Promise<Message[]> =>
    backend.History(roomId, before, limit),
  members: (roomId: string): Promise<Member[]> => backend.Members(roomId),
  connect: (addr: string): Promise<void> => backend.Connect(addr),
  /** Tells the backend the UI has mounted and is showing data. */
  frontendReady: (): Promise<void> => backend.FrontendReady(),
  copyText: async (text: string): Promise<void> => {
    if (!(await ClipboardSetText(text))) {
      throw new Error('The clipboard refused the text')
    }
  },
  /** Calls fn for every backend event; returns the function that stops it. */
  on: (fn: (e: BackendEvent) => void): (() => void) =>
    EventsOn(eventsName, (batch: BackendEvent[]) => batch.forEach(fn)),
}

export type Api = typeof api

/** The text of a rejected call: Wails rejects with the Go error's text. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
