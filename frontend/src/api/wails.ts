// The backend inside the desktop window: Wails bindings to the Go app.
import * as app from './wailsjs/go/main/App'
import { ClipboardSetText, EventsOn } from './wailsjs/runtime/runtime'
import type { Backend, BackendEvent } from './types'

/** The Wails event that carries batches of BackendEvent (app.go). */
const eventsName = 'parley:events'

export const wailsBackend: Backend = {
  me: () => app.Me(),
  setName: (name) => app.SetName(name),
  rooms: () => app.Rooms(),
  createRoom: (name) => app.CreateRoom(name),
  joinRoom: (id, name) => app.JoinRoom(id, name),
  leaveRoom: (id) => app.LeaveRoom(id),
  send: (roomId, text) => app.Send(roomId, text),
  history: (roomId, before, limit) => app.History(roomId, before, limit),
  members: (roomId) => app.Members(roomId),
  nearby: () => app.Nearby(),
  peers: () => app.Peers(),
  status: () => app.Status(),
  connect: (addr) => app.Connect(addr),
  frontendReady: () => app.FrontendReady(),
  copyText: async (text) => {
    if (!(await ClipboardSetText(text))) throw new Error('The clipboard refused the text')
  },
  on: (fn) => EventsOn(eventsName, (batch: BackendEvent[]) => batch.forEach(fn)),
}
