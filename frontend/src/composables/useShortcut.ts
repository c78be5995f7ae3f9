import { onMounted, onUnmounted } from 'vue'

/** Calls fn on Ctrl+key (Cmd+key on macOS) while the component lives. */
export function useShortcut(key: string, fn: () => void): void {
  function onKeydown(e: KeyboardEvent): void {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === key) {
      e.preventDefault()
      fn()
    }
  }
  onMounted(() => window.addEventListener('keydown', onKeydown))
  onUnmounted(() => window.removeEventListener('keydown', onKeydown))
}
