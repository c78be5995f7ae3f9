import { computed, nextTick, watch } from 'vue'
import { useDraftsStore } from '@/stores/drafts'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore } from '@/stores/messages'
import { useNoticesStore } from '@/stores/notices'
import { useRoomsStore } from '@/stores/rooms'

/**
 * The open room: loads it (and its members) whenever another room is
 * picked, puts the focus in its composer when that is what the user
 * expects, and runs what the message list asks for as it scrolls.
 */
export function useRoomSession(focusComposer: () => void) {
  const rooms = useRoomsStore()
  const messages = useMessagesStore()
  const members = useMembersStore()
  const drafts = useDraftsStore()
  const notices = useNoticesStore()

  const current = computed(() => rooms.current)
  const view = computed(() => (current.value ? messages.views[current.value.id] : undefined))
  const unsent = computed(() => (current.value ? (messages.unsent[current.value.id] ?? []) : []))
  const draft = computed({
    get: () => (current.value ? drafts.get(current.value.id) : ''),
    set: (text: string) => current.value && drafts.set(current.value.id, text),
  })

  /** Set while the user creates or joins a room: it opens in the composer. */
  let focusOnOpen = false
  async function opening<T>(action: () => Promise<T>): Promise<T> {
    focusOnOpen = true
    try {
      return await action()
    } catch (err) {
      focusOnOpen = false
      throw err
    }
  }

  watch(
    () => rooms.currentId,
    async (id) => {
      const focused = document.activeElement
      // Runs without the user asking: a failure is a toast, never in the
      // place of an error the user is reading.
      try {
        const room = current.value
        if (room) await messages.open(room)
        await members.load(id)
      } catch (err) {
        notices.error(err)
      }
      await nextTick()
      // Into the composer, unless a dialog (first run, room switcher) has
      // the focus, the user is typing somewhere else, or moved the focus
      // while the room loaded (opened its menu, say: taking the focus
      // would close it under the pointer). A room the user just created or
      // joined takes the focus from where they did it.
      const asked = focusOnOpen
      focusOnOpen = false
      if (!document.querySelector('[role="dialog"]') && (asked || (!typingElsewhere() && !movedSince(focused)))) focusComposer()
    },
    { immediate: true },
  )

  /** Opens a message in its room, from search or the switcher. */
  async function openMessage(roomId: string, messageId: string): Promise<void> {
    rooms.select(roomId)
    try {
      await messages.openAt(roomId, messageId)
    } catch (err) {
      notices.error(err)
    }
  }

  /** The room above or below the open one in the sidebar (Alt+Up, Alt+Down). */
  function step(by: -1 | 1): void {
    const list = rooms.ordered
    if (list.length === 0) return
    const at = list.findIndex((r) => r.id === rooms.currentId)
    const next = at < 0 ? (by > 0 ? 0 : list.length - 1) : (at + by + list.length) % list.length
    rooms.select(list[next]!.id)
  }

  return { current, view, unsent, draft, opening, openMessage, step }
}

/** Whether the focus is in a text field other than the composer. */
function typingElsewhere(): boolean {
  const el = document.activeElement
  if (!el || el.closest('[data-testid="composer"]')) return false
  return el.matches('textarea, [contenteditable="true"], input:not([type]), input[type="text"], input[type="search"]')
}

/** Whether the user put the focus somewhere since el had it. */
function movedSince(el: Element | null): boolean {
  const now = document.activeElement
  return now !== null && now !== el && now !== document.body
}
