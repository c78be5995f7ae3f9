import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const storageKey = 'parley.drafts'

function restore(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '{}')
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {}
  } catch {
    return {}
  }
}

/** What the user has typed but not sent, per room: nothing typed is lost. */
export const useDraftsStore = defineStore('drafts', () => {
  const drafts = ref<Record<string, string>>(restore())

  watch(drafts, (d) => localStorage.setItem(storageKey, JSON.stringify(d)), { deep: true })

  function get(roomId: string): string {
    return drafts.value[roomId] ?? ''
  }

  function set(roomId: string, text: string): void {
    if (text === '') delete drafts.value[roomId]
    else drafts.value[roomId] = text
  }

  return { drafts, get, set }
})
