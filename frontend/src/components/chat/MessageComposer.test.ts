import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import MessageComposer from './MessageComposer.vue'

describe('MessageComposer', () => {
  it('sends on Enter and clears the box', async () => {
    const wrapper = mount(MessageComposer)
    const box = wrapper.get('textarea')
    await box.setValue('hello')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toEqual([['hello']])
    expect((box.element as HTMLTextAreaElement).value).toBe('')
  })

  it('keeps Shift+Enter for a new line', async () => {
    const wrapper = mount(MessageComposer)
    const box = wrapper.get('textarea')
    await box.setValue('line one')
    await box.trigger('keydown', { key: 'Enter', shiftKey: true })
    expect(wrapper.emitted('send')).toBeUndefined()
  })

  it('does not send blank text', async () => {
    const wrapper = mount(MessageComposer)
    const box = wrapper.get('textarea')
    await box.setValue('  \n ')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toBeUndefined()
  })
})
