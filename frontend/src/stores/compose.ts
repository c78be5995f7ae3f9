import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Message } from '@/api'

/**
 * What the composer of a room is doing beyond writing a new message. An
 * edit keeps its own text: the room's draft waits untouched until the edit
 * is saved or cancelled.
 */
export type ComposeMode = { kind: 'reply'; target: Message } | { kind: 'edit'; target: Message; text: string }

/**
 * The composer's mode per room: answering a message, or correcting one of
 * yours. The message list starts a mode, the composer shows and ends it.
 */
export const useComposeStore = defineStore('compose', () => {
  const modes = ref<Record<string, ComposeMode>>({})

  function startReply(roomId: string, target: Message): void {
    modes.value[roomId] = { kind: 'reply', target }
  }

  function startEdit(roomId: string, target: Message): void {
    modes.value[roomId] = { kind: 'edit', target, text: target.text }
  }

  /** The text of the edit under way in a room, as the user changes it. */
  function setEditText(roomId: string, text: string): void {
    const mode = modes.value[roomId]
    if (mode?.kind === 'edit') mode.text = text
  }

  function modeOf(roomId: string): ComposeMode | undefined {
    return modes.value[roomId]
  }

  /** Back to writing a new message. */
  function clear(roomId: string): void {
    delete modes.value[roomId]
  }

  return { modes, startReply, startEdit, setEditText, modeOf, clear }
})
