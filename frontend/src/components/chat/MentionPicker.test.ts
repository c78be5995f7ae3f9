import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { member } from '@/test/fixtures'
import MentionPicker from './MentionPicker.vue'

const options = [member('Bob', true), member('Bea', false)]

describe('MentionPicker', () => {
  it('lists the members as options, the active one selected, with ids for the composer', () => {
    const wrapper = mount(MentionPicker, { props: { id: 'm', options, active: 1 } })
    expect(wrapper.get('ul').attributes('role')).toBe('listbox')
    const items = wrapper.findAll('[role="option"]')
    expect(items.map((o) => o.find('.name').text())).toEqual(['Bob', 'Bea'])
    expect(items.map((o) => o.attributes('aria-selected'))).toEqual(['false', 'true'])
    expect(items.map((o) => o.attributes('id'))).toEqual(['m-0', 'm-1'])
  })

  it('reports a pick and the option under the pointer', async () => {
    const wrapper = mount(MentionPicker, { props: { id: 'm', options, active: 0 } })
    const second = wrapper.findAll('[role="option"]')[1]!
    await second.trigger('mouseenter')
    await second.trigger('click')
    expect(wrapper.emitted('hover')).toEqual([[1]])
    expect(wrapper.emitted('pick')).toEqual([[options[1]]])
  })
})
