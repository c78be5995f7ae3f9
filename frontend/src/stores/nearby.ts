import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type NearbyPeer } from '@/api'

export const useNearbyStore = defineStore('nearby', () => {
  const peers = ref<NearbyPeer[]>([])

  async function load(): Promise<void> {
    peers.value = await api.nearby()
  }

  return { peers: readonly(peers), load }
})
