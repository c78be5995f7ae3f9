import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Peer, type Status, type SyncProgress } from '@/api'

/** The network state the status bar shows. */
export const useStatusStore = defineStore('status', () => {
  const status = ref<Status | null>(null)
  const peers = ref<Peer[]>([])

  async function load(): Promise<void> {
    const [s, p] = await Promise.all([api.status(), api.peers()])
    status.value = s
    peers.value = p
  }

  /** Sessions still running, by room and peer. */
  const syncs = ref<Record<string, SyncProgress>>({})

  function syncProgress(p: SyncProgress): void {
    const key = `${p.room}/${p.peerId}`
    if (p.done) delete syncs.value[key]
    else syncs.value[key] = p
  }

  return { status: readonly(status), peers: readonly(peers), syncs: readonly(syncs), load, syncProgress }
})
