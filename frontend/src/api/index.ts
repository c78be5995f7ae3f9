// The one door between the UI and a Parley node. Components and stores
// import from here only. Inside the desktop window it talks to the Wails
// bindings; in a browser, to a headless node's HTTP API.
import { httpBackend } from './http'
import type { Backend } from './types'
import { wailsBackend } from './wails'

export type * from './types'

function inWails(): boolean {
  return typeof window !== 'undefined' && 'go' in window
}

export const api: Backend = inWails() ? wailsBackend : httpBackend

/** The text of a rejected call: Wails rejects with the Go error's text. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
