import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type NearbyPeer } from '@/api'
import { newestOnly } from './newest'

export const useNearbyStore = defineStore('nearby', () => {
  const peers = ref<NearbyPeer[]>([])

  const load = newestOnly(
    () => api.nearby(),
    (list) => (peers.value = list),
  )

  return { peers: readonly(peers), load }
})
