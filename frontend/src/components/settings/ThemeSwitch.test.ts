import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ThemeSwitch from './ThemeSwitch.vue'

const shown = () => document.documentElement.getAttribute('data-theme')

describe('ThemeSwitch', () => {
  beforeEach(() => {
    localStorage.clear()
    document.documentElement.removeAttribute('data-theme')
    // The system is dark.
    vi.stubGlobal('matchMedia', () => ({ matches: true, addEventListener() {}, removeEventListener() {} }))
    setActivePinia(createPinia())
  })
  afterEach(() => vi.unstubAllGlobals())

  it('offers System, Light and Dark as one labelled radio group, System first chosen', () => {
    const wrapper = mount(ThemeSwitch)
    const group = wrapper.get('[role="radiogroup"]')
    const labelId = group.attributes('aria-labelledby')!
    expect(wrapper.get(`[id="${labelId}"]`).text()).toBe('Theme')
    const radios = wrapper.findAll<HTMLInputElement>('input[type="radio"]')
    expect(radios.map((r) => r.element.closest('label')!.textContent!.trim())).toEqual(['System', 'Light', 'Dark'])
    expect(new Set(radios.map((r) => r.element.name)).size).toBe(1) // arrow keys move within one group
    expect(radios.map((r) => r.element.checked)).toEqual([true, false, false])
    expect(radios.every((r) => !r.element.disabled && r.element.tabIndex !== -1)).toBe(true)
    expect(shown()).toBe('dark')
  })

  it('applies and remembers the choice at once', async () => {
    const wrapper = mount(ThemeSwitch)
    await wrapper.get('[data-testid="theme-light"]').setValue(true)
    expect(shown()).toBe('light')
    expect(localStorage.getItem('parley.theme')).toBe('light')
    await wrapper.get('[data-testid="theme-system"]').setValue(true)
    expect(shown()).toBe('dark')
    expect(localStorage.getItem('parley.theme')).toBe('system')
  })

  it('shows the remembered choice', () => {
    localStorage.setItem('parley.theme', 'dark')
    const wrapper = mount(ThemeSwitch)
    expect(wrapper.get<HTMLInputElement>('[data-testid="theme-dark"]').element.checked).toBe(true)
    expect(wrapper.get<HTMLInputElement>('[data-testid="theme-system"]').element.checked).toBe(false)
  })
})
