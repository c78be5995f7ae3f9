import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { message, roomId } from '@/test/fixtures'
import type { RoomView, ShownMessage } from '@/stores/messages'
import MessageList from './MessageList.vue'

function view(items: ShownMessage[], firstUnreadId: string | null = null): RoomView {
  return { items, hasOlder: false, hasNewer: false, firstUnreadId, loading: false, following: true, newBelow: false }
}

describe('MessageList', () => {
  it('shows peer text as text, never as HTML', () => {
    const evil = message('<img src=x onerror=alert(1)><script>alert(2)</script>')
    const wrapper = mount(MessageList, { props: { view: view([evil]), roomId } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.get('.message-text').text()).toBe(evil.text)
  })

  it('shows the state of own messages', () => {
    const stored: ShownMessage = { ...message('later', 'me', true), state: 'stored' }
    const sent: ShownMessage = { ...message('now', 'me', true), state: 'sent' }
    const wrapper = mount(MessageList, { props: { view: view([stored, sent]), roomId } })
    const states = wrapper.findAll('[data-testid="message-state"]').map((s) => s.text())
    expect(states[0]).toContain('goes out when someone in the room is online')
    expect(states[1]).toBe('Sent')
  })

  it('offers a way down to new messages when the user has scrolled up', async () => {
    const v = { ...view([message('a')]), following: false, newBelow: true, hasNewer: true }
    const wrapper = mount(MessageList, { props: { view: v, roomId } })
    await wrapper.get('[data-testid="new-below"]').trigger('click')
    expect(wrapper.emitted('latest')).toHaveLength(1)
    await wrapper.setProps({ view: { ...v, following: true, newBelow: false } })
    expect(wrapper.find('[data-testid="new-below"]').exists()).toBe(false)
  })

  it('says so when the room is empty', () => {
    expect(mount(MessageList, { props: { view: view([]), roomId } }).text()).toContain('No messages yet')
  })
})
