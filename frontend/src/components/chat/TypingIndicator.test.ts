import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { typingShownMs, useTypingStore } from '@/stores/typing'
import { roomId } from '@/test/fixtures'
import TypingIndicator from './TypingIndicator.vue'

function typist(name: string, room = roomId) {
  useTypingStore().seen({ room, peerId: `peer-${name}`, shortId: name.toLowerCase(), name })
}

describe('TypingIndicator', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('names one or two typists, and counts no further', async () => {
    const wrapper = mount(TypingIndicator, { props: { roomId } })
    const line = () => wrapper.get('[data-testid="typing-indicator"]').text()
    expect(line()).toBe('')
    typist('Ada')
    await nextTick()
    expect(line()).toBe('Ada is typing…')
    typist('Bo')
    await nextTick()
    expect(line()).toBe('Ada and Bo are typing…')
    typist('Cy')
    await nextTick()
    expect(line()).toBe('Several people are typing…')
  })

  it('shows only the room it is for, and clears once the typing stops', async () => {
    const wrapper = mount(TypingIndicator, { props: { roomId } })
    typist('Ada', 'other-room')
    typist('Bo')
    await nextTick()
    expect(wrapper.text()).toBe('Bo is typing…')
    vi.advanceTimersByTime(typingShownMs + 1000)
    await nextTick()
    expect(wrapper.text()).toBe('')
  })

  it('is a polite live region that keeps its place when empty', () => {
    const wrapper = mount(TypingIndicator, { props: { roomId } })
    const line = wrapper.get('[data-testid="typing-indicator"]')
    expect(line.attributes('aria-live')).toBe('polite')
    expect(line.isVisible()).toBe(true) // there, though nobody types
  })
})
