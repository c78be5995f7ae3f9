import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { member } from '@/test/fixtures'
import MemberActionDialog from './MemberActionDialog.vue'

const bob = { ...member('Bob', true), role: 'moderator' as const }
function dialog(action: 'owner' | 'remove', over = {}) {
  return mount(MemberActionDialog, { props: { member: bob, action, roomName: 'plans', ...over }, attachTo: document.body })
}

describe('MemberActionDialog', () => {
  it('says before a hand-over that you will become a moderator', async () => {
    const w = dialog('owner')
    expect(w.get('[role="dialog"]').text()).toContain('Make Bob the owner?')
    expect(w.text()).toContain('You will become a moderator.')
    expect(w.get('[data-testid="member-action-confirm"]').text()).toBe('Make owner')
    await w.get('[data-testid="member-action-confirm"]').trigger('click')
    expect(w.emitted('confirm')).toHaveLength(1)
    w.unmount()
  })

  it('says before a removal what it does, with the focus on Cancel', async () => {
    const w = dialog('remove')
    expect(w.get('[role="dialog"]').text()).toContain('Remove Bob from plans?')
    expect(w.text()).toContain('will no longer get new messages')
    await flushPromises()
    expect(document.activeElement).toBe(w.get('[data-testid="member-action-cancel"]').element)
    await w.get('[data-testid="member-action-cancel"]').trigger('click')
    expect(w.emitted('close')).toHaveLength(1)
    expect(w.emitted('confirm')).toBeUndefined()
    w.unmount()
  })

  it("shows the node's sentence when it refuses, and waits while it works", () => {
    const sentence = 'That person is not a member of this room; reopen the member list to see who is.'
    const w = dialog('remove', { error: sentence, busy: true })
    expect(w.get('[role="alert"]').text()).toBe(sentence)
    expect(w.get('[data-testid="member-action-confirm"]').attributes('disabled')).toBeDefined()
    expect(w.find('button[aria-label="Close"]').exists()).toBe(false)
    w.unmount()
  })
})
