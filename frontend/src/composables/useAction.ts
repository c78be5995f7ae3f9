import { ref } from 'vue'
import { errorText } from '@/api'

/**
 * One user action and its outcome, for the control that starts it: busy
 * while it runs, and its failure as one sentence to show beside the
 * control. The error stays until the action runs again or clear() is
 * called (the user changed the input or dismissed it); nothing else that
 * succeeds meanwhile wipes it.
 */
export function useAction() {
  const busy = ref(false)
  const error = ref<string | null>(null)

  /** Runs fn unless a run is under way; true when it succeeded. */
  async function run(fn: () => Promise<unknown>): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    error.value = null
    try {
      await fn()
      return true
    } catch (err) {
      error.value = errorText(err)
      return false
    } finally {
      busy.value = false
    }
  }

  function clear(): void {
    error.value = null
  }

  return { busy, error, run, clear }
}
