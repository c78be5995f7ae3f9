import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import type { Message } from '@/api'
import { member, message, roomId } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: {
    react: vi.fn(),
    deleteMessage: vi.fn(),
    copyText: vi.fn(),
    history: vi.fn(),
    historyAfter: vi.fn(),
    openURL: vi.fn(),
    members: vi.fn(),
  },
}))

import { api } from '@/api'
import { useComposeStore } from '@/stores/compose'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore, type RoomView, type ShownMessage } from '@/stores/messages'
import MessageList from './MessageList.vue'

function view(items: ShownMessage[], firstUnreadId: string | null = null): RoomView {
  return { items, hasOlder: false, hasNewer: false, firstUnreadId, loading: false, following: true, newBelow: false, newCount: 0, highlightId: null }
}

let wrapper: VueWrapper | null = null

/** Mounts the list on the store's view of the room, as the app does. */
function show(items: ShownMessage[], over: Partial<RoomView> = {}, canRemove = false) {
  const store = useMessagesStore()
  store.views[roomId] = { ...view(items), ...over }
  wrapper = mount(MessageList, { props: { view: store.views[roomId]!, roomId, canRemove }, attachTo: document.body })
  return { wrapper, store }
}

const own = (text: string): Message => message(text, 'me', true)
const row = (w: VueWrapper, m: Message) => w.get(`article[data-id="${m.id}"]`)
const menuItems = (w: VueWrapper) => w.findAll('[role="menuitem"]').map((i) => i.text())

// The test DOM lays nothing out: the list's scroll box gets a window's size,
// so the virtual list draws its rows.
const sizes = { offsetWidth: 800, offsetHeight: 600, clientWidth: 800, clientHeight: 600 }
const saved = Object.keys(sizes).map((k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k) ?? Object.getOwnPropertyDescriptor(Element.prototype, k)] as const)
beforeAll(() => {
  for (const [k, v] of Object.entries(sizes)) Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => v })
})
afterAll(() => {
  for (const [k, d] of saved) if (d) Object.defineProperty(HTMLElement.prototype, k, d)
})

