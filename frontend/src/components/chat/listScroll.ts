import { computed, nextTick, onMounted, onUnmounted, ref, watch, type Ref } from 'vue'
import { useVirtualizer } from '@tanstack/vue-virtual'
import type { RoomView } from '@/stores/messages'
import type { Row } from './rows'

/** What the list tells its parent as the user scrolls. */
export interface ScrollEvents {
  older(): void
  newer(): void
  read(messageId: string): void
  follow(following: boolean): void
}

/**
 * The message list's scrolling: the virtual rows, paging older and newer
 * messages in as the user nears an edge, where a room opens (the unread
 * divider, else the newest message), keeping the place as rows go above,
 * and following the newest message while the user is at the bottom.
 */
export function useListScroll(view: () => RoomView, rows: Ref<readonly Row[]>, on: ScrollEvents) {
  const scroller = ref<HTMLElement | null>(null)

  const virtualizer = useVirtualizer(
    computed(() => ({
      count: rows.value.length,
      getScrollElement: () => scroller.value,
      estimateSize: () => 44,
      // A first guess until the element is measured (and the size used where
      // nothing can be measured, as in unit tests).
      initialRect: { width: 800, height: 600 },
      // Rows kept beyond each edge of the viewport. Every row is live DOM the
      // web process holds and lays out: 4 instead of 12 saved about 7 MB there
      // with a 100,000-message room open.
      overscan: 4,
      getItemKey: (i: number) => rows.value[i]!.key,
    })),
  )

  // Vue calls a function ref on every render of the list. Each row is
  // measured once, when it appears; the virtualizer's ResizeObserver sees
  // later changes. Measuring every row on every render forced a layout per
  // row each time a message arrived.
  const measured = new WeakSet<Element>()
  function measure(el: unknown): void {
    if (!(el instanceof Element) || measured.has(el)) return
    measured.add(el)
    virtualizer.value.measureElement(el)
  }

  /** The newest message in view, once the user is at the bottom. */
  function reportRead(): void {
    const v = view()
    if (!v.following || v.hasNewer) return
    const last = v.items[v.items.length - 1]
    if (last) on.read(last.id)
  }

  // Scrolling done here (to the newest message) is not the user leaving the
  // bottom, whatever the scroll events say while rows are measured. A scroll
  // just after a wheel turn, a touch, a key or a press on the scroll bar is
  // the user's, and always counts.
  let scrollingToEnd = 0
  let userUntil = 0
  let pointerHeld = false
  function userScrolls(): void {
    userUntil = performance.now() + 500
    // A scroll to the newest message still settling must not pull the user back.
    virtualizer.value.cancelScroll()
  }
  function onPointer(down: boolean): void {
    pointerHeld = down
    userScrolls()
  }

  // The row at the top of the view when older messages were asked for, and
  // how far below the top it was: the view stays put on it as rows go above.
  let anchor: { key: string; delta: number } | null = null

  function requestOlder(el: HTMLElement): void {
    // From the measurements, not the rendered range: this handler may run
    // before the virtualizer has seen the scroll.
    // Anchor on a message: day headings keep their key as rows go above.
    const top = virtualizer.value.getVirtualItemForOffset(el.scrollTop)
    let index = top?.index ?? -1
    while (index >= 0 && index < rows.value.length && rows.value[index]!.kind !== 'message') index++
    const start = index >= 0 ? virtualizer.value.getOffsetForIndex(index, 'start')?.[0] : undefined
    anchor = start !== undefined ? { key: rows.value[index]!.key, delta: start - el.scrollTop } : null
    on.older()
  }

  function onScroll(): void {
    const el = scroller.value
    if (!el) return
    const v = view()
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 60
    if (scrollingToEnd === 0 || pointerHeld || performance.now() < userUntil) {
      const following = nearBottom && !v.hasNewer
      if (following !== v.following) on.follow(following)
    }
    if (el.scrollTop < 400 && v.hasOlder && !v.loading) requestOlder(el)
    if (nearBottom && v.hasNewer && !v.loading) on.newer()
    reportRead()
  }

  function scrollToEnd(): void {
    if (rows.value.length === 0) return
    scrollingToEnd++
    virtualizer.value.scrollToIndex(rows.value.length - 1, { align: 'end' })
    // The virtualizer corrects the place over the next frames as rows are measured.
    requestAnimationFrame(() => requestAnimationFrame(() => scrollingToEnd--))
  }

  // Opening a room (a new view object): once loaded, jump to the unread
  // divider, else to the newest message. Later loads of pages keep the place.
  let placed: RoomView | null = null
  watch(
    () => [view(), view().loading] as const,
    async ([v, loading]) => {
      if (loading || v === placed) return
      placed = v
      if (v.highlightId) return // the jump to the marked message places it
      await nextTick()
      const divider = rows.value.findIndex((r) => r.kind === 'unread')
      if (divider >= 0) virtualizer.value.scrollToIndex(divider, { align: 'start' })
      else if (v.hasNewer) virtualizer.value.scrollToIndex(0, { align: 'start' }) // opened at the first message
      else scrollToEnd()
      await nextTick()
      onScroll()
    },
    { immediate: true },
  )

  // Keep the place when older messages are put above, and follow new messages
  // when the user is at the bottom.
  watch(
    () => [view().items[0]?.id, view().items[view().items.length - 1]?.id, view().following] as const,
    async () => {
      const v = view()
      if (v.loading || v !== placed) return
      await nextTick()
      const index = anchor ? rows.value.findIndex((r) => r.key === anchor!.key) : -1
      if (anchor && index >= 0) {
        const start = virtualizer.value.getOffsetForIndex(index, 'start')?.[0] ?? 0
        virtualizer.value.scrollToOffset(start - anchor.delta)
      } else if (v.following) {
        scrollToEnd()
      }
      anchor = null
      reportRead()
    },
  )

  // Following the newest message, stay at the bottom when something below the
  // top changes size: a row grows (reactions, an edit, a reply quote that
  // loads) or the list gets shorter (the composer grows). The virtualizer
  // keeps the place for rows above the top only, so without this the newest
  // message would slide out of view.
  function keepAtEnd(): void {
    const v = view()
    const el = scroller.value
    if (!el || !v.following || v.hasNewer || v.loading || v !== placed || anchor) return
    if (el.scrollHeight - el.scrollTop - el.clientHeight >= 1) scrollToEnd()
  }
  let resizes: ResizeObserver | null = null
  onMounted(() => {
    if (typeof ResizeObserver === 'undefined' || !scroller.value) return
    resizes = new ResizeObserver(keepAtEnd)
    resizes.observe(scroller.value)
    const canvas = scroller.value.querySelector('.canvas')
    if (canvas) resizes.observe(canvas)
  })
  onUnmounted(() => resizes?.disconnect())

  return {
    scroller,
    virtualizer,
    measure,
    userScrolls,
    onPointer,
    onScroll,
    scrollToEnd,
    /** A jump to a marked message placed this view: opening it goes nowhere else. */
    placed: (v: RoomView): void => {
      placed = v
    },
  }
}

/** The virtual list's state, for the parts that scroll to a row. */
export type ListVirtualizer = ReturnType<typeof useListScroll>['virtualizer']
