import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: {
    rooms: vi.fn(),
    members: vi.fn(),
    history: vi.fn(),
    historyAfter: vi.fn(),
    markRead: vi.fn(),
    status: vi.fn(),
    peers: vi.fn(),
    helpers: vi.fn(),
    nearby: vi.fn(),
    createRoom: vi.fn(),
    renameRoom: vi.fn(),
    setTopic: vi.fn(),
    setNotify: vi.fn(),
    setRoomNearby: vi.fn(),
    leaveRoom: vi.fn(),
    deleteRoomHistory: vi.fn(),
    copyText: vi.fn(),
    connect: vi.fn(),
    setProxy: vi.fn(),
    setAway: vi.fn(),
    invite: vi.fn(),
    inviteStatus: vi.fn(async () => ({ ready: true, why: '' })),
    joinRoom: vi.fn(),
    pendingInvite: vi.fn(),
    on: vi.fn(),
    createPrivateRoom: vi.fn(),
    createInvite: vi.fn(),
    invites: vi.fn(),
    revokeInvite: vi.fn(),
    setRole: vi.fn(),
    removeMember: vi.fn(),
    directMessage: vi.fn(),
    block: vi.fn(),
    unblock: vi.fn(),
    blocked: vi.fn(async () => []),
  },
}))

import { api, type BackendEvent, type InvitePreview, type Member, type Room } from '@/api'
import { useMessagesStore } from '@/stores/messages'
import { useNearbyStore } from '@/stores/nearby'
import { useRoomsStore } from '@/stores/rooms'
import { useStatusStore } from '@/stores/status'
import { me, member, room, roomId, status } from '@/test/fixtures'
import ChatView from './ChatView.vue'

// The message column belongs to other tests; here it only has to be there.
const composerFocus = vi.fn()
const stubs = {
  MessageList: defineComponent({ render: () => h('div', { 'data-testid': 'message-list' }) }),
  MessageComposer: defineComponent({
    setup(_, { expose }) {
      expose({ focus: composerFocus })
      return () => h('textarea', { 'data-testid': 'composer' })
    },
  }),
  RoomSwitcher: defineComponent({
    emits: ['person', 'close'],
    setup(_, { emit }) {
      return () => h('button', { 'data-testid': 'person-hit', onClick: () => emit('person', 'peer-Dan', 'bb'.repeat(32)) })
    },
  }),
  SearchPanel: defineComponent({
    emits: ['open', 'close'],
    setup(_, { emit }) {
      return () => h('div', { 'data-testid': 'search-panel' }, [h('button', { 'data-testid': 'hit', onClick: () => emit('open', 'bb'.repeat(32), 'msg-7') })])
    },
  }),
}

let narrow = false
function stubMedia(): void {
  vi.stubGlobal('matchMedia', (q: string) => ({
    matches: q.includes('max-width') && narrow,
    media: q,
    addEventListener: () => {},
    removeEventListener: () => {},
  }))
}

const general = room({ name: 'general', topic: 'Plans for the week' })
const other = room({ id: 'bb'.repeat(32), name: 'random' })
const bob: Member = { ...member('Bob', true), via: 'lan' }
const carol: Member = { ...member('Carol', false), lastSeen: Date.now() - 2 * 3600_000 }

async function open(rooms: Room[] = [general, other]): Promise<VueWrapper> {
  vi.mocked(api.rooms).mockResolvedValue(rooms)
  vi.mocked(api.status).mockResolvedValue(status())
  vi.mocked(api.peers).mockResolvedValue([])
  vi.mocked(api.helpers).mockResolvedValue([])
  vi.mocked(api.nearby).mockResolvedValue([])
  await Promise.all([useRoomsStore().load(), useStatusStore().load(), useNearbyStore().load()])
  const wrapper = mount(ChatView, { props: { me }, attachTo: document.body, global: { stubs } })
  await flushPromises()
  return wrapper
}

/** Who listens to backend events through api.on, as the mock hands them out. */
const listeners: ((e: BackendEvent) => void)[] = []
const emitEvent = async (e: BackendEvent) => {
  for (const fn of [...listeners]) fn(e)
  await flushPromises()
}

const header = (w: VueWrapper) => w.get('.room-header')

/** Picks an item of the sidebar's "+" menu. */
async function addRoom(w: VueWrapper, label: 'New room…' | 'Join with a link…'): Promise<void> {
  await w.get('[aria-label="Add a room"]').trigger('click')
  await flushPromises()
  await w.findAll('[role="menuitem"]').find((i) => i.text() === label)!.trigger('click')
  await flushPromises()
}
const click = async (w: VueWrapper, sel: string) => {
  await w.get(sel).trigger('click')
  await flushPromises()
}

