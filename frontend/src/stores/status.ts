import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Peer, type Status } from '@/api'

/** The network state the status bar shows. */
export const useStatusStore = defineStore('status', () => {
  const status = ref<Status | null>(null)
  const peers = ref<Peer[]>([])

  async function load(): Promise<void> {
    const [s, p] = await Promise.all([api.status(), api.peers()])
    status.value = s
    peers.value = p
  }

  return { status: readonly(status), peers: readonly(peers), load }
})
