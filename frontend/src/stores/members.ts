import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Member } from '@/api'

export const useMembersStore = defineStore('members', () => {
  const members = ref<Member[]>([])
  const roomId = ref<string | null>(null)

  async function load(id: string | null): Promise<void> {
    roomId.value = id
    members.value = id ? await api.members(id) : []
  }

  async function reload(): Promise<void> {
    await load(roomId.value)
  }

  return { members: readonly(members), load, reload }
})
