import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Member, type Room } from '@/api'
import { newestOnly } from './newest'

/**
 * The other person of each direct conversation, as its member list has
 * them: who they are (to block them from a request) and whether they are
 * online (the sidebar's dot). One Members call per conversation, asked
 * again when the rooms or anyone's presence change.
 */
export const useDirectStore = defineStore('direct', () => {
  const others = ref<Record<string, Member>>({})

  const fetch = newestOnly(
    async (rooms: readonly Room[]) => {
      const direct = rooms.filter((r) => r.direct && !r.pending)
      const lists = await Promise.all(direct.map((r) => api.members(r.id).catch(() => [] as Member[])))
      const out: Record<string, Member> = {}
      direct.forEach((r, i) => {
        const other = lists[i]!.find((m) => !m.me)
        if (other) out[r.id] = other
      })
      return out
    },
    (found) => (others.value = found),
  )

  /** Reads the other person of every direct conversation among rooms. */
  async function load(rooms: readonly Room[]): Promise<void> {
    if (!rooms.some((r) => r.direct) && Object.keys(others.value).length === 0) return
    await fetch(rooms)
  }

  /** The other person of a direct conversation, once known. */
  function otherOf(roomId: string): Member | undefined {
    return others.value[roomId]
  }

  return { others: readonly(others), load, otherOf }
})
