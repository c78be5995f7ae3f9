import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { invite: vi.fn(), inviteStatus: vi.fn(), copyText: vi.fn() },
}))

import { api } from '@/api'
import { roomId } from '@/test/fixtures'
import { useNoticesStore } from '@/stores/notices'
import CopyInviteButton from './CopyInviteButton.vue'

const link = 'parley://join/CAESIKqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqGgdnZW5lcmFs'

describe('CopyInviteButton', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
    vi.mocked(api.invite).mockReset()
    vi.mocked(api.copyText).mockReset()
    vi.mocked(api.inviteStatus).mockReset().mockResolvedValue({ ready: true, why: '' })
    vi.spyOn(console, 'error').mockImplementation(() => {})
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('copies the room’s invite link and says so in a toast for a few seconds', async () => {
    vi.mocked(api.invite).mockResolvedValue(link)
    vi.mocked(api.copyText).mockResolvedValue()
    const wrapper = mount(CopyInviteButton, { props: { roomId } })
    const button = wrapper.get('[data-testid="copy-invite"]')
    expect(button.element.tagName).toBe('BUTTON') // reachable with Tab, pressed with Enter or Space
    await button.trigger('click')
    await flushPromises()
    expect(api.invite).toHaveBeenCalledWith(roomId)
    expect(api.copyText).toHaveBeenCalledWith(link)
    const notices = useNoticesStore()
    expect(notices.notices.map((n) => n.text)).toEqual(['Invite link copied'])
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    vi.advanceTimersByTime(3000)
    await flushPromises()
    expect(notices.notices).toEqual([])
  })

  it('says in a toast that the node is still finding a way in while the link waits for it', async () => {
    vi.mocked(api.inviteStatus).mockResolvedValue({ ready: false, why: 'findingWayIn' })
    let answer: (link: string) => void = () => {}
    vi.mocked(api.invite).mockReturnValue(new Promise((ok) => (answer = ok)))
    vi.mocked(api.copyText).mockResolvedValue()
    const wrapper = mount(CopyInviteButton, { props: { roomId } })
    await wrapper.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    const notices = useNoticesStore()
    const finding = 'Still finding a way in from the internet; the link will work in a moment.'
    expect(notices.notices.map((n) => n.text)).toEqual([finding])
    vi.advanceTimersByTime(15_000) // it stays while the link waits
    expect(notices.notices.map((n) => n.text)).toEqual([finding])
    expect(wrapper.get('[data-testid="copy-invite"]').attributes('disabled')).toBeDefined()
    answer(link)
    await flushPromises()
    expect(api.copyText).toHaveBeenCalledWith(link)
    expect(notices.notices.map((n) => n.text)).toEqual(['Invite link copied'])
  })

  it('says in a longer toast that a link works on this network only', async () => {
    vi.mocked(api.inviteStatus).mockResolvedValue({ ready: false, why: 'noHelpers' })
    vi.mocked(api.invite).mockResolvedValue(link)
    vi.mocked(api.copyText).mockResolvedValue()
    const wrapper = mount(CopyInviteButton, { props: { roomId } })
    await wrapper.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    expect(api.copyText).toHaveBeenCalledWith(link)
    const notices = useNoticesStore()
    const said = ['Invite link copied. It works on this network only: Parley knows no helper to reach others through.']
    expect(notices.notices.map((n) => n.text)).toEqual(said)
    vi.advanceTimersByTime(5000)
    expect(notices.notices.map((n) => n.text)).toEqual(said)
    vi.advanceTimersByTime(5000)
    expect(notices.notices).toEqual([])
  })

  it('shows the backend’s sentence when no link can be made, and copies nothing', async () => {
    vi.mocked(api.invite).mockRejectedValue(new Error('You are not in this room any more; join it again first.'))
    const wrapper = mount(CopyInviteButton, { props: { roomId } })
    await wrapper.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('You are not in this room any more; join it again first.')
    expect(api.copyText).not.toHaveBeenCalled()
    expect(useNoticesStore().notices).toEqual([])
  })

  it('shows the link to copy by hand when the clipboard refuses it', async () => {
    vi.mocked(api.invite).mockResolvedValue(link)
    vi.mocked(api.copyText).mockRejectedValue(new Error('The clipboard refused the text'))
    const wrapper = mount(CopyInviteButton, { props: { roomId } })
    await wrapper.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('Could not copy the invite link: select it here and copy it yourself.')
    expect((wrapper.get('[data-testid="invite-link"]').element as HTMLInputElement).value).toBe(link)
  })

  it('drops a link that arrives after the user moved to another room', async () => {
    let answer: (link: string) => void = () => {}
    vi.mocked(api.invite).mockReturnValue(new Promise((ok) => (answer = ok)))
    const wrapper = mount(CopyInviteButton, { props: { roomId } })
    await wrapper.get('[data-testid="copy-invite"]').trigger('click')
    await wrapper.setProps({ roomId: 'bb'.repeat(32) })
    answer(link)
    await flushPromises()
    expect(api.copyText).not.toHaveBeenCalled()
    expect(useNoticesStore().notices).toEqual([])
    expect(wrapper.get('[data-testid="copy-invite"]').attributes('disabled')).toBeUndefined()
  })
})
