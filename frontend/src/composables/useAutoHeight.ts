import { nextTick, onMounted, onUnmounted, watch, type Ref } from 'vue'

/**
 * A text box that grows with its text up to half the window, then
 * scrolls. WebKitGTK has no CSS `field-sizing`, so the height is measured
 * whenever the text or the window changes.
 */
export function useAutoHeight(box: Ref<HTMLTextAreaElement | null>, text: Ref<string>): void {
  function fit(): void {
    const el = box.value
    if (!el) return
    el.style.height = 'auto'
    const max = Math.floor(window.innerHeight / 2)
    const border = el.offsetHeight - el.clientHeight
    el.style.height = `${Math.min(el.scrollHeight + border, max)}px`
    el.style.overflowY = el.scrollHeight + border > max ? 'auto' : 'hidden'
  }
  watch(text, () => void nextTick(fit))
  onMounted(() => {
    fit()
    window.addEventListener('resize', fit)
  })
  onUnmounted(() => window.removeEventListener('resize', fit))
}
