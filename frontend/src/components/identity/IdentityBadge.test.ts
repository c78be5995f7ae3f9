import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import IdentityBadge from './IdentityBadge.vue'

import { me } from '@/test/fixtures'

describe('IdentityBadge', () => {
  it('shows the short ID with the full ID on hover', () => {
    const wrapper = mount(IdentityBadge, { props: { me } })
    const short = wrapper.get('[data-testid="short-id"]')
    expect(short.text()).toBe('abcd1234')
    expect(short.attributes('title')).toBe(me.peerId)
  })

  it('asks to copy the full ID and confirms', async () => {
    const wrapper = mount(IdentityBadge, { props: { me } })
    const button = wrapper.get('button')
    await button.trigger('click')
    expect(wrapper.emitted('copy')).toEqual([[me.peerId]])
    expect(button.text()).toBe('Copied')
  })
})