describe('ChatView', () => {
  let wrapper: VueWrapper | undefined
  beforeEach(() => {
    setActivePinia(createPinia())
    narrow = false
    stubMedia()
    vi.mocked(api.members).mockResolvedValue([{ ...member('Ada', true), me: true }, bob, carol])
    vi.mocked(api.history).mockResolvedValue([])
    vi.mocked(api.historyAfter).mockResolvedValue([])
    vi.mocked(api.markRead).mockResolvedValue()
    vi.mocked(api.copyText).mockResolvedValue()
    vi.mocked(api.setAway).mockResolvedValue()
    vi.mocked(api.pendingInvite).mockReset().mockResolvedValue(null)
    vi.mocked(api.joinRoom).mockReset()
    vi.mocked(api.on).mockReset().mockImplementation((fn) => {
      listeners.push(fn)
      return () => listeners.splice(listeners.indexOf(fn), 1)
    })
    listeners.length = 0
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('heads the room with its name, topic and member count, and no IDs', async () => {
    wrapper = await open()
    const text = header(wrapper).text()
    expect(wrapper.get('h1').text()).toBe('# general')
    expect(wrapper.get('[data-testid="room-topic"]').text()).toBe('Plans for the week')
    expect(wrapper.get('[data-testid="member-count"]').text()).toBe('3')
    expect(wrapper.get('[data-testid="members-button"]').attributes('aria-label')).toBe('3 members, 2 online')
    expect(wrapper.text()).not.toContain(roomId)
    expect(wrapper.text()).not.toContain(me.peerId)
    expect(text).not.toMatch(/Copy my address|Connect|First message/)
    expect(wrapper.find('[data-testid="jump-start"]').exists()).toBe(false) // inside the room menu now
  })

  it('shows the IDs and the address field in Connection details, opened from the status bar', async () => {
    wrapper = await open()
    await click(wrapper, '[data-testid="connection-details-button"]')
    const details = wrapper.get('[data-testid="connection-details"]')
    expect(details.get('[data-testid="my-peer-id"]').text()).toBe(me.peerId)
    expect(details.get('[data-testid="room-id"]').text()).toBe(roomId)
    vi.mocked(api.connect).mockResolvedValue()
    await details.get('[data-testid="peer-addr"]').setValue('/ip4/127.0.0.1/tcp/1/p2p/x')
    await details.get('form.connect').trigger('submit')
    expect(api.connect).toHaveBeenCalledWith('/ip4/127.0.0.1/tcp/1/p2p/x')
  })

  it('saves the proxy from Connection details through the node, and shows what it saved', async () => {
    wrapper = await open()
    vi.mocked(api.setProxy).mockResolvedValue({ mode: 'none', url: '', credentials: false })
    await click(wrapper, '[data-testid="connection-details-button"]')
    const proxy = wrapper.get('[data-testid="proxy-settings"]')
    await proxy.get('[data-testid="proxy-none"]').setValue(true)
    await proxy.trigger('submit')
    await flushPromises()
    expect(api.setProxy).toHaveBeenCalledWith('none', '')
    expect(useStatusStore().status?.proxy.mode).toBe('none')
    expect(proxy.get('[data-testid="proxy-saved"]').text()).toMatch(/^Saved\./)
  })

  it('shows in Connection details the helpers as they are when it opens, with the rooms they came from', async () => {
    wrapper = await open()
    const helper = { peerId: '12D3KooWHelp', shortId: 'Help1234', name: '', rooms: [roomId], roomNames: ['general'], connected: true }
    vi.mocked(api.helpers).mockResolvedValue([helper])
    await click(wrapper, '[data-testid="connection-details-button"]')
    await flushPromises()
    expect(wrapper.get('[data-testid="helper-from"]').text()).toBe('Helper · from #general')
  })

  it('opens Connection details from the "You" settings too', async () => {
    wrapper = await open()
    await click(wrapper, '[data-testid="you-menu"]')
    await click(wrapper, '[data-testid="open-details"]')
    expect(wrapper.find('[data-testid="connection-details"]').exists()).toBe(true)
  })

  it('renames the room from the room menu', async () => {
    wrapper = await open()
    vi.mocked(api.renameRoom).mockResolvedValue({ ...general, name: 'planning' })
    await click(wrapper, '[data-testid="room-menu"]')
    await click(wrapper, '[data-testid="menu-rename"]')
    await wrapper.get('[data-testid="room-name-input"]').setValue('planning')
    await wrapper.get('.room-settings').trigger('submit')
    await flushPromises()
    expect(api.renameRoom).toHaveBeenCalledWith(roomId, 'planning')
    expect(wrapper.get('h1').text()).toBe('# planning')
    expect(wrapper.find('.room-settings').exists()).toBe(false)
  })

  it('keeps the rename dialog open with the reason when the node refuses', async () => {
    wrapper = await open()
    vi.mocked(api.renameRoom).mockRejectedValue(new Error('That name is empty or too long; use 1 to 80 characters.'))
    await click(wrapper, '[data-testid="room-menu"]')
    await click(wrapper, '[data-testid="menu-rename"]')
    await wrapper.get('[data-testid="room-name-input"]').setValue('x')
    await wrapper.get('.room-settings').trigger('submit')
    await flushPromises()
    expect(wrapper.get('.room-settings [role="alert"]').text()).toContain('too long')
  })

  it('sets the topic from the room menu', async () => {
    wrapper = await open()
    vi.mocked(api.setTopic).mockResolvedValue({ ...general, topic: 'Release on Friday' })
    await click(wrapper, '[data-testid="room-menu"]')
    await click(wrapper, '[data-testid="menu-topic"]')
    await wrapper.get('[data-testid="room-topic-input"]').setValue('Release on Friday')
    await wrapper.get('.room-settings').trigger('submit')
    await flushPromises()
    expect(api.setTopic).toHaveBeenCalledWith(roomId, 'Release on Friday')
    expect(wrapper.get('[data-testid="room-topic"]').text()).toBe('Release on Friday')
  })

  it('mutes the room and the sidebar shows it', async () => {
    wrapper = await open()
    vi.mocked(api.setNotify).mockResolvedValue({ ...general, notify: 'none' })
    await click(wrapper, '[data-testid="room-menu"]')
    await click(wrapper, '[data-testid="notify-none"]')
    expect(api.setNotify).toHaveBeenCalledWith(roomId, 'none')
    expect(wrapper.find('[data-testid="room-muted"]').exists()).toBe(true)
  })

  for (const [choice, call] of [
    ['leave-keep', 'leaveRoom'],
    ['leave-delete', 'deleteRoomHistory'],
  ] as const) {
    it(`leaves the room (${choice}) and opens the next one`, async () => {
      wrapper = await open()
      vi.mocked(api[call]).mockResolvedValue()
      await click(wrapper, '[data-testid="room-menu"]')
      await click(wrapper, '[data-testid="menu-leave"]')
      vi.mocked(api.rooms).mockResolvedValue([other])
      await click(wrapper, `[data-testid="${choice}"]`)
      expect(api[call]).toHaveBeenCalledWith(roomId)
      expect(wrapper.find('[data-testid="leave-dialog"]').exists()).toBe(false)
      expect(wrapper.get('h1').text()).toBe('# random')
    })
  }

  it('goes to the first message from the room menu', async () => {
    wrapper = await open()
    const messages = useMessagesStore()
    const start = vi.spyOn(messages, 'openAtStart').mockResolvedValue()
    await click(wrapper, '[data-testid="room-menu"]')
    await click(wrapper, '[data-testid="jump-start"]')
    expect(start).toHaveBeenCalledWith(roomId)
  })

  it('shows the members beside the messages on a wide window', async () => {
    wrapper = await open()
    expect(wrapper.findAll('[data-testid="member"]')).toHaveLength(3)
    expect(wrapper.find('[data-testid="members-close"]').exists()).toBe(false)
  })

  it('on a narrow window, folds the members into a panel opened and closed from the header', async () => {
    narrow = true
    stubMedia()
    wrapper = await open()
    const button = wrapper.get('[data-testid="members-button"]')
    expect(wrapper.find('[data-testid="member-panel"]').exists()).toBe(false)
    expect(button.attributes('aria-expanded')).toBe('false')
    await click(wrapper, '[data-testid="members-button"]')
    expect(button.attributes('aria-expanded')).toBe('true')
    expect(wrapper.get('[data-testid="member-panel"]').classes()).toContain('overlay')
    expect(wrapper.get('[data-testid="member-panel"]').element.contains(document.activeElement)).toBe(true)
    await wrapper.get('[data-testid="member-panel"] .member-list').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[data-testid="member-panel"]').exists()).toBe(false)
    expect(document.activeElement).toBe(button.element)
  })

  it('opens a member’s profile card and copies the peer ID', async () => {
    wrapper = await open()
    const row = wrapper.findAll('[data-testid="member"]').find((m) => m.text().includes('Bob'))!
    await row.get('button').trigger('click')
    await nextTick()
    const card = wrapper.get('[data-testid="profile-card"]')
    expect(card.text()).toContain('On your network')
    await card.get('[data-testid="copy-peer-id"]').trigger('click')
    expect(api.copyText).toHaveBeenCalledWith(bob.peerId)
  })

  it('Ctrl+F opens search; a result opens its room at the message', async () => {
    wrapper = await open()
    const openAt = vi.spyOn(useMessagesStore(), 'openAt').mockResolvedValue()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'f', ctrlKey: true }))
    await nextTick()
    await click(wrapper, '[data-testid="hit"]')
    expect(useRoomsStore().currentId).toBe(other.id)
    expect(openAt).toHaveBeenCalledWith(other.id, 'msg-7')
    expect(wrapper.find('[data-testid="search-panel"]').exists()).toBe(false)
  })

  it('a person picked in the switcher opens their room and, once its members are in, their profile', async () => {
    wrapper = await open()
    const dan: Member = { ...member('Dan', true), peerId: 'peer-Dan', via: 'direct' }
    const waiting: ((list: Member[]) => void)[] = []
    vi.mocked(api.members).mockImplementation((id) =>
      id === other.id ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve([bob]),
    )
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', ctrlKey: true }))
    await nextTick()
    await click(wrapper, '[data-testid="person-hit"]')
    expect(useRoomsStore().currentId).toBe(other.id)
    expect(wrapper.find('[data-testid="profile-card"]').exists()).toBe(false) // the members are still on their way
    for (const answer of waiting) answer([dan])
    await flushPromises()
    expect(wrapper.get('[data-testid="profile-card"]').text()).toContain('Dan')
    expect(wrapper.find('[data-testid="person-hit"]').exists()).toBe(false)
  })

  it('says the user is away after five idle minutes, and back on a key', async () => {
    vi.useFakeTimers()
    wrapper = await open()
    vi.advanceTimersByTime(5 * 60_000 + 20_000)
    expect(api.setAway).toHaveBeenLastCalledWith(true)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'x' }))
    expect(api.setAway).toHaveBeenLastCalledWith(false)
    expect(api.setAway).toHaveBeenCalledTimes(2)
  })

  it('with no room yet, offers to create one, join from an invite, or join people nearby', async () => {
    useNearbyStore()
    vi.mocked(api.nearby).mockResolvedValue([])
    wrapper = await open([])
    expect(wrapper.get('[data-testid="get-started"]').text()).toContain('Create a room')
    vi.mocked(api.createRoom).mockResolvedValue(general)
    vi.mocked(api.rooms).mockResolvedValue([general])
    await wrapper.get('[data-testid="start-create"]').setValue('general')
    await wrapper.get('[data-testid="get-started"] form').trigger('submit')
    await flushPromises()
    // Who can join is asked first; invite only unless chosen otherwise.
    expect(api.createRoom).not.toHaveBeenCalled()
    expect(wrapper.get<HTMLInputElement>('[data-testid="who-invite"]').element.checked).toBe(true)
    await wrapper.get('[data-testid="create-room-dialog"]').trigger('submit')
    await flushPromises()
    expect(api.createRoom).toHaveBeenCalledWith('general')
    expect(api.setRoomNearby).not.toHaveBeenCalled()
    expect(wrapper.get('h1').text()).toBe('# general')
    expect(wrapper.find('[data-testid="create-room-dialog"]').exists()).toBe(false)
  })

  describe('who can join', () => {
    beforeEach(() => {
      vi.mocked(api.createRoom).mockReset()
      vi.mocked(api.setRoomNearby).mockReset()
    })

    /** Opens the create dialog from the sidebar's "+" and types a name into it. */
    async function askCreate(w: VueWrapper, name: string): Promise<void> {
      await addRoom(w, 'New room…')
      await w.get('[data-testid="create-room-name"]').setValue(name)
    }

    it('creates a room visible on this network when that is chosen', async () => {
      wrapper = await open()
      const lunch = room({ id: 'dd'.repeat(32), name: 'lunch' })
      vi.mocked(api.createRoom).mockResolvedValue(lunch)
      vi.mocked(api.rooms).mockResolvedValue([general, other, lunch])
      vi.mocked(api.setRoomNearby).mockResolvedValue({ ...lunch, nearby: true })
      await askCreate(wrapper, 'lunch')
      await wrapper.get('[data-testid="who-network"]').setValue(true)
      await wrapper.get('[data-testid="create-room-dialog"]').trigger('submit')
      await flushPromises()
      expect(api.createRoom).toHaveBeenCalledWith('lunch')
      expect(api.setRoomNearby).toHaveBeenCalledWith(lunch.id, true)
      expect(wrapper.get('h1').text()).toBe('# lunch')
      expect(wrapper.get('[data-testid="room-access"]').text()).toBe('Visible on this network')
      expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    })

    it('keeps the new room when making it visible fails, and says so in one sentence', async () => {
      wrapper = await open()
      const lunch = room({ id: 'dd'.repeat(32), name: 'lunch' })
      vi.mocked(api.createRoom).mockResolvedValue(lunch)
      vi.mocked(api.rooms).mockResolvedValue([general, other, lunch])
      vi.mocked(api.setRoomNearby).mockRejectedValue(new Error('set room nearby: node closed'))
      const log = vi.spyOn(console, 'error').mockImplementation(() => {})
      await askCreate(wrapper, 'lunch')
      await wrapper.get('[data-testid="who-network"]').setValue(true)
      await wrapper.get('[data-testid="create-room-dialog"]').trigger('submit')
      await flushPromises()
      expect(wrapper.get('h1').text()).toBe('# lunch') // the room is there, and open
      expect(wrapper.get('[data-testid="room-access"]').text()).toBe('Invite only')
      expect(wrapper.find('[data-testid="create-room-dialog"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="toast"]').text()).toContain('“lunch” was created, but could not be made visible on this network')
      expect(wrapper.get('[data-testid="toast"]').text()).not.toContain('node closed') // the detail goes to the log
      expect(log).toHaveBeenCalled()
      log.mockRestore()
    })

    it('keeps the dialog open with the reason when the room cannot be created', async () => {
      wrapper = await open()
      vi.mocked(api.createRoom).mockRejectedValue(new Error('That name is empty or too long; use 1 to 80 characters.'))
      await askCreate(wrapper, 'lunch')
      await wrapper.get('[data-testid="create-room-dialog"]').trigger('submit')
      await flushPromises()
      expect(wrapper.get('[data-testid="create-room-error"]').text()).toContain('too long')
      expect(api.setRoomNearby).not.toHaveBeenCalled()
    })

    it('the header says who can join, and its label opens the setting to change it', async () => {
      wrapper = await open()
      const badge = () => header(wrapper!).get('[data-testid="room-access"]')
      expect(badge().text()).toBe('Invite only')
      vi.mocked(api.setRoomNearby).mockResolvedValue({ ...general, nearby: true })
      await click(wrapper, '[data-testid="room-access"]')
      const dialog = wrapper.get('[data-testid="room-access-dialog"]')
      expect(wrapper.get<HTMLInputElement>('[data-testid="who-invite"]').element.checked).toBe(true)
      await dialog.get('[data-testid="who-network"]').setValue(true)
      await dialog.trigger('submit')
      await flushPromises()
      expect(api.setRoomNearby).toHaveBeenCalledWith(roomId, true)
      expect(badge().text()).toBe('Visible on this network')
      expect(wrapper.find('[data-testid="room-access-dialog"]').exists()).toBe(false)
    })

    it('changes it from the room menu too, and shows why the node refused', async () => {
      wrapper = await open([{ ...general, nearby: true }, other])
      vi.mocked(api.setRoomNearby).mockRejectedValue(new Error('Parley is shutting down; try again after it restarts.'))
      await click(wrapper, '[data-testid="room-menu"]')
      await click(wrapper, '[data-testid="menu-access"]')
      await wrapper.get('[data-testid="who-invite"]').setValue(true)
      await wrapper.get('[data-testid="room-access-dialog"]').trigger('submit')
      await flushPromises()
      expect(api.setRoomNearby).toHaveBeenCalledWith(roomId, false)
      expect(wrapper.get('[data-testid="room-access-error"]').text()).toBe('Parley is shutting down; try again after it restarts.')
      expect(header(wrapper).get('[data-testid="room-access"]').text()).toBe('Visible on this network')
    })
  })
  describe('an invite link Parley was opened with', () => {
    const link = 'parley://join/' + 'cc'.repeat(32) + '?name=design&peer=12D3KooWInviter'
    const design = room({ id: 'cc'.repeat(32), name: 'design' })
    const preview = (over: Partial<InvitePreview> = {}): InvitePreview => ({ link, roomId: design.id, name: 'design', joined: false, ...over })
    const dialog = (w: VueWrapper) => w.find('[data-testid="join-invite"]')
    /** The dialog's text, its no-break spaces as plain ones. */
    const shown = (w: VueWrapper) => w.get('[role="dialog"]').text().replace(/\u00a0/g, ' ')

    it('asks once at start and shows nothing when no link is waiting', async () => {
      wrapper = await open()
      expect(api.pendingInvite).toHaveBeenCalledTimes(1)
      expect(dialog(wrapper).exists()).toBe(false)
      expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    })

    it('asks to join the room of the start link, joins with the link on Join and opens the room', async () => {
      vi.mocked(api.pendingInvite).mockResolvedValueOnce(preview())
      wrapper = await open()
      const text = shown(wrapper)
      expect(text).toContain('Join # design?')
      expect(text).not.toContain(link)
      expect(text).not.toContain(design.id)
      expect(text).not.toContain('12D3KooW')
      expect(document.activeElement?.getAttribute('data-testid')).toBe('join-invite-join') // Enter joins
      vi.mocked(api.joinRoom).mockResolvedValue(design)
      vi.mocked(api.rooms).mockResolvedValue([general, other, design])
      await click(wrapper, '[data-testid="join-invite-join"]')
      expect(api.joinRoom).toHaveBeenCalledWith(link, '')
      expect(dialog(wrapper).exists()).toBe(false)
      expect(useRoomsStore().currentId).toBe(design.id)
      expect(wrapper.get('h1').text()).toBe('# design')
    })

    it('shows why a join failed inside the dialog, which stays open to try again', async () => {
      vi.mocked(api.pendingInvite).mockResolvedValueOnce(preview())
      wrapper = await open()
      let fail!: (err: Error) => void
      vi.mocked(api.joinRoom).mockReturnValue(new Promise((_, reject) => (fail = reject)))
      await click(wrapper, '[data-testid="join-invite-join"]')
      const join = wrapper.get('[data-testid="join-invite-join"]')
      expect(join.text()).toBe('Joining…')
      expect(join.attributes('aria-disabled')).toBe('true')
      fail(new Error('Could not join the room: check the invite link and try again.'))
      await flushPromises()
      expect(wrapper.get('[data-testid="join-invite-error"]').text()).toBe('Could not join the room: check the invite link and try again.')
      expect(wrapper.get('[data-testid="join-invite-join"]').text()).toBe('Join')
      expect(useRoomsStore().currentId).toBe(general.id)
    })

    it('asks again on every inviteLink event, and a newer link replaces the one on screen', async () => {
      wrapper = await open()
      vi.mocked(api.pendingInvite).mockResolvedValueOnce(preview())
      await emitEvent({ name: 'inviteLink', data: null })
      expect(shown(wrapper)).toContain('Join # design?')
      const later = 'parley://join/' + 'dd'.repeat(32) + '?name=ops'
      vi.mocked(api.pendingInvite).mockResolvedValueOnce(preview({ link: later, roomId: 'dd'.repeat(32), name: 'ops' }))
      await emitEvent({ name: 'inviteLink', data: null })
      expect(wrapper.findAll('[role="dialog"]')).toHaveLength(1)
      expect(shown(wrapper)).toContain('Join # ops?')
      await emitEvent({ name: 'rooms', data: null }) // other events do not ask
      expect(api.pendingInvite).toHaveBeenCalledTimes(3)
      vi.mocked(api.joinRoom).mockResolvedValue(room({ id: 'dd'.repeat(32), name: 'ops' }))
      await click(wrapper, '[data-testid="join-invite-join"]')
      expect(api.joinRoom).toHaveBeenCalledWith(later, '')
    })

    it('keeps the newer link when an older answer comes last', async () => {
      const answers: ((p: InvitePreview | null) => void)[] = []
      vi.mocked(api.pendingInvite).mockImplementation(() => new Promise((resolve) => answers.push(resolve)))
      wrapper = await open()
      await emitEvent({ name: 'inviteLink', data: null })
      answers[1]!(preview({ name: 'ops' }))
      answers[0]!(preview({ name: 'design' }))
      await flushPromises()
      expect(shown(wrapper)).toContain('Join # ops?')
    })

    it('opens a room already joined instead of joining it again', async () => {
      vi.mocked(api.pendingInvite).mockResolvedValueOnce(preview({ roomId: other.id, name: 'random', joined: true }))
      wrapper = await open()
      expect(shown(wrapper)).toContain('already in # random')
      await click(wrapper, '[data-testid="join-invite-open"]')
      expect(api.joinRoom).not.toHaveBeenCalled()
      expect(dialog(wrapper).exists()).toBe(false)
      expect(useRoomsStore().currentId).toBe(other.id)
    })

    it('Cancel joins nothing', async () => {
      vi.mocked(api.pendingInvite).mockResolvedValueOnce(preview())
      wrapper = await open()
      await click(wrapper, '[data-testid="join-invite-cancel"]')
      expect(dialog(wrapper).exists()).toBe(false)
      expect(api.joinRoom).not.toHaveBeenCalled()
    })

    it('says in a toast that a link Parley was opened with is damaged', async () => {
      vi.mocked(api.pendingInvite).mockRejectedValueOnce(new Error('This invite link is damaged: ask for a new one.'))
      wrapper = await open()
      expect(dialog(wrapper).exists()).toBe(false)
      expect(wrapper.get('[data-testid="toast"]').text()).toContain('This invite link is damaged: ask for a new one.')
    })

    it('stops listening when the view goes', async () => {
      wrapper = await open()
      expect(listeners).toHaveLength(1)
      wrapper.unmount()
      wrapper = undefined
      expect(listeners).toHaveLength(0)
    })
  })

  it('keeps a failed join in its dialog, with the link, when a room opens and a read mark goes behind it', async () => {
    wrapper = await open()
    vi.mocked(api.joinRoom).mockRejectedValue(new Error('A room ID alone does not let you in: ask a member for an invite link.'))
    await addRoom(wrapper, 'Join with a link…')
    const input = wrapper.get<HTMLInputElement>('[data-testid="join-link"]')
    await input.setValue('cc'.repeat(32))
    await wrapper.get('[data-testid="join-link-dialog"]').trigger('submit')
    await flushPromises()
    const error = () => wrapper!.get('[data-testid="join-link-dialog"] [data-testid="field-error"]').text()
    expect(error()).toContain('invite link')
    // The room list loading behind it opens a room: that success is not
    // the user's answer to the error, which stays.
    useRoomsStore().select(other.id)
    await flushPromises()
    expect(api.history).toHaveBeenCalledWith(other.id, expect.anything(), expect.anything())
    expect(error()).toContain('invite link')
    // Nor does a read mark the message list sends as it shows messages.
    wrapper.findComponent(stubs.MessageList).vm.$emit('read', 'msg-1')
    await flushPromises()
    expect(api.markRead).toHaveBeenCalled()
    expect(error()).toContain('invite link')
    expect(input.element.value).toBe('cc'.repeat(32))
  })

  it('leaves the focus where the user types when a room opens behind it', async () => {
    wrapper = await open()
    const elsewhere = document.createElement('input')
    document.body.append(elsewhere)
    elsewhere.focus()
    composerFocus.mockClear()
    useRoomsStore().select(other.id)
    await flushPromises()
    expect(composerFocus).not.toHaveBeenCalled()
    expect(document.activeElement).toBe(elsewhere)
    elsewhere.remove()
    // A room created from the dialog opens in its composer.
    vi.mocked(api.createRoom).mockResolvedValue(room({ id: 'dd'.repeat(32), name: 'board games' }))
    vi.mocked(api.rooms).mockResolvedValue([general, other, room({ id: 'dd'.repeat(32), name: 'board games' })])
    await addRoom(wrapper, 'New room…')
    await wrapper.get('[data-testid="create-room-name"]').setValue('board games')
    await wrapper.get('[data-testid="create-room-submit"]').trigger('click')
    await flushPromises()
    expect(api.createRoom).toHaveBeenCalledWith('board games')
    expect(composerFocus).toHaveBeenCalled()
    composerFocus.mockClear()
    // Picked from the sidebar's list, a room takes the focus to its composer.
    const pick = wrapper.findAll('[data-testid="room"]').find((r) => r.text().includes('general'))!
    ;(pick.element as HTMLElement).focus() // as a click does
    await pick.trigger('click')
    await flushPromises()
    expect(composerFocus).toHaveBeenCalled()
  })

  it('leaves the focus on what the user moved it to while the room loaded', async () => {
    wrapper = await open()
    // The members load slowly; meanwhile the user opens the room's menu.
    let loaded: (value: never[]) => void = () => {}
    vi.mocked(api.members).mockReturnValueOnce(new Promise((resolve) => (loaded = resolve)))
    composerFocus.mockClear()
    useRoomsStore().select(other.id)
    await flushPromises()
    ;(wrapper.get('[data-testid="room-menu"]').element as HTMLElement).focus() // as a click does
    await click(wrapper, '[data-testid="room-menu"]')
    const item = document.activeElement
    expect(item?.getAttribute('role')).toBe('menuitem')
    loaded([])
    await flushPromises()
    expect(composerFocus).not.toHaveBeenCalled()
    expect(document.activeElement).toBe(item)
    expect(wrapper.find('[data-testid="menu-leave"]').exists()).toBe(true)
  })

  it('steps to the room below and above with Alt+Down and Alt+Up, wrapping around', async () => {
    wrapper = await open()
    const rooms = useRoomsStore()
    rooms.select(general.id)
    await flushPromises()
    const press = async (key: string) => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key, altKey: true }))
      await flushPromises()
    }
    await press('ArrowDown')
    expect(rooms.currentId).toBe(other.id)
    await press('ArrowDown')
    expect(rooms.currentId).toBe(general.id)
    await press('ArrowUp')
    expect(rooms.currentId).toBe(other.id)
  })

  it('opens search from the button in the room header', async () => {
    wrapper = await open()
    await click(wrapper, '[data-testid="search-button"]')
    expect(wrapper.find('[data-testid="search-panel"]').exists()).toBe(true)
  })

  it('opens About from the "You" settings, with the running version', async () => {
    wrapper = await open()
    ;(wrapper.get('[data-testid="you-menu"]').element as HTMLElement).focus() // as a click does
    await click(wrapper, '[data-testid="you-menu"]')
    await click(wrapper, '[data-testid="open-about"]')
    expect(wrapper.get('[data-testid="about-version"]').text()).toBe('0.4.0')
    await click(wrapper, '[data-testid="about-close"]')
    expect(wrapper.find('[data-testid="about"]').exists()).toBe(false)
    expect(document.activeElement?.getAttribute('data-testid')).toBe('you-menu') // the focus goes back
  })
})

