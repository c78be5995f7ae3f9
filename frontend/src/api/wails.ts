// The backend inside the desktop window: Wails bindings to the Go app.
import * as app from './wailsjs/go/main/App'
import { BrowserOpenURL, ClipboardSetText, EventsOn, WindowSetTitle } from './wailsjs/runtime/runtime'
import type { Backend, BackendEvent, Member, Message, Peer, Status } from './types'

/** The Wails event that carries batches of BackendEvent (app.go). */
const eventsName = 'parley:events'

export const wailsBackend: Backend = {
  me: () => app.Me(),
  setName: (name) => app.SetName(name),
  rooms: () => app.Rooms(),
  createRoom: (name) => app.CreateRoom(name),
  joinRoom: (idOrLink, name) => app.JoinRoom(idOrLink, name),
  invite: (roomId) => app.Invite(roomId),
  leaveRoom: (id) => app.LeaveRoom(id),
  // The generated models type Message.state as a plain string; Go only ever
  // sets the DeliveryState values.
  send: (roomId, text) => app.Send(roomId, text) as Promise<Message>,
  history: (roomId, before, limit) => app.History(roomId, before, limit) as Promise<Message[]>,
  historyAfter: (roomId, after, limit) => app.HistoryAfter(roomId, after, limit) as Promise<Message[]>,
  markRead: (roomId, messageId) => app.MarkRead(roomId, messageId),
  // As with Message.state: the models type via, the network mode and the
  // reachability as plain strings; Go only sets the values in types.ts.
  members: (roomId) => app.Members(roomId) as Promise<Member[]>,
  nearby: () => app.Nearby(),
  peers: () => app.Peers() as Promise<Peer[]>,
  status: () => app.Status() as Promise<Status>,
  connect: (addr) => app.Connect(addr),
  frontendReady: () => app.FrontendReady(),
  copyText: async (text) => {
    if (!(await ClipboardSetText(text))) throw new Error('The clipboard refused the text')
  },
  openURL: (url) => BrowserOpenURL(url),
  setTitle: (title) => WindowSetTitle(title),
  windowFocused: (focused) => void app.WindowFocused(focused),
  on: (fn) => EventsOn(eventsName, (batch: BackendEvent[]) => batch.forEach(fn)),
}
