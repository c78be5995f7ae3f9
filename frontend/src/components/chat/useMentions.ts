import { computed, nextTick, ref, type Ref } from 'vue'
import type { Member } from '@/api'
import { useMembersStore } from '@/stores/members'

/** The most members the mention list offers at once. */
const mentionOptions = 8

/** The mention being typed: where its @ is and what follows it up to the caret. */
export interface Mention {
  at: number
  query: string
}

/** The mention the caret is in, if any: an @ at a word's start, on this line, at most 40 back. */
export function mentionAt(value: string, caret: number): Mention | null {
  for (let i = caret - 1; i >= 0 && caret - i <= 40; i--) {
    const c = value[i]!
    if (c === '\n') return null
    if (c === '@') {
      if (i > 0 && !/[\s(]/.test(value[i - 1]!)) return null
      const query = value.slice(i + 1, caret)
      return query.startsWith(' ') ? null : { at: i, query }
    }
  }
  return null
}

/**
 * @-completion in the composer: which members match what follows the @,
 * which one is active, and putting "@Name " in place when one is picked.
 */
export function useMentions(box: Ref<HTMLTextAreaElement | null>, text: Ref<string>, setText: (value: string) => void) {
  const members = useMembersStore()
  const mention = ref<Mention | null>(null)
  const active = ref(0)

  const options = computed<readonly Member[]>(() => {
    const m = mention.value
    if (!m) return []
    const q = m.query.toLowerCase()
    return members.members
      .filter((x) => !x.me && x.name !== '')
      .filter((x) => {
        const name = x.name.toLowerCase()
        return name.startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q))
      })
      .slice(0, mentionOptions)
  })
  const pickerOpen = computed(() => options.value.length > 0)

  /** Finds the mention at the caret (none while text is selected). */
  function find(): void {
    const el = box.value
    if (!el || el.selectionStart !== el.selectionEnd) {
      mention.value = null
      return
    }
    const found = mentionAt(el.value, el.selectionStart)
    if (found?.query !== mention.value?.query || found?.at !== mention.value?.at) active.value = 0
    mention.value = found
  }

  /** Puts "@Name " in place of the @ and what was typed after it. */
  async function pick(member: Member): Promise<void> {
    const m = mention.value
    const el = box.value
    if (!m || !el) return
    const end = m.at + 1 + m.query.length
    const inserted = `@${member.name} `
    const value = text.value.slice(0, m.at) + inserted + text.value.slice(end)
    mention.value = null
    setText(value)
    await nextTick()
    el.focus()
    const caret = m.at + inserted.length
    el.setSelectionRange(caret, caret)
  }

  function close(): void {
    mention.value = null
  }

  /**
   * The list's keys while it is open: arrows move, Enter or Tab picks,
   * Escape closes. True when the key was the list's.
   */
  function onKey(e: KeyboardEvent): boolean {
    const n = options.value.length
    if (n === 0) return false
    switch (e.key) {
      case 'ArrowDown':
        active.value = (active.value + 1) % n
        break
      case 'ArrowUp':
        active.value = (active.value - 1 + n) % n
        break
      case 'Enter':
      case 'Tab':
        if (e.shiftKey) return false
        void pick(options.value[Math.min(active.value, n - 1)]!)
        break
      case 'Escape':
        e.stopPropagation()
        close()
        break
      default:
        return false
    }
    e.preventDefault()
    return true
  }

  return { mention, active, options, pickerOpen, find, pick, close, onKey }
}