describe('ChatView: a private room', () => {
  let wrapper: VueWrapper | undefined
  const plans = room({ name: 'plans', private: true, myRole: 'owner' })
  const ada: Member = { ...member('Ada', true), me: true, role: 'owner' }
  const cy: Member = { ...member('Cy', true), role: 'member' }
  beforeEach(() => {
    setActivePinia(createPinia())
    narrow = false
    stubMedia()
    vi.clearAllMocks()
    vi.mocked(api.members).mockResolvedValue([ada, { ...bob, role: 'moderator' }, cy])
    vi.mocked(api.history).mockResolvedValue([])
    vi.mocked(api.historyAfter).mockResolvedValue([])
    vi.mocked(api.pendingInvite).mockResolvedValue(null)
    vi.mocked(api.invites).mockResolvedValue([])
    vi.mocked(api.setAway).mockResolvedValue()
    vi.mocked(api.on).mockImplementation(() => () => {})
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    vi.unstubAllGlobals()
  })

  const row = (w: VueWrapper, name: string) => w.findAll('[data-testid="member"]').find((r) => r.get('.name').text().startsWith(name))!
  async function pick(w: VueWrapper, name: string, item: string): Promise<void> {
    await row(w, name).get('[data-testid="member-menu"] button').trigger('click')
    await flushPromises()
    await row(w, name).findAll('[role="menuitem"]').find((i) => i.text() === item)!.trigger('click')
    await flushPromises()
  }

  it('makes a member a moderator from the member list, and shows the role the node then has', async () => {
    wrapper = await open([plans])
    vi.mocked(api.setRole).mockResolvedValue()
    vi.mocked(api.members).mockResolvedValue([ada, { ...bob, role: 'moderator' }, { ...cy, role: 'moderator' }])
    await pick(wrapper, 'Cy', 'Make moderator')
    expect(api.setRole).toHaveBeenCalledWith(roomId, cy.peerId, 'moderator')
    expect(row(wrapper, 'Cy').get('[data-testid="member-role"]').text()).toBe('Moderator')
  })

  it("shows the node's sentence in the member list when a role change is refused", async () => {
    wrapper = await open([plans])
    const sentence = 'Your role in this room does not allow that; ask the owner or a moderator.'
    vi.mocked(api.setRole).mockRejectedValue(new Error(sentence))
    await pick(wrapper, 'Bob', 'Make member')
    expect(wrapper.get('[data-testid="member-action-error"]').text()).toBe(sentence)
  })

  it('asks before removing someone, removes them once confirmed, and closes', async () => {
    wrapper = await open([plans])
    await pick(wrapper, 'Cy', 'Remove from room…')
    const dialog = wrapper.get('[data-testid="member-action-dialog"]')
    expect(dialog.element.closest('dialog')!.textContent).toContain('Remove Cy from plans?')
    expect(api.removeMember).not.toHaveBeenCalled()
    vi.mocked(api.removeMember).mockResolvedValue()
    vi.mocked(api.members).mockResolvedValue([ada, { ...bob, role: 'moderator' }])
    await click(wrapper, '[data-testid="member-action-confirm"]')
    expect(api.removeMember).toHaveBeenCalledWith(roomId, cy.peerId)
    expect(wrapper.find('[data-testid="member-action-dialog"]').exists()).toBe(false)
    expect(row(wrapper, 'Cy')).toBeUndefined()
  })

  it('asks before handing the room over, saying the owner becomes a moderator', async () => {
    wrapper = await open([plans])
    await pick(wrapper, 'Bob', 'Make owner…')
    expect(wrapper.get('[data-testid="member-action-dialog"]').text()).toContain('You will become a moderator.')
    vi.mocked(api.setRole).mockResolvedValue()
    vi.mocked(api.rooms).mockResolvedValue([{ ...plans, myRole: 'moderator' }])
    vi.mocked(api.members).mockResolvedValue([{ ...ada, role: 'moderator' }, { ...bob, role: 'owner' }, cy])
    await click(wrapper, '[data-testid="member-action-confirm"]')
    expect(api.setRole).toHaveBeenCalledWith(roomId, bob.peerId, 'owner')
    // Now a moderator: Bob's menu has no role action left, Cy's offers a removal only.
    await row(wrapper, 'Bob').get('[data-testid="member-menu"] button').trigger('click')
    await flushPromises()
    expect(row(wrapper, 'Bob').findAll('[role="menuitem"]').map((i) => i.text())).toEqual(['Message', 'Block Bob…'])
    await row(wrapper, 'Cy').get('[data-testid="member-menu"] button').trigger('click')
    await flushPromises()
    expect(row(wrapper, 'Cy').findAll('[role="menuitem"]').map((i) => i.text())).toEqual(['Message', 'Remove from room…', 'Block Cy…'])
  })

  it('opens the invite dialog from the header, which lists the open links', async () => {
    wrapper = await open([plans])
    await click(wrapper, '[data-testid="invite-people"]')
    expect(wrapper.find('[data-testid="invite-dialog"]').exists()).toBe(true)
    expect(api.invites).toHaveBeenCalledWith(roomId)
  })

  it("keeps the leave dialog open with the node's sentence when the owner may not leave", async () => {
    wrapper = await open([plans])
    const sentence = 'The owner cannot leave while others stay; make someone else the owner first.'
    vi.mocked(api.leaveRoom).mockRejectedValue(new Error(sentence))
    await click(wrapper, '[data-testid="room-menu"]')
    await click(wrapper, '[data-testid="menu-leave"]')
    await click(wrapper, '[data-testid="leave-keep"]')
    expect(wrapper.get('[data-testid="leave-dialog"] [role="alert"]').text()).toBe(sentence)
  })

  it('shows a joiner waiting to be let in a calm banner, and no invite or member actions', async () => {
    vi.mocked(api.members).mockResolvedValue([{ ...ada, role: '' }])
    wrapper = await open([{ ...plans, myRole: '', pending: true }])
    expect(wrapper.get('[data-testid="room-standing"]').text()).toContain('Waiting for a member to let you in…')
    expect(wrapper.find('[data-testid="invite-people"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="member-menu"]').exists()).toBe(false)
  })
})

