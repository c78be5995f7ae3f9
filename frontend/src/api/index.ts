// The one door between the UI and the Parley backend. Components and stores
// import from here only; nothing else knows about the Wails bindings.
import * as backend from './wailsjs/go/main/App'
import { ClipboardSetText } from './wailsjs/runtime/runtime'

/** The local user's identity. */
export interface Me {
  /** Full libp2p peer ID: the user's stable identity. */
  peerId: string
  /** Short fingerprint shown next to the display name. */
  shortId: string
}

export const api = {
  me: (): Promise<Me> => backend.Me(),
  /** Tells the backend the UI has mounted and is showing data. */
  frontendReady: (): Promise<void> => backend.FrontendReady(),
  copyText: async (text: string): Promise<void> => {
    if (!(await ClipboardSetText(text))) {
      throw new Error('The clipboard refused the text')
    }
  },
}

export type Api = typeof api
