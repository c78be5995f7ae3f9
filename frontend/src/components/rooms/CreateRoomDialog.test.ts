import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import CreateRoomDialog from './CreateRoomDialog.vue'

function dialog(props: { name?: string; busy?: boolean; error?: string | null } = {}) {
  return mount(CreateRoomDialog, { props: { name: 'team', ...props }, attachTo: document.body })
}

const radio = (w: ReturnType<typeof dialog>, id: 'who-invite' | 'who-network' | 'who-private') => w.get<HTMLInputElement>(`[data-testid="${id}"]`).element

describe('CreateRoomDialog', () => {
  it('asks who can join, invite only chosen, with the focus on that choice', async () => {
    const wrapper = dialog()
    await flushPromises()
    const group = wrapper.get('fieldset')
    expect(group.get('legend').text()).toBe('Who can join')
    expect(group.text()).toContain('Anyone with an invite link')
    expect(group.text()).toContain('People on this network can find it too')
    expect(group.text()).toContain('Only people you invite (private)')
    expect(radio(wrapper, 'who-invite').checked).toBe(true)
    expect(radio(wrapper, 'who-network').checked).toBe(false)
    expect(radio(wrapper, 'who-private').checked).toBe(false)
    // One radio group: the arrow keys move between the three.
    expect(radio(wrapper, 'who-invite').name).toBe(radio(wrapper, 'who-network').name)
    expect(radio(wrapper, 'who-private').name).toBe(radio(wrapper, 'who-network').name)
    expect(document.activeElement).toBe(radio(wrapper, 'who-invite'))
    expect(wrapper.get<HTMLInputElement>('[data-testid="create-room-name"]').element.value).toBe('team')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toEqual([['team', false, false]])
    wrapper.unmount()
  })

  it('creates a room people on this network can find when that is chosen, by Enter on the choice', async () => {
    const wrapper = dialog()
    await wrapper.get('[data-testid="who-network"]').setValue(true)
    expect(radio(wrapper, 'who-invite').checked).toBe(false)
    await wrapper.get('[data-testid="who-network"]').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('create')).toEqual([['team', true, false]])
    wrapper.unmount()
  })

  it('starts in the name field when no name was typed, and creates nothing without one', async () => {
    const wrapper = dialog({ name: '' })
    await flushPromises()
    const name = wrapper.get('[data-testid="create-room-name"]')
    expect(document.activeElement).toBe(name.element)
    expect(wrapper.get('[data-testid="create-room-submit"]').attributes('disabled')).toBeDefined()
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toBeUndefined()
    await name.setValue('  Lunch ')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toEqual([['Lunch', false, false]])
    wrapper.unmount()
  })

  it('creates a private room when that is chosen, and says what it means', async () => {
    const wrapper = dialog()
    expect(wrapper.get('[data-testid="create-room-hint"]').text()).toBe('Anyone in the room can change this later.')
    await wrapper.get('[data-testid="who-private"]').setValue(true)
    expect(radio(wrapper, 'who-invite').checked).toBe(false)
    expect(wrapper.get('[data-testid="who-private"]').element.closest('label')!.querySelector('[data-testid="lock-icon"]')).not.toBeNull()
    expect(wrapper.get('[data-testid="create-room-hint"]').text()).toBe('You will be its owner. A private room stays private.')
    const hint = document.getElementById(wrapper.get('[data-testid="who-private"]').attributes('aria-describedby')!)
    expect(hint?.textContent).toContain('Only its members can read it.')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toEqual([['team', false, true]])
    wrapper.unmount()
  })

  it('a network-visible choice left for private is not carried into the private room', async () => {
    const wrapper = dialog()
    await wrapper.get('[data-testid="who-network"]').setValue(true)
    await wrapper.get('[data-testid="who-private"]').setValue(true)
    await wrapper.get('[data-testid="who-private"]').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('create')).toEqual([['team', false, true]])
    wrapper.unmount()
  })

  it('says when the name is too long', async () => {
    const wrapper = dialog()
    await wrapper.get('[data-testid="create-room-name"]').setValue('x'.repeat(81))
    expect(wrapper.get('[role="alert"]').text()).toBe('At most 80 characters; this has 81.')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toBeUndefined()
    wrapper.unmount()
  })

  it('shows why the node refused, and waits while it works', () => {
    const wrapper = dialog({ busy: true, error: 'That name is empty or too long; use 1 to 80 characters.' })
    expect(wrapper.get('[data-testid="create-room-error"]').text()).toContain('1 to 80 characters')
    expect(wrapper.get('[data-testid="create-room-submit"]').attributes('disabled')).toBeDefined()
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined()
    expect(wrapper.find('button[aria-label="Close"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
