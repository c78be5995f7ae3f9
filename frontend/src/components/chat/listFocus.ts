import { computed, nextTick, onUnmounted, ref, watch, type Ref } from 'vue'
import { useMessagesStore, type RoomView } from '@/stores/messages'
import type { ListVirtualizer } from './listScroll'
import { arrowTarget, type Row } from './rows'

/**
 * The message list by keyboard: one message is the list's stop in the Tab
 * order; the arrows, Home and End move between messages.
 */
export function useListFocus(scroller: Ref<HTMLElement | null>, rows: Ref<readonly Row[]>, virtualizer: ListVirtualizer) {
  /** The message that has (or last had) the focus. */
  const focusId = ref<string | null>(null)

  /** The Tab stop: the focused message if it is drawn, else the newest drawn one. */
  const tabStopId = computed(() => {
    const drawn = virtualizer.value
      .getVirtualItems()
      .map((v) => rows.value[v.index])
      .filter((r) => r?.kind === 'message')
    if (focusId.value && drawn.some((r) => r!.key === focusId.value)) return focusId.value
    return drawn.at(-1)?.key ?? null
  })

  function rowElement(id: string): HTMLElement | null {
    return scroller.value?.querySelector<HTMLElement>(`article[data-id="${CSS.escape(id)}"]`) ?? null
  }

  /** Focuses a message, scrolling it into the drawn range first if needed. */
  async function focusMessage(id: string, scroll = true): Promise<void> {
    focusId.value = id
    let el = rowElement(id)
    if (!el && scroll) {
      const index = rows.value.findIndex((r) => r.key === id)
      if (index < 0) return
      virtualizer.value.scrollToIndex(index, { align: 'auto' })
      // Drawn within a frame or two, once the virtualizer sees the scroll.
      for (let i = 0; i < 10 && !el; i++) {
        await new Promise((r) => requestAnimationFrame(r))
        el = rowElement(id)
      }
    }
    el?.focus({ preventScroll: !scroll })
  }

  function onFocusIn(e: FocusEvent): void {
    const article = (e.target as HTMLElement).closest?.('article[data-id]')
    if (article instanceof HTMLElement && article.dataset.id) focusId.value = article.dataset.id
  }

  function onKeydown(e: KeyboardEvent): void {
    const target = e.target as HTMLElement
    if (target.tagName !== 'ARTICLE' || !target.dataset.id) return
    const ids = rows.value.filter((r) => r.kind === 'message').map((r) => r.key)
    const at = ids.indexOf(target.dataset.id)
    const next = arrowTarget(e.key, at, ids.length)
    if (next === null) return
    e.preventDefault()
    if (next >= 0 && next !== at) void focusMessage(ids[next]!)
  }

  return { tabStopId, rowElement, focusMessage, onFocusIn, onKeydown }
}

/**
 * A jump to a message (a reply's original, a search hit): the list scrolls
 * to it, focuses it, and it flashes for a moment. Gives the ID flashing.
 */
export function useJumpFlash(opts: {
  view: () => RoomView
  roomId: () => string
  rows: Ref<readonly Row[]>
  virtualizer: ListVirtualizer
  focusMessage: (id: string) => Promise<void>
  /** Tells the scrolling that the jump placed this view. */
  placed: (view: RoomView) => void
}): Ref<string | null> {
  const messages = useMessagesStore()
  const flashId = ref<string | null>(null)
  let flashTimer: ReturnType<typeof setTimeout> | undefined

  watch(
    () => [opts.view(), opts.view().highlightId, opts.view().loading] as const,
    async ([view, id, loading]) => {
      if (!id || loading) return
      opts.placed(view)
      await nextTick()
      messages.clearHighlight(opts.roomId())
      const index = opts.rows.value.findIndex((r) => r.key === id)
      if (index < 0) return
      opts.virtualizer.value.scrollToIndex(index, { align: 'center' })
      flashId.value = id
      clearTimeout(flashTimer)
      flashTimer = setTimeout(() => (flashId.value = null), 2000)
      await opts.focusMessage(id)
    },
    { immediate: true },
  )
  onUnmounted(() => clearTimeout(flashTimer))
  return flashId
}
