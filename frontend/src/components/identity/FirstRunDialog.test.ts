import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import FirstRunDialog from './FirstRunDialog.vue'

describe('FirstRunDialog', () => {
  it('explains there is no server and asks for a name', async () => {
    const wrapper = mount(FirstRunDialog)
    expect(wrapper.text()).toContain('There is no server')
    await wrapper.get('[data-testid="first-run-name"]').setValue('Ada')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('save')).toEqual([['Ada']])
  })

  it('can be skipped', async () => {
    const wrapper = mount(FirstRunDialog)
    await wrapper.get('[data-testid="first-run-skip"]').trigger('click')
    expect(wrapper.emitted('skip')).toHaveLength(1)
  })

  it('counts characters as people see them: 40 emoji fit, 41 do not', async () => {
    const family = '👨‍👩‍👧‍👦' // 11 UTF-16 units, one character
    const wrapper = mount(FirstRunDialog)
    const field = wrapper.get('[data-testid="first-run-name"]')
    await field.setValue(family.repeat(40))
    expect(wrapper.get('button.primary').attributes('disabled')).toBeUndefined()
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('save')).toEqual([[family.repeat(40)]])

    await field.setValue(family.repeat(41))
    expect(wrapper.get('button.primary').attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('at most 40 characters; this one has 41')
  })
})
