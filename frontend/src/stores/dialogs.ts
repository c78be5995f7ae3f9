import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Member } from '@/api'

/** The dialogs of the main window; one is open at a time. */
export type DialogName = 'create' | 'join' | 'details' | 'about' | 'access' | 'leave' | 'rename' | 'topic' | 'jump'

/**
 * Which dialog is open, so that whatever asks for one (the sidebar, the room
 * header, the status bar, a menu) need not know who shows it.
 */
export const useDialogsStore = defineStore('dialogs', () => {
  const open = ref<DialogName | null>(null)
  /** Whose profile card is open. */
  const profile = ref<Member | null>(null)
  /** The name a new room starts with (typed on the welcome screen). */
  const createName = ref('')

  function show(name: DialogName): void {
    open.value = name
  }

  function close(): void {
    open.value = null
  }

  function askCreate(name = ''): void {
    createName.value = name
    open.value = 'create'
  }

  return { open, profile, createName, show, close, askCreate }
})
