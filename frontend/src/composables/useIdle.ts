import { onMounted, onUnmounted, readonly, ref, type Ref } from 'vue'

/** No keyboard or mouse for this long (or the window hidden this long) is idle. */
export const idleAfterMs = 5 * 60_000

/** How often the idle clock is checked; activity itself only notes the time. */
const checkEveryMs = 15_000

const activity = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const

/**
 * Tracks whether the user is idle: after idleAfterMs with no keyboard or
 * mouse activity, or with the window hidden that long, onChange(true); at
 * the next activity, onChange(false). It is called on changes only.
 */
export function useIdle(onChange: (idle: boolean) => void, afterMs = idleAfterMs): Readonly<Ref<boolean>> {
  const idle = ref(false)
  let last = Date.now()
  let timer: ReturnType<typeof setInterval> | undefined

  function set(value: boolean): void {
    if (idle.value === value) return
    idle.value = value
    onChange(value)
  }

  function active(): void {
    last = Date.now()
    set(false)
  }

  function check(): void {
    if (Date.now() - last >= afterMs) set(true)
  }

  function visibility(): void {
    // Hidden: the clock runs on from the last activity (nothing more comes).
    // Shown again: that is the user coming back.
    if (document.visibilityState === 'visible') active()
  }

  onMounted(() => {
    last = Date.now()
    for (const name of activity) window.addEventListener(name, active, { passive: true, capture: true })
    document.addEventListener('visibilitychange', visibility)
    timer = setInterval(check, Math.min(checkEveryMs, afterMs))
  })
  onUnmounted(() => {
    for (const name of activity) window.removeEventListener(name, active, { capture: true })
    document.removeEventListener('visibilitychange', visibility)
    clearInterval(timer)
  })

  return readonly(idle)
}
