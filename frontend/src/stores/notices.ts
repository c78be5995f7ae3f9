import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { errorText } from '@/api'

export interface Notice {
  id: number
  text: string
  kind: 'info' | 'error'
}

/** How long a confirmation ("Invite link copied") stays up. */
export const infoMs = 3000
/** Errors of what ran without the user asking stay longer, and until dismissed if hovered. */
export const errorMs = 10_000
/** At most this many notices at once: the oldest goes first. */
const maxNotices = 3

/**
 * Toasts: short notices that float over the window and move nothing in it.
 * A failure of something the user started shows beside its control
 * instead; these are for confirmations and for what ran in the background.
 */
export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([])
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  let next = 1

  /** Shows a notice for ms, or until dismissed when ms is 0. */
  function show(text: string, kind: Notice['kind'], ms: number): number {
    const id = next++
    notices.value.push({ id, text, kind })
    while (notices.value.length > maxNotices) dismiss(notices.value[0]!.id)
    if (ms > 0) timers.set(id, setTimeout(() => dismiss(id), ms))
    return id
  }

  function dismiss(id: number): void {
    clearTimeout(timers.get(id))
    timers.delete(id)
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  return {
    notices: readonly(notices),
    /** A confirmation that something worked; a longer one may ask for more time. */
    info: (text: string, ms = infoMs) => show(text, 'info', ms),
    /** What a slow action is waiting for, until its caller dismisses it. */
    progress: (text: string) => show(text, 'info', 0),
    /** A failure of something that ran in the background. */
    error: (err: unknown) => show(errorText(err), 'error', errorMs),
    dismiss,
  }
})
