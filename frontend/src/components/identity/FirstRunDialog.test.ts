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
})
