import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Me } from '@/api'

export const useIdentityStore = defineStore('identity', () => {
  const me = ref<Me | null>(null)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      me.value = await api.me()
      error.value = null
    } catch (err) {
      error.value = errorText(err)
    }
  }

  return { me: readonly(me), error: readonly(error), load }
})

// Wails rejects with the Go error's text as a plain string.
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
