import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { message, roomId } from '@/test/fixtures'
import type { RoomView, ShownMessage } from '@/stores/messages'
import MessageList from './MessageList.vue'

function view(items: ShownMessage[], firstUnreadId: string | null = null): RoomView {
  return { items, hasOlder: false, hasNewer: false, firstUnreadId, loading: false }
}

describe('MessageList', () => {
  it('shows peer text as text, never as HTML', () => {
    const evil = message('<img src=x onerror=alert(1)><script>alert(2)</script>')
    const wrapper = mount(MessageList, { props: { view: view([evil]), roomId } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.get('.message-text').text()).toBe(evil.text)
  })

  it('shows the state of own messages and offers to retry a failed one', async () => {
    const failed: ShownMessage = { ...message('oops', 'me', true), id: 'local-1', state: 'failed', error: 'disk full' }
    const stored: ShownMessage = { ...message('later', 'me', true), state: 'stored' }
    const wrapper = mount(MessageList, { props: { view: view([stored, failed]), roomId } })
    const states = wrapper.findAll('[data-testid="message-state"]').map((s) => s.text())
    expect(states[0]).toContain('goes out when someone in the room is online')
    expect(states[1]).toContain('Not sent: disk full')
    await wrapper.get('[data-testid="message-state"] button').trigger('click')
    expect(wrapper.emitted('retry')).toEqual([['local-1']])
  })

  it('says so when the room is empty', () => {
    expect(mount(MessageList, { props: { view: view([]), roomId } }).text()).toContain('No messages yet')
  })
})
