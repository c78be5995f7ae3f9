import { api, type Message } from '@/api'
import { useComposeStore, type ComposeMode } from '@/stores/compose'
import { useMessagesStore } from '@/stores/messages'

/** Typing is announced at most this often (the backend drops closer calls too). */
const typingEveryMs = 3000

/**
 * What the composer sends besides new messages: typing hints, and its modes'
 * reply, edit and delete. Each of those puts the backend's answer in the
 * messages store and ends the mode it came from.
 */
export function useComposeActions() {
  const compose = useComposeStore()
  const messages = useMessagesStore()
  const lastTyping = new Map<string, number>()

  /** Tells the room you are typing, at most once per typingEveryMs. */
  function typing(roomId: string, value: string): void {
    if (value.trim() === '' || !roomId) return
    const now = Date.now()
    if (now - (lastTyping.get(roomId) ?? -Infinity) < typingEveryMs) return
    lastTyping.set(roomId, now)
    api.typing(roomId).catch(() => {
      // Only a hint for others: a lost one does no harm.
    })
  }

  /** A message went out: what is typed next is new typing. */
  function typingEnded(roomId: string): void {
    lastTyping.delete(roomId)
  }

  /** Your newest message in the loaded view of the room that can still be edited. */
  function lastOwn(roomId: string): Message | undefined {
    const items = messages.views[roomId]?.items ?? []
    for (let i = items.length - 1; i >= 0; i--) {
      const m = items[i]!
      if (m.mine && !m.deleted && m.kind === 'text') return m
    }
    return undefined
  }

  async function reply(roomId: string, mode: ComposeMode, value: string): Promise<void> {
    const sent = await api.reply(roomId, mode.target.id, value)
    // What you write you want to see: back to the newest message.
    const view = messages.views[roomId]
    if (view?.hasNewer) await messages.showLatest(roomId)
    else if (view) messages.follow(roomId, true)
    messages.add(sent)
    if (compose.modeOf(roomId) === mode) compose.clear(roomId)
  }

  async function saveEdit(roomId: string, target: Message, value: string): Promise<void> {
    if (value !== target.text) messages.change(await api.edit(roomId, target.id, value))
    compose.clear(roomId)
  }

  async function remove(roomId: string, target: Message): Promise<void> {
    messages.change(await api.deleteMessage(roomId, target.id))
    compose.clear(roomId)
  }

  return { typing, typingEnded, lastOwn, reply, saveEdit, remove }
}
