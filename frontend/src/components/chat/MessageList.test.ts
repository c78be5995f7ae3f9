import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { message } from '@/test/fixtures'
import MessageList from './MessageList.vue'

describe('MessageList', () => {
  it('shows peer text as text, never as HTML', () => {
    const evil = message('<img src=x onerror=alert(1)><script>alert(2)</script>')
    const wrapper = mount(MessageList, { props: { messages: [evil] } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('.text script').exists()).toBe(false)
    expect(wrapper.get('.text').text()).toBe(evil.text)
  })

  it('names the author with a fingerprint, and says You for own messages', () => {
    const wrapper = mount(MessageList, { props: { messages: [message('hi', 'peer-bbbbbbbb'), message('yo', 'me', true)] } })
    const items = wrapper.findAll('[data-testid="message"]')
    expect(items[0]!.text()).toContain('Bob')
    expect(items[0]!.text()).toContain('bbbbbbbb')
    expect(items[1]!.text()).toContain('You')
  })

  it('says so when the room is empty', () => {
    expect(mount(MessageList, { props: { messages: [] } }).text()).toContain('No messages yet')
  })
})
