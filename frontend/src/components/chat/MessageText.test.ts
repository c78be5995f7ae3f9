import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'

vi.mock('@/api', () => ({ api: { openURL: vi.fn() } }))

import { api } from '@/api'
import MessageText from './MessageText.vue'

describe('MessageText', () => {
  it('makes web links clickable and opens them outside the app', async () => {
    const wrapper = mount(MessageText, { props: { text: 'see https://example.org/a?b=1 and\nnext line' } })
    const link = wrapper.get('a')
    expect(link.attributes('href')).toBe('https://example.org/a?b=1')
    expect(link.attributes('rel')).toContain('noopener')
    await link.trigger('click')
    expect(api.openURL).toHaveBeenCalledWith('https://example.org/a?b=1')
    expect(wrapper.text()).toContain('next line')
  })

  it('never links javascript: and never renders markup', () => {
    const wrapper = mount(MessageText, { props: { text: 'javascript:alert(1) <b>bold</b> <a href="x">y</a>' } })
    expect(wrapper.findAll('a')).toHaveLength(0)
    expect(wrapper.find('b').exists()).toBe(false)
    expect(wrapper.text()).toBe('javascript:alert(1) <b>bold</b> <a href="x">y</a>')
  })
})
