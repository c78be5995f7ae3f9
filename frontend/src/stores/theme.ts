import { defineStore } from 'pinia'
import { computed, onScopeDispose, readonly, ref, watch } from 'vue'

/** What the user picked: a theme, or whatever the system uses. */
export type ThemeChoice = 'system' | 'light' | 'dark'
/** What is shown. */
export type Theme = 'light' | 'dark'

export const themeChoices: readonly ThemeChoice[] = ['system', 'light', 'dark']

const storageKey = 'parley.theme'
const darkQuery = '(prefers-color-scheme: dark)'

function isChoice(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (themeChoices as readonly string[]).includes(value)
}

function storedChoice(): ThemeChoice {
  try {
    const value = localStorage.getItem(storageKey)
    return isChoice(value) ? value : 'system'
  } catch {
    return 'system' // storage refused (private mode, policy): follow the system
  }
}

function systemQuery(): MediaQueryList | null {
  return typeof window.matchMedia === 'function' ? window.matchMedia(darkQuery) : null
}

/**
 * The colour theme: the user's choice, kept in localStorage, and the theme it
 * gives, set as data-theme on <html> (style.css picks the palette from it).
 * "system" follows prefers-color-scheme, live. Use it once before mounting
 * the app so the first paint has the right colours.
 */
export const useThemeStore = defineStore('theme', () => {
  const choice = ref<ThemeChoice>(storedChoice())
  const query = systemQuery()
  const systemDark = ref(query?.matches ?? false)

  const theme = computed<Theme>(() => {
    if (choice.value !== 'system') return choice.value
    return systemDark.value ? 'dark' : 'light'
  })

  const onSystemChange = (e: MediaQueryListEvent): void => {
    systemDark.value = e.matches
  }
  query?.addEventListener('change', onSystemChange)
  onScopeDispose(() => query?.removeEventListener('change', onSystemChange))

  watch(theme, (t) => document.documentElement.setAttribute('data-theme', t), { immediate: true, flush: 'sync' })

  function choose(next: ThemeChoice): void {
    choice.value = next
    try {
      localStorage.setItem(storageKey, next)
    } catch {
      // Not kept across restarts, but applied now.
    }
  }

  return { choice: readonly(choice), theme, choose }
})
