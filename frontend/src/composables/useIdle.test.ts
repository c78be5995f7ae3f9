import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount, type VueWrapper } from '@vue/test-utils'
import { idleAfterMs, useIdle } from './useIdle'

describe('useIdle', () => {
  let changes: boolean[]
  let wrapper: VueWrapper
  let visibility: DocumentVisibilityState

  beforeEach(() => {
    vi.useFakeTimers()
    changes = []
    visibility = 'visible'
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility)
    const Probe = defineComponent({
      setup() {
        useIdle((idle) => changes.push(idle))
        return () => h('div')
      },
    })
    wrapper = mount(Probe)
  })
  afterEach(() => {
    wrapper.unmount()
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('goes away after five minutes without keyboard or mouse, once', () => {
    vi.advanceTimersByTime(idleAfterMs - 20_000)
    expect(changes).toEqual([])
    vi.advanceTimersByTime(40_000)
    expect(changes).toEqual([true])
    vi.advanceTimersByTime(idleAfterMs * 3)
    expect(changes).toEqual([true]) // no repeats while still idle
  })

  it('comes back at the first key or mouse move, once, and only after being away', () => {
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }))
    expect(changes).toEqual([]) // never away: nothing to say
    vi.advanceTimersByTime(idleAfterMs + 20_000)
    window.dispatchEvent(new Event('pointermove'))
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'b' }))
    expect(changes).toEqual([true, false])
  })

  it('activity keeps the user present', () => {
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(idleAfterMs / 2)
      window.dispatchEvent(new Event('pointerdown'))
    }
    expect(changes).toEqual([])
  })

  it('a window hidden for five minutes is away; shown again, back', () => {
    visibility = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    vi.advanceTimersByTime(idleAfterMs + 20_000)
    expect(changes).toEqual([true])
    visibility = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(changes).toEqual([true, false])
  })

  it('stops listening when the component goes', () => {
    wrapper.unmount()
    vi.advanceTimersByTime(idleAfterMs * 2)
    expect(changes).toEqual([])
    wrapper = mount(defineComponent({ render: () => h('div') }))
  })
})
