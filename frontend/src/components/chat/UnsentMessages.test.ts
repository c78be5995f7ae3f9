import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { me, message, roomId } from '@/test/fixtures'
import type { ShownMessage } from '@/stores/messages'
import UnsentMessages from './UnsentMessages.vue'

const unsent = (text: string, state: 'sending' | 'failed', error?: string): ShownMessage => ({
  ...message(text, me.peerId, true),
  id: `local-${text}`,
  room: roomId,
  state,
  error,
})

describe('UnsentMessages', () => {
  it('shows a failed message with its reason and buttons to retry or discard it', async () => {
    const wrapper = mount(UnsentMessages, { props: { messages: [unsent('hello', 'failed', 'disk full')] } })
    expect(wrapper.get('[data-testid="unsent-message"]').text()).toContain('Not sent: disk full')
    const retry = wrapper.get('[data-testid="retry"]')
    const discard = wrapper.get('[data-testid="discard"]')
    // Real buttons: reachable with Tab, pressed with Enter or Space.
    expect(retry.element.tagName).toBe('BUTTON')
    expect(discard.element.tagName).toBe('BUTTON')
    await retry.trigger('click')
    await discard.trigger('click')
    expect(wrapper.emitted('retry')).toEqual([['local-hello']])
    expect(wrapper.emitted('discard')).toEqual([['local-hello']])
  })

  it('shows a message being sent without buttons, and nothing when all went out', () => {
    const wrapper = mount(UnsentMessages, { props: { messages: [unsent('on its way', 'sending')] } })
    expect(wrapper.text()).toContain('Sending…')
    expect(wrapper.find('button').exists()).toBe(false)
    expect(mount(UnsentMessages, { props: { messages: [] } }).html()).not.toContain('unsent-message')
  })
})