describe('ChatView: direct conversations and blocking', () => {
  let wrapper: VueWrapper | undefined
  const dmId = 'dd'.repeat(32)
  const ada: Member = { ...member('Ada', true), me: true }
  const withBob = room({ id: dmId, name: 'Bob', private: true, direct: true, myRole: 'owner' })
  const cy: Member = { ...member('Cy', true), presence: 'away' }
  const fromCy = room({ id: 'ee'.repeat(32), name: 'Cy', private: true, direct: true, request: true, notify: 'none', myRole: 'owner', unread: 2 })

  beforeEach(() => {
    setActivePinia(createPinia())
    narrow = false
    stubMedia()
    vi.clearAllMocks()
    vi.mocked(api.members).mockImplementation(async (id) => {
      if (id === dmId) return [ada, bob]
      if (id === fromCy.id) return [ada, cy]
      return [ada, bob, carol]
    })
    vi.mocked(api.history).mockResolvedValue([])
    vi.mocked(api.historyAfter).mockResolvedValue([])
    vi.mocked(api.pendingInvite).mockResolvedValue(null)
    vi.mocked(api.setAway).mockResolvedValue()
    vi.mocked(api.blocked).mockResolvedValue([])
    vi.mocked(api.on).mockImplementation(() => () => {})
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    vi.unstubAllGlobals()
  })

  const memberRow = (w: VueWrapper, name: string) => w.findAll('[data-testid="member"]').find((r) => r.get('.name').text().startsWith(name))!
  async function pick(w: VueWrapper, name: string, item: string): Promise<void> {
    await memberRow(w, name).get('[data-testid="member-menu"] button').trigger('click')
    await flushPromises()
    await memberRow(w, name).findAll('[role="menuitem"]').find((i) => i.text() === item)!.trigger('click')
    await flushPromises()
  }

  it('"Message" on a member opens the direct conversation: named after them, with their presence, no invitations or room settings', async () => {
    wrapper = await open([general])
    vi.mocked(api.directMessage).mockResolvedValue(withBob)
    vi.mocked(api.rooms).mockResolvedValue([general, withBob])
    await pick(wrapper, 'Bob', 'Message')
    expect(api.directMessage).toHaveBeenCalledWith(bob.peerId)
    expect(useRoomsStore().currentId).toBe(dmId)
    const h1 = wrapper.get('.room-header h1')
    expect(h1.text()).toBe('Bob')
    expect(h1.find('[data-testid="person-icon"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="direct-presence"]').text()).toBe('online')
    expect(wrapper.find('[data-testid="invite-people"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="copy-invite"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="room-access"]').exists()).toBe(false)
    await click(wrapper, '[data-testid="room-menu"]')
    for (const gone of ['menu-rename', 'menu-topic', 'menu-access', 'menu-invite']) expect(wrapper.find(`[data-testid="${gone}"]`).exists()).toBe(false)
    expect(wrapper.get('[data-testid="menu-leave"]').text()).toBe('Leave conversation…')
    // In the sidebar, under its own heading, with Bob's presence.
    const item = wrapper.get('[data-testid="sidebar-direct"] [data-testid="direct"]')
    expect(item.text()).toContain('Bob')
    expect(item.get('[data-testid="presence-dot"]').attributes('data-presence')).toBe('online')
    expect(wrapper.text()).not.toContain(bob.peerId)
  })

  it("shows the node's sentence in the member list when a conversation cannot be started", async () => {
    wrapper = await open([general])
    const sentence = "That is not a person's ID; copy it again from Connection details."
    vi.mocked(api.directMessage).mockRejectedValue(new Error(sentence))
    await pick(wrapper, 'Bob', 'Message')
    expect(wrapper.get('[data-testid="member-action-error"]').text()).toBe(sentence)
  })

  it('"New direct message" takes a pasted ID, shows a refusal in the node\'s words, and catches your own ID', async () => {
    wrapper = await open([general])
    await click(wrapper, '[data-testid="new-direct"]')
    const dialog = () => wrapper!.get('[data-testid="new-direct-dialog"]')
    await dialog().get('input').setValue(me.peerId)
    await dialog().trigger('submit')
    await flushPromises()
    expect(api.directMessage).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain('That is your own ID')
    const sentence = "That is not a person's ID; copy it again from Connection details."
    vi.mocked(api.directMessage).mockRejectedValueOnce(new Error(sentence))
    await dialog().get('input').setValue('12D3KooWnot-quite')
    await dialog().trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain(sentence)
    vi.mocked(api.directMessage).mockResolvedValue(withBob)
    vi.mocked(api.rooms).mockResolvedValue([general, withBob])
    await dialog().get('input').setValue(`  ${bob.peerId} `)
    await dialog().trigger('submit')
    await flushPromises()
    expect(api.directMessage).toHaveBeenLastCalledWith(bob.peerId)
    expect(wrapper.find('[data-testid="new-direct-dialog"]').exists()).toBe(false)
    expect(useRoomsStore().currentId).toBe(dmId)
  })

  it('asks before blocking a member, blocks once confirmed, and shows the open room again without their messages', async () => {
    wrapper = await open([general])
    await pick(wrapper, 'Bob', 'Block Bob…')
    const dialog = wrapper.get('[data-testid="block-dialog"]')
    expect(dialog.element.closest('dialog')!.textContent).toContain('Block Bob?')
    expect(dialog.text()).toContain('You will no longer see their messages. They are not told.')
    expect(api.block).not.toHaveBeenCalled()
    vi.mocked(api.block).mockResolvedValue()
    vi.mocked(api.blocked).mockResolvedValue([{ peerId: bob.peerId, shortId: bob.shortId, name: 'Bob' }])
    vi.mocked(api.history).mockClear()
    await click(wrapper, '[data-testid="block-confirm"]')
    expect(api.block).toHaveBeenCalledWith(bob.peerId)
    expect(api.history).toHaveBeenCalledWith(roomId, '', expect.any(Number)) // the node leaves Bob's out
    expect(wrapper.find('[data-testid="block-dialog"]').exists()).toBe(false)
    expect(memberRow(wrapper, 'Bob').get('[data-testid="member-blocked"]').text()).toBe('Blocked')
  })

  it('marks a request in the sidebar without a count, and opens it with a calm banner: Reply goes to the composer', async () => {
    wrapper = await open([general, fromCy])
    const item = wrapper.get('[data-testid="direct"][data-request]')
    expect(item.get('[data-testid="direct-request-tag"]').text()).toBe('Request')
    expect(item.classes()).not.toContain('unread')
    expect(item.find('.badge').exists()).toBe(false)
    expect(item.find('[data-testid="room-muted"]').exists()).toBe(false)
    expect(useRoomsStore().totalUnread).toBe(0) // no count in the window title either
    await item.trigger('click')
    await flushPromises()
    const banner = wrapper.get('[data-testid="direct-request"]')
    expect(banner.text()).toContain('Cy wants to message you. You share no room with them.')
    composerFocus.mockClear()
    await banner.get('[data-testid="direct-request-reply"]').trigger('click')
    expect(composerFocus).toHaveBeenCalled()
  })

  it('"Block" on a request blocks the person and leaves the conversation', async () => {
    wrapper = await open([general, fromCy])
    useRoomsStore().select(fromCy.id)
    await flushPromises()
    vi.mocked(api.block).mockResolvedValue()
    vi.mocked(api.leaveRoom).mockResolvedValue()
    vi.mocked(api.rooms).mockResolvedValue([general])
    await click(wrapper, '[data-testid="direct-request-block"]')
    expect(api.block).toHaveBeenCalledWith(cy.peerId)
    expect(api.leaveRoom).toHaveBeenCalledWith(fromCy.id)
    expect(useRoomsStore().currentId).toBe(roomId)
    expect(wrapper.find('[data-testid="direct-request"]').exists()).toBe(false)
  })

  it('lists the people blocked under You, and unblocks one', async () => {
    vi.mocked(api.blocked).mockResolvedValue([{ peerId: cy.peerId, shortId: cy.shortId, name: 'Cy' }])
    wrapper = await open([general])
    await click(wrapper, '[data-testid="you-menu"]')
    await click(wrapper, '[data-testid="open-blocked"]')
    const list = wrapper.get('[data-testid="blocked-people"]')
    expect(list.findAll('[data-testid="blocked-person"]').map((r) => r.text())).toEqual(['Cy Unblock'])
    expect(list.get('[data-testid="unblock"]').attributes('aria-label')).toBe('Unblock Cy')
    vi.mocked(api.unblock).mockResolvedValue()
    vi.mocked(api.blocked).mockResolvedValue([])
    vi.mocked(api.history).mockClear()
    await click(wrapper, '[data-testid="unblock"]')
    expect(api.unblock).toHaveBeenCalledWith(cy.peerId)
    expect(api.history).toHaveBeenCalled() // their messages show again
    expect(wrapper.get('[data-testid="blocked-empty"]').text()).toBe('You have not blocked anyone.')
    expect(wrapper.text()).not.toContain(cy.peerId)
  })
})
