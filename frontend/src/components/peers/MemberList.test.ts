import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Via } from '@/api'
import { member } from '@/test/fixtures'
import MemberList from './MemberList.vue'

describe('MemberList', () => {
  for (const [via, words] of [
    ['lan', 'On your network'],
    ['direct', 'Direct'],
    ['holepunched', 'Direct (through your router)'],
    ['relayed', 'Through a relay'],
  ] as const) {
    it(`says a member ${via} is connected: ${words}`, () => {
      const wrapper = mount(MemberList, { props: { members: [{ ...member('Bob', true), via }] } })
      const how = wrapper.get('[data-testid="member-via"]')
      expect(how.text()).toBe(words)
      expect(how.attributes('title')).toMatch(/^Connected .*\.$/)
    })
  }

  it('says nothing of the connection of a member who is offline', () => {
    const offline = { ...member('Carol', false), via: '' as Via }
    const wrapper = mount(MemberList, { props: { members: [offline] } })
    expect(wrapper.find('[data-testid="member-via"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="member"]').text()).toContain('Carol')
  })
})
