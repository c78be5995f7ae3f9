import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Member, type Role } from '@/api'
import { newestOnly } from './newest'

export const useMembersStore = defineStore('members', () => {
  const members = ref<Member[]>([])
  const roomId = ref<string | null>(null)

  const fetch = newestOnly(
    async (id: string | null) => (id ? api.members(id) : []),
    (list) => (members.value = list),
  )

  /** Shows the members of room id (none for null); the newest call wins. */
  async function load(id: string | null): Promise<void> {
    roomId.value = id
    await fetch(id)
  }

  async function reload(): Promise<void> {
    await load(roomId.value)
  }

  /**
   * The node is out of reach: nobody can be said to be online. The next
   * load after it is back says who is.
   */
  function presenceUnknown(): void {
    members.value = members.value.map((m) => (m.me ? m : { ...m, online: false, via: '', presence: 'offline' }))
  }

  /** Gives a member of a private room a role (owner only); the list shows it once the node has it. */
  async function setRole(room: string, peerId: string, role: Exclude<Role, ''>): Promise<void> {
    await api.setRole(room, peerId, role)
    if (roomId.value === room) await reload()
  }

  /** Removes someone from a private room; the list shows it once the node has it. */
  async function remove(room: string, peerId: string): Promise<void> {
    await api.removeMember(room, peerId)
    if (roomId.value === room) await reload()
  }

  return { members: readonly(members), roomId: readonly(roomId), load, reload, presenceUnknown, setRole, remove }
})
