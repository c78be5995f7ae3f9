import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, errorText, type Me } from '@/api'
import { newestOnly } from './newest'

export const useIdentityStore = defineStore('identity', () => {
  const me = ref<Me | null>(null)
  const error = ref<string | null>(null)

  const fetchMe = newestOnly(
    () => api.me(),
    (m) => (me.value = m),
  )

  async function load(): Promise<void> {
    try {
      await fetchMe()
      error.value = null
    } catch (err) {
      error.value = errorText(err)
    }
  }

  /** Sets the display name; rejects with the backend's reason. */
  async function setName(name: string): Promise<void> {
    me.value = await api.setName(name)
  }

  return { me: readonly(me), error: readonly(error), load, setName }
})