describe('MessageList', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    for (const fn of Object.values(api)) vi.mocked(fn as () => unknown).mockReset()
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
  })

  it('shows peer text as text, never as HTML', () => {
    const evil = message('<img src=x onerror=alert(1)><script>alert(2)</script>')
    const { wrapper } = show([evil])
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.get('.message-text').text()).toBe(evil.text)
  })

  it('labels only own messages not delivered yet', () => {
    const stored: ShownMessage = { ...own('later'), state: 'stored' }
    const sent: ShownMessage = { ...own('now'), state: 'sent' }
    const deleted: ShownMessage = { ...own(''), deleted: true, state: 'stored' }
    const { wrapper } = show([stored, sent, deleted])
    const states = wrapper.findAll('[data-testid="message-state"]').map((s) => s.text())
    expect(states).toEqual(['Not delivered yet — goes out when someone in the room is online'])
    const rows = wrapper.findAll('[data-state]').map((r) => r.attributes('data-state'))
    expect(rows).toContain('sent')
  })

  it('offers a way down to the latest message, with the count of new ones, when the user has scrolled up', async () => {
    const { wrapper } = show([message('a')], { following: false, newBelow: true, hasNewer: true, newCount: 3 })
    const button = wrapper.get('[data-testid="new-below"]')
    expect(button.text()).toContain('Jump to latest')
    expect(button.text()).toContain('3 new messages')
    await button.trigger('click')
    expect(wrapper.emitted('latest')).toHaveLength(1)
    await wrapper.setProps({ view: { ...view([message('a')]), following: true } })
    expect(wrapper.find('[data-testid="new-below"]').exists()).toBe(false)
  })

  it('says so when the room is empty', () => {
    expect(show([]).wrapper.text()).toContain('No messages yet')
  })

  it('offers edit and delete on your own messages only', () => {
    const theirs = message('theirs')
    const mine = own('mine')
    const { wrapper } = show([theirs, mine])
    const tools = (m: Message) => row(wrapper, m).findAll('[data-testid="message-actions"] button').map((b) => b.attributes('aria-label'))
    expect(tools(theirs)).toEqual(['React', 'Reply', 'More actions'])
    expect(tools(mine)).toEqual(['React', 'Reply', 'Edit', 'Delete', 'More actions'])
  })

  it('opens the menu on a right click and closes it with Escape, back on the message', async () => {
    const m = message('hello')
    const { wrapper } = show([m])
    await row(wrapper, m).trigger('contextmenu', { clientX: 100, clientY: 100 })
    expect(wrapper.get('[role="menu"]').attributes('aria-label')).toBe('Message actions')
    expect(menuItems(wrapper)).toEqual(['Reply', 'React', 'Copy text', 'Copy link'])
    await nextTick()
    expect(document.activeElement?.textContent?.trim()).toBe('Reply')
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
    await flushPromises()
    expect(document.activeElement).toBe(row(wrapper, m).element)
  })

  it('works by keyboard: arrows between messages, Shift+F10 opens the menu, arrows in it, Enter replies', async () => {
    const [a, b] = [message('first'), message('second')]
    const { wrapper } = show([a, b])
    expect(row(wrapper, b).attributes('tabindex')).toBe('0') // the newest is the Tab stop
    expect(row(wrapper, a).attributes('tabindex')).toBe('-1')
    ;(row(wrapper, b).element as HTMLElement).focus()
    await row(wrapper, b).trigger('keydown', { key: 'ArrowUp' })
    await flushPromises()
    expect(document.activeElement).toBe(row(wrapper, a).element)
    expect(row(wrapper, a).attributes('tabindex')).toBe('0')
    await row(wrapper, a).trigger('keydown', { key: 'F10', shiftKey: true })
    await nextTick()
    const menu = wrapper.get('[role="menu"]')
    expect(document.activeElement?.textContent?.trim()).toBe('Reply')
    await menu.trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement?.textContent?.trim()).toBe('React')
    await menu.trigger('keydown', { key: 'ArrowUp' })
    await menu.trigger('keydown', { key: 'ArrowUp' }) // wraps to the end
    expect(document.activeElement?.textContent?.trim()).toBe('Copy link')
    await menu.trigger('keydown', { key: 'Home' })
    ;(document.activeElement as HTMLElement).click()
    expect(useComposeStore().modeOf(roomId)).toEqual({ kind: 'reply', target: a })
    await nextTick()
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
  })

  it('opens the menu with the ContextMenu key too', async () => {
    const m = own('mine')
    const { wrapper } = show([m])
    await row(wrapper, m).trigger('keydown', { key: 'ContextMenu' })
    expect(menuItems(wrapper)).toEqual(['Reply', 'React', 'Edit', 'Delete', 'Copy text', 'Copy link'])
  })

  it('starts an edit of your own message in the composer', async () => {
    const m = own('tpyo')
    const { wrapper } = show([m])
    await row(wrapper, m).get('[data-action="edit"]').trigger('click')
    expect(useComposeStore().modeOf(roomId)).toMatchObject({ kind: 'edit', target: m })
  })

  it('deletes your own message only after you confirm, and shows the stub', async () => {
    const m = own('oops')
    const { wrapper } = show([m])
    vi.mocked(api.deleteMessage).mockResolvedValue({ ...m, text: '', deleted: true })
    await row(wrapper, m).get('[data-action="delete"]').trigger('click')
    const dialog = wrapper.get('[role="dialog"]')
    expect(dialog.text()).toContain('Delete this message?')
    await dialog.get('[data-testid="cancel-delete"]').trigger('click')
    expect(api.deleteMessage).not.toHaveBeenCalled()
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)

    await row(wrapper, m).get('[data-action="delete"]').trigger('click')
    await wrapper.get('[data-testid="confirm"]').trigger('click')
    await flushPromises()
    expect(api.deleteMessage).toHaveBeenCalledWith(roomId, m.id)
    expect(row(wrapper, m).get('[data-testid="deleted-stub"]').text()).toBe('This message was deleted')
    expect(row(wrapper, m).find('.message-text').exists()).toBe(false)
    expect(row(wrapper, m).find('[data-testid="message-actions"]').exists()).toBe(false)
    await row(wrapper, m).trigger('contextmenu')
    expect(menuItems(wrapper)).toEqual(['Copy link'])
  })

  it("lets the owner or a moderator delete someone else's message, saying who removed it", async () => {
    const theirs = { ...message('out of line'), authorName: 'Mallory' }
    const { wrapper } = show([theirs], {}, true)
    vi.mocked(api.deleteMessage).mockResolvedValue({ ...theirs, text: '', deleted: true, removed: true, removedBy: 'Ada' })
    await row(wrapper, theirs).trigger('contextmenu')
    expect(menuItems(wrapper)).toEqual(['Reply', 'React', 'Delete', 'Copy text', 'Copy link'])
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'Escape' })
    await row(wrapper, theirs).get('[data-action="delete"]').trigger('click')
    const dialog = wrapper.get('[role="dialog"]')
    expect(dialog.text()).toContain("Delete Mallory's message?")
    expect(dialog.text()).toContain('a note that you removed it stays')
    await dialog.get('[data-testid="confirm"]').trigger('click')
    await flushPromises()
    expect(api.deleteMessage).toHaveBeenCalledWith(roomId, theirs.id)
    expect(row(wrapper, theirs).get('[data-testid="deleted-stub"]').text()).toBe('Removed by Ada')
  })

  it('closes the menu on a click outside it without doing anything', async () => {
    const m = own('x')
    const { wrapper } = show([m])
    await row(wrapper, m).trigger('contextmenu')
    await wrapper.get('.backdrop').trigger('click')
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
    expect(api.deleteMessage).not.toHaveBeenCalled()
    expect(useComposeStore().modeOf(roomId)).toBeUndefined()
  })

  it('closes the delete confirmation with Escape', async () => {
    const m = own('oops')
    const { wrapper } = show([m])
    await row(wrapper, m).get('[data-action="delete"]').trigger('click')
    await wrapper.get('[role="dialog"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(api.deleteMessage).not.toHaveBeenCalled()
  })

  it('copies the text and a link to the message', async () => {
    const m = message('the plan')
    const { wrapper } = show([m])
    vi.mocked(api.copyText).mockResolvedValue()
    await row(wrapper, m).trigger('contextmenu')
    await wrapper.get('[data-action="copyText"]').trigger('click')
    await flushPromises()
    expect(api.copyText).toHaveBeenLastCalledWith('the plan')
    await row(wrapper, m).trigger('contextmenu')
    await wrapper.get('[data-action="copyLink"]').trigger('click')
    await flushPromises()
    expect(api.copyText).toHaveBeenLastCalledWith(`parley://message/${roomId}/${m.id}`)
    expect(wrapper.get('[data-testid="action-notice"]').text()).toBe('Link copied')
  })

  it('says in one sentence when an action fails', async () => {
    const m = message('x')
    const { wrapper } = show([m])
    vi.mocked(api.copyText).mockRejectedValue(new Error('clipboard denied'))
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    await row(wrapper, m).trigger('contextmenu')
    await wrapper.get('[data-action="copyText"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain('The text could not be copied; try again.')
    expect(wrapper.get('[role="alert"]').text()).not.toContain('clipboard denied')
    expect(log).toHaveBeenCalled() // the detail goes to the log
    log.mockRestore()
  })

  it('reacts through the picker and remembers the emoji as recently used', async () => {
    const m = message('ship it?')
    const { wrapper } = show([m])
    vi.mocked(api.react).mockResolvedValue({ ...m, reactions: [{ emoji: '🚀', count: 1, mine: true, by: ['Ada'] }] })
    await row(wrapper, m).get('[data-action="react"]').trigger('click')
    const picker = wrapper.get('[data-testid="emoji-picker"]')
    expect(picker.attributes('role')).toBe('dialog')
    expect(picker.text()).not.toContain('Recently used')
    await picker.get('button[aria-label="rocket"]').trigger('click')
    await flushPromises()
    expect(api.react).toHaveBeenCalledWith(roomId, m.id, '🚀')
    expect(wrapper.find('[data-testid="emoji-picker"]').exists()).toBe(false)
    const chip = row(wrapper, m).get('[data-testid="reaction"]')
    expect(chip.text()).toContain('🚀')
    expect(chip.text()).toContain('1')
    expect(chip.attributes('aria-pressed')).toBe('true')

    await row(wrapper, m).get('[data-testid="add-reaction"]').trigger('click') // the "+" chip
    const again = wrapper.get('[data-testid="emoji-picker"]')
    expect(again.get('section').text()).toContain('Recently used')
    expect(again.get('section').find('button[aria-label="rocket"]').exists()).toBe(true)
  })

  it('moves through the picker with the arrow keys and closes it with Escape', async () => {
    const m = message('x')
    const { wrapper } = show([m])
    await row(wrapper, m).get('[data-action="react"]').trigger('click')
    await flushPromises()
    const picker = wrapper.get('[data-testid="emoji-picker"]')
    expect(document.activeElement?.getAttribute('aria-label')).toBe('grinning')
    await picker.trigger('keydown', { key: 'ArrowRight' })
    await nextTick()
    expect(document.activeElement?.getAttribute('aria-label')).toBe('tears of joy')
    await picker.trigger('keydown', { key: 'ArrowDown' }) // the next row (the next group), same column
    await nextTick()
    expect(document.activeElement?.getAttribute('aria-label')).toBe('thumbs down')
    await picker.trigger('keydown', { key: 'End' })
    await nextTick()
    expect(document.activeElement?.getAttribute('aria-label')).toBe('sun')
    await picker.trigger('keydown', { key: 'ArrowUp' })
    await nextTick()
    expect(document.activeElement?.getAttribute('aria-label')).toBe('question')
    await picker.trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[data-testid="emoji-picker"]').exists()).toBe(false)
  })

  it('shows reactions with counts and who reacted, and toggles yours on a click', async () => {
    const m: Message = {
      ...message('lunch?'),
      reactions: [
        { emoji: '👍', count: 2, mine: true, by: ['Ada', 'Bob'] },
        { emoji: '🍕', count: 1, mine: false, by: ['Cy'] },
      ],
    }
    const { wrapper } = show([m])
    vi.mocked(api.react).mockResolvedValue({ ...m, reactions: [m.reactions[1]!] })
    const chips = row(wrapper, m).findAll('[data-testid="reaction"]')
    expect(chips.map((c) => c.text().replace(/\s+/g, ''))).toEqual(['👍2', '🍕1'])
    expect(chips[0]!.attributes('title')).toBe('Ada, Bob')
    expect(chips[0]!.attributes('aria-label')).toContain('2 reactions from Ada, Bob')
    expect(chips[0]!.classes()).toContain('mine')
    expect(chips[1]!.attributes('aria-pressed')).toBe('false')
    await chips[0]!.trigger('click')
    await flushPromises()
    expect(api.react).toHaveBeenCalledWith(roomId, m.id, '👍')
    expect(row(wrapper, m).findAll('[data-testid="reaction"]').map((c) => c.attributes('data-emoji'))).toEqual(['🍕'])
  })

  it('marks an edited message', () => {
    const m = { ...message('fixed'), edited: true }
    expect(row(show([m]).wrapper, m).get('[data-testid="edited"]').text()).toBe('(edited)')
  })

  it('quotes the message a reply answers and jumps to it', async () => {
    const original = message('where do we meet?')
    const filler = Array.from({ length: 3 }, (_, i) => message(`filler ${i}`))
    const reply: Message = {
      ...message('at the station'),
      replyTo: original.id,
      replyPreview: { id: original.id, authorName: 'Bob', authorShort: 'peer-b', text: 'where do we meet?', deleted: false, missing: false },
    }
    const { wrapper, store } = show([...filler, reply])
    vi.mocked(api.history).mockResolvedValue([])
    vi.mocked(api.historyAfter).mockResolvedValue([original, ...filler, reply])
    const quote = row(wrapper, reply).get('[data-testid="reply-quote"]')
    expect(quote.text()).toContain('Bob')
    expect(quote.text()).toContain('where do we meet?')
    await quote.trigger('click')
    await flushPromises()
    expect(api.history).toHaveBeenCalledWith(roomId, original.id, expect.any(Number))
    await wrapper.setProps({ view: store.views[roomId]! })
    await flushPromises()
    expect(row(wrapper, original).classes()).toContain('flash')
    expect(store.views[roomId]!.highlightId).toBeNull() // shown: the mark is used up
  })

  it('says when the quoted message was deleted or is not here', () => {
    const base = { authorName: 'Bob', authorShort: 'peer-b', text: '' }
    const gone: Message = { ...message('re'), replyTo: 'x', replyPreview: { id: 'x', ...base, deleted: true, missing: false } }
    const away: Message = { ...message('re'), replyTo: 'y', replyPreview: { id: 'y', ...base, deleted: false, missing: true } }
    const { wrapper } = show([gone, away])
    expect(row(wrapper, gone).get('[data-testid="reply-quote"]').text()).toContain('deleted message')
    const missing = row(wrapper, away).get('[data-testid="reply-quote"]')
    expect(missing.text()).toContain('message not loaded')
    expect(missing.element.tagName).not.toBe('BUTTON') // nothing to jump to
  })

  it('marks a message that mentions you, in words as well as colour', () => {
    const m = { ...message('@Ada look'), mentionsMe: true }
    const r = row(show([m]).wrapper, m)
    expect(r.classes()).toContain('mentions-me')
    expect(r.get('[data-testid="mention-badge"]').text()).toContain('Mentions you')
  })

  it('tells renames and topic changes in a centred line', () => {
    const rename: Message = { ...message('Plans'), kind: 'roomName', authorName: 'Ada' }
    const { wrapper } = show([message('hi'), rename])
    expect(wrapper.get('[data-testid="system-line"]').text()).toContain('Ada renamed the room to Plans')
    expect(wrapper.findAll('article')).toHaveLength(1)
  })

  it('invites a first message in an empty room, but not where the user cannot write', async () => {
    const { wrapper } = show([])
    expect(wrapper.get('.empty').text()).toBe('No messages yet. Say hello!')
    await wrapper.setProps({ emptyText: 'No messages here yet.' })
    expect(wrapper.get('.empty').text()).toBe('No messages here yet.')
  })

  it("tells a private room's membership change in a centred line, as text, never as HTML", () => {
    const line: Message = { ...message('<b>Ada</b> removed <img src=x onerror=alert(1)>Bob'), kind: 'member', authorName: 'Ada' }
    const { wrapper } = show([message('hi'), line])
    const system = wrapper.get('[data-testid="system-line"]')
    expect(system.text()).toContain('<b>Ada</b> removed <img src=x onerror=alert(1)>Bob')
    expect(system.find('b').exists()).toBe(false)
    expect(system.find('img').exists()).toBe(false)
    expect(wrapper.findAll('article')).toHaveLength(1)
  })

  describe('names, not fingerprints', () => {
    const from = (text: string, peerId: string, name: string): Message => ({ ...message(text, peerId), authorName: name, authorShort: peerId.slice(-8) })
    const header = (w: VueWrapper, m: Message) => row(w, m).get('header')

    it('shows no fingerprint beside distinct names, and "Someone" for no name', () => {
      const bob = from('hi', 'peer-bob00001', 'Bob')
      const carol = from('hello', 'peer-carol0001', 'Carol')
      const nobody = from('who am I', 'peer-nobody001', '')
      const { wrapper } = show([bob, carol, nobody])
      expect(wrapper.findAll('[data-testid="fingerprint"]')).toHaveLength(0)
      for (const m of [bob, carol, nobody]) expect(wrapper.text()).not.toContain(m.authorShort)
      expect(header(wrapper, nobody).text()).toContain('Someone')
    })

    it('shows the fingerprint beside a name two authors share, and only there', () => {
      const bob = from('hi', 'peer-bob00001', 'Bob')
      const otherBob = from('me too', 'peer-bob00002', ' bob ')
      const carol = from('hello', 'peer-carol0001', 'Carol')
      const { wrapper } = show([bob, otherBob, carol])
      expect(header(wrapper, bob).get('[data-testid="fingerprint"]').text()).toBe('bob00001')
      expect(header(wrapper, otherBob).get('[data-testid="fingerprint"]').text()).toBe('bob00002')
      expect(header(wrapper, carol).find('[data-testid="fingerprint"]').exists()).toBe(false)
      expect(row(wrapper, bob).attributes('aria-label')).toMatch(/^Bob bob00001, /)
    })

    it('shows it too when a member who has not written shares the name', async () => {
      vi.mocked(api.members).mockResolvedValue([{ ...member('Bob', true), peerId: 'peer-quiet' }, member('Carol', true)])
      await useMembersStore().load(roomId)
      const bob = from('hi', 'peer-bob00001', 'Bob')
      const carol = from('hello', 'peer-Carol', 'Carol') // the member Carol herself
      const { wrapper } = show([bob, carol])
      expect(header(wrapper, bob).find('[data-testid="fingerprint"]').exists()).toBe(true)
      expect(header(wrapper, carol).find('[data-testid="fingerprint"]').exists()).toBe(false)
    })

    it('never puts a fingerprint beside your own messages ("You")', () => {
      const mine = { ...own('mine'), authorName: 'Bob' }
      const bob = from('hi', 'peer-bob00001', 'Bob')
      const { wrapper } = show([mine, bob])
      expect(header(wrapper, mine).text()).toContain('You')
      expect(header(wrapper, mine).find('[data-testid="fingerprint"]').exists()).toBe(false)
      expect(header(wrapper, bob).find('[data-testid="fingerprint"]').exists()).toBe(true)
    })
  })

  it('shows the full date and time on the time of a message', () => {
    const m = message('x')
    const time = row(show([m]).wrapper, m).get('time')
    expect(time.attributes('title')).toContain(String(new Date(m.sentAt).getFullYear()))
  })

  describe('following the newest message', () => {
    // The test DOM has no layout and no ResizeObserver: the list's box reports
    // the sizes the test sets, and the test calls the observer itself.
    // The observers made, with what each watches: the test finds the one on the rows' canvas.
    let observers: { fn: () => void; targets: Element[] }[] = []
    beforeEach(() => {
      vi.stubGlobal(
        'ResizeObserver',
        class {
          targets: Element[] = []
          constructor(fn: () => void) {
            observers.push({ fn, targets: this.targets })
          }
          observe(el: Element) {
            this.targets.push(el)
          }
          unobserve() {}
          disconnect() {}
        },
      )
    })
    afterEach(() => {
      vi.unstubAllGlobals()
      observers = []
    })
    /** Tells the observers of the canvas that it changed size. */
    const resized = () => observers.filter((o) => o.targets.some((t) => t.classList.contains('canvas'))).forEach((o) => o.fn())

    /** The list holds height pixels of rows and is scrolled to top; scrollTo calls are recorded. */
    async function box(w: VueWrapper, height: number, top: number) {
      const el = w.get('[data-testid="message-list"]').element as HTMLElement
      const scrolls: number[] = []
      let scrollHeight = height
      Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => scrollHeight })
      Object.defineProperty(el, 'scrollTop', { configurable: true, get: () => top, set: () => {} })
      el.scrollTo = ((o: ScrollToOptions) => scrolls.push(o.top ?? -1)) as typeof el.scrollTo
      await flushPromises()
      return { scrolls, grow: (px: number) => (scrollHeight += px) }
    }

    it('stays at the bottom when a row below the top grows (reactions, an edit, a quote)', async () => {
      const items = Array.from({ length: 5 }, (_, i) => message(`m ${i}`))
      const { wrapper } = show(items)
      await flushPromises()
      const { scrolls, grow } = await box(wrapper, 2000, 1400) // at the bottom: 2000 - 1400 - 600
      grow(40)
      resized()
      expect(scrolls.length).toBeGreaterThan(0)
    })

    it('stays put when the user has scrolled up', async () => {
      const items = Array.from({ length: 5 }, (_, i) => message(`m ${i}`))
      const { wrapper } = show(items, { following: false })
      await flushPromises()
      const { scrolls, grow } = await box(wrapper, 2000, 200)
      grow(40)
      resized()
      expect(scrolls).toEqual([])
    })
  })

  it('scrolls to and marks the message a jump asked for', async () => {
    const items = Array.from({ length: 5 }, (_, i) => message(`m ${i}`))
    const { wrapper, store } = show(items, { highlightId: items[1]!.id, following: false })
    await flushPromises()
    expect(row(wrapper, items[1]!).classes()).toContain('flash')
    expect(document.activeElement).toBe(row(wrapper, items[1]!).element)
    expect(store.views[roomId]!.highlightId).toBeNull()
  })
})
