import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import RoomSettings from './RoomSettings.vue'

function dialog(field: 'name' | 'topic', over = {}) {
  return mount(RoomSettings, { props: { room: room({ name: 'general', topic: 'Chat', ...over }), field }, attachTo: document.body })
}

describe('RoomSettings', () => {
  it('renames: starts from the current name, saves the new one trimmed', async () => {
    const wrapper = dialog('name')
    const input = wrapper.get('[data-testid="room-name-input"]')
    expect((input.element as HTMLInputElement).value).toBe('general')
    expect(document.activeElement).toBe(input.element)
    const save = wrapper.get('[data-testid="room-settings-save"]')
    expect(save.attributes('disabled')).toBeDefined() // unchanged
    await input.setValue('  Planning ')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('save')).toEqual([['Planning']])
    wrapper.unmount()
  })

  it('refuses an empty name, but lets a topic be cleared', async () => {
    const name = dialog('name')
    await name.get('input').setValue('  ')
    await name.get('form').trigger('submit')
    expect(name.emitted('save')).toBeUndefined()
    name.unmount()
    const topic = dialog('topic')
    await topic.get('[data-testid="room-topic-input"]').setValue('')
    await topic.get('form').trigger('submit')
    expect(topic.emitted('save')).toEqual([['']])
    topic.unmount()
  })

  it('says when a topic is too long', async () => {
    const wrapper = dialog('topic')
    await wrapper.get('input').setValue('x'.repeat(251))
    expect(wrapper.get('[role="alert"]').text()).toContain('At most 250 characters')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('save')).toBeUndefined()
    wrapper.unmount()
  })

  it('shows why the node refused', () => {
    const wrapper = mount(RoomSettings, { props: { room: room(), field: 'name', error: 'That name is too long.' }, attachTo: document.body })
    expect(wrapper.get('[role="alert"]').text()).toBe('That name is too long.')
    wrapper.unmount()
  })
})
