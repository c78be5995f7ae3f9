import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import LeaveRoomDialog from './LeaveRoomDialog.vue'

describe('LeaveRoomDialog', () => {
  it('offers to keep or delete the history, and to think again', async () => {
    const wrapper = mount(LeaveRoomDialog, { props: { room: room({ name: 'general' }) }, attachTo: document.body })
    expect(wrapper.get('[role="dialog"]').text()).toContain('Leave # general?')
    await wrapper.get('[data-testid="leave-keep"]').trigger('click')
    await wrapper.get('[data-testid="leave-delete"]').trigger('click')
    expect(wrapper.emitted('leave')).toEqual([[false], [true]])
    await wrapper.findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })

  it('puts the focus on Cancel, not on a button that deletes', () => {
    const wrapper = mount(LeaveRoomDialog, { props: { room: room() }, attachTo: document.body })
    expect((document.activeElement as HTMLElement).textContent).toBe('Cancel')
    wrapper.unmount()
  })

  it("shows the node's sentence when the owner of a private room with others in it may not leave", () => {
    const sentence = 'The owner cannot leave while others stay; make someone else the owner first.'
    const wrapper = mount(LeaveRoomDialog, { props: { room: room({ private: true, myRole: 'owner' }), error: sentence }, attachTo: document.body })
    expect(wrapper.get('[role="alert"]').text()).toBe(sentence)
    expect(wrapper.get('[data-testid="leave-private"]').text()).toContain('you need a new invite link')
    wrapper.unmount()
  })

  it('speaks of a direct conversation as one, with no "#" and no invite link', () => {
    const wrapper = mount(LeaveRoomDialog, { props: { room: room({ name: 'Bob', private: true, direct: true, myRole: 'owner' }) }, attachTo: document.body })
    const text = wrapper.get('[role="dialog"]').text()
    expect(text).toContain('Leave your conversation with Bob?')
    expect(text).not.toContain('#')
    expect(wrapper.find('[data-testid="leave-private"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

