import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import MessageComposer from './MessageComposer.vue'

function composer(draft: string) {
  return mount(MessageComposer, { props: { draft } })
}

describe('MessageComposer', () => {
  it('sends the draft on Enter and clears it', async () => {
    const wrapper = composer('hello')
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toEqual([['hello']])
    expect(wrapper.emitted('update:draft')).toEqual([['']])
  })

  it('keeps Shift+Enter for a new line', async () => {
    const wrapper = composer('line one')
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter', shiftKey: true })
    expect(wrapper.emitted('send')).toBeUndefined()
  })

  it('does not send blank text', async () => {
    const wrapper = composer('  \n ')
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toBeUndefined()
  })

  it('reports every edit so the draft outlives a room switch', async () => {
    const wrapper = composer('')
    await wrapper.get('textarea').setValue('half a thought')
    expect(wrapper.emitted('update:draft')?.at(-1)).toEqual(['half a thought'])
  })
})
