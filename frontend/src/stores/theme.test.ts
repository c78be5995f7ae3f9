import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useThemeStore } from './theme'

/** A system colour scheme the test can switch, as the OS would. */
function fakeSystem(dark: boolean) {
  const listeners = new Set<(e: MediaQueryListEvent) => void>()
  const list = {
    get matches() {
      return dark
    },
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: string, fn: (e: MediaQueryListEvent) => void) => listeners.add(fn),
    removeEventListener: (_: string, fn: (e: MediaQueryListEvent) => void) => listeners.delete(fn),
  }
  vi.stubGlobal(
    'matchMedia',
    vi.fn(() => list),
  )
  return {
    listeners,
    set(next: boolean) {
      dark = next
      for (const fn of listeners) fn({ matches: next } as MediaQueryListEvent)
    },
  }
}

const shown = () => document.documentElement.getAttribute('data-theme')

describe('theme store', () => {
  beforeEach(() => {
    localStorage.clear()
    document.documentElement.removeAttribute('data-theme')
    setActivePinia(createPinia())
  })
  afterEach(() => vi.unstubAllGlobals())

  it('follows the system by default, from the first moment', () => {
    fakeSystem(true)
    const theme = useThemeStore()
    expect(theme.choice).toBe('system')
    expect(shown()).toBe('dark')
  })

  it('switches live when the system changes while following it', () => {
    const system = fakeSystem(false)
    const theme = useThemeStore()
    expect(shown()).toBe('light')
    system.set(true)
    expect(theme.theme).toBe('dark')
    expect(shown()).toBe('dark')
    system.set(false)
    expect(shown()).toBe('light')
  })

  it('keeps a chosen theme whatever the system does, and remembers it', () => {
    const system = fakeSystem(false)
    const theme = useThemeStore()
    theme.choose('dark')
    expect(shown()).toBe('dark')
    expect(localStorage.getItem('parley.theme')).toBe('dark')
    system.set(false)
    expect(shown()).toBe('dark')

    theme.choose('system')
    expect(shown()).toBe('light')
    expect(localStorage.getItem('parley.theme')).toBe('system')
  })

  it('starts with the remembered choice on the next start', () => {
    fakeSystem(true)
    localStorage.setItem('parley.theme', 'light')
    const theme = useThemeStore()
    expect(theme.choice).toBe('light')
    expect(shown()).toBe('light')
  })

  it('ignores a stored value it does not know', () => {
    fakeSystem(false)
    localStorage.setItem('parley.theme', 'purple')
    expect(useThemeStore().choice).toBe('system')
    expect(shown()).toBe('light')
  })

  it('stops listening to the system when disposed', () => {
    const system = fakeSystem(false)
    useThemeStore().$dispose()
    expect(system.listeners.size).toBe(0)
  })
})
