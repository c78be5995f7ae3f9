import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Member, Message } from '@/api'
import { useComposeStore } from '@/stores/compose'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore } from '@/stores/messages'
import { useRoomsStore } from '@/stores/rooms'
import { useDialogsStore } from '@/stores/dialogs'
import { useTypingStore } from '@/stores/typing'
import { me, member, message, room, roomId } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: {
    send: vi.fn(),
    reply: vi.fn(),
    edit: vi.fn(),
    deleteMessage: vi.fn(),
    typing: vi.fn(),
    members: vi.fn(),
    history: vi.fn(),
    historyAfter: vi.fn(),
    rooms: vi.fn(),
    sendFile: vi.fn(),
    fileLimits: vi.fn(),
  },
}))

import { api } from '@/api'
import MessageComposer from './MessageComposer.vue'

const mounted: VueWrapper[] = []

/** A composer for the fixture room whose draft round-trips like ChatView's v-model. */
function composer(draft = '') {
  const wrapper = mount(MessageComposer, {
    props: {
      draft,
      roomId,
      'onUpdate:draft': (text: string) => wrapper.setProps({ draft: text }),
    },
    attachTo: document.body,
  })
  mounted.push(wrapper)
  return wrapper
}

const box = (w: VueWrapper) => w.get<HTMLTextAreaElement>('textarea')

/** Types text as the user would: the value changes, the caret sits at its end. */
async function type(w: VueWrapper, text: string): Promise<void> {
  const el = box(w).element
  el.focus()
  el.value = text
  el.setSelectionRange(text.length, text.length)
  await box(w).trigger('input')
}

async function press(w: VueWrapper, key: string, opts: Record<string, unknown> = {}): Promise<void> {
  await box(w).trigger('keydown', { key, ...opts })
  await flushPromises()
}

/** The room's view holds these messages, as if loaded. */
function loaded(...items: Message[]): void {
  useMessagesStore().views[roomId] = {
    items,
    hasOlder: false,
    hasNewer: false,
    firstUnreadId: null,
    loading: false,
    following: true,
    newBelow: false,
    newCount: 0,
    highlightId: null,
  }
}

async function withMembers(...list: Member[]): Promise<void> {
  vi.mocked(api.members).mockResolvedValue(list)
  await useMembersStore().load(roomId)
}

const self: Member = { ...member('Ada', true), peerId: me.peerId, me: true }

describe('MessageComposer', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    vi.clearAllMocks()
    vi.mocked(api.typing).mockResolvedValue()
  })
  afterEach(() => {
    while (mounted.length) mounted.pop()!.unmount()
    vi.useRealTimers()
  })

  describe('new messages', () => {
    it('sends the draft on Enter through the send event (the outbox path) and clears it', async () => {
      const wrapper = composer('hello')
      await press(wrapper, 'Enter')
      expect(wrapper.emitted('send')).toEqual([['hello']])
      expect(wrapper.emitted('update:draft')).toEqual([['']])
      expect(api.reply).not.toHaveBeenCalled()
      expect(api.send).not.toHaveBeenCalled()
    })

    it('keeps Shift+Enter for a new line', async () => {
      const wrapper = composer('line one')
      await press(wrapper, 'Enter', { shiftKey: true })
      expect(wrapper.emitted('send')).toBeUndefined()
    })

    it('does not send blank text', async () => {
      const wrapper = composer('  \n ')
      await press(wrapper, 'Enter')
      expect(wrapper.emitted('send')).toBeUndefined()
    })

    it('reports every edit so the draft outlives a room switch', async () => {
      const wrapper = composer('')
      await box(wrapper).setValue('half a thought')
      expect(wrapper.emitted('update:draft')?.at(-1)).toEqual(['half a thought'])
    })

    it('keeps the focus in the box after sending', async () => {
      const wrapper = composer('')
      await type(wrapper, 'hi')
      await press(wrapper, 'Enter')
      expect(wrapper.emitted('send')).toEqual([['hi']])
      expect(document.activeElement).toBe(box(wrapper).element)
    })

    it('has a label a screen reader announces', () => {
      const wrapper = composer('')
      const id = box(wrapper).attributes('id')
      expect(wrapper.get(`label[for="${id}"]`).text()).toBe('Message')
    })
  })

  describe('reply', () => {
    it('shows whom it answers, sends with Enter as a reply, then clears the bar and the text', async () => {
      const target = message('Shall we meet at noon tomorrow?')
      loaded(target)
      const answer = { ...message('yes', me.peerId, true), replyTo: target.id }
      vi.mocked(api.reply).mockResolvedValue(answer)
      const wrapper = composer('')
      useComposeStore().startReply(roomId, target)
      await flushPromises()
      expect(wrapper.get('[data-testid="composer-reply"]').text()).toContain('Replying to Bob: Shall we meet at noon tomorrow?')
      expect(document.activeElement).toBe(box(wrapper).element) // the list's Reply action leads here

      await type(wrapper, 'yes')
      await press(wrapper, 'Enter')
      expect(api.reply).toHaveBeenCalledWith(roomId, target.id, 'yes')
      expect(wrapper.emitted('send')).toBeUndefined()
      expect(box(wrapper).element.value).toBe('')
      expect(wrapper.find('[data-testid="composer-reply"]').exists()).toBe(false)
      expect(useMessagesStore().views[roomId]!.items.map((m) => m.text)).toEqual([target.text, 'yes'])
    })

    it('keeps the text and the bar when the reply fails, and says why', async () => {
      const target = message('question')
      vi.mocked(api.reply).mockRejectedValue(new Error('room not joined'))
      const wrapper = composer('')
      useComposeStore().startReply(roomId, target)
      await type(wrapper, 'my answer')
      await press(wrapper, 'Enter')
      expect(box(wrapper).element.value).toBe('my answer')
      expect(wrapper.find('[data-testid="composer-reply"]').exists()).toBe(true)
      expect(wrapper.get('[role="alert"]').text()).toBe('The reply was not sent (room not joined); press Enter to try again.')
    })

    it('is cancelled with Esc or the × button, keeping what was typed', async () => {
      const wrapper = composer('')
      const compose = useComposeStore()
      compose.startReply(roomId, message('one'))
      await type(wrapper, 'draft')
      await press(wrapper, 'Escape')
      expect(compose.modeOf(roomId)).toBeUndefined()
      expect(wrapper.find('[data-testid="composer-reply"]').exists()).toBe(false)
      expect(box(wrapper).element.value).toBe('draft')

      compose.startReply(roomId, message('two'))
      await flushPromises()
      await wrapper.get('button[aria-label="Cancel reply"]').trigger('click')
      expect(compose.modeOf(roomId)).toBeUndefined()
      expect(document.activeElement).toBe(box(wrapper).element)
    })
  })

  describe('edit', () => {
    it('Up arrow in an empty box edits your newest message; Enter saves it', async () => {
      const older = message('first try', me.peerId, true)
      const newest = message('secnod try', me.peerId, true)
      const gone = { ...message('', me.peerId, true), deleted: true }
      loaded(older, newest, message('from Bob'), gone)
      vi.mocked(api.edit).mockResolvedValue({ ...newest, text: 'second try', edited: true })
      const wrapper = composer('')
      box(wrapper).element.focus()
      await press(wrapper, 'ArrowUp')
      expect(wrapper.get('[data-testid="composer-edit"]').text()).toContain('Editing message')
      expect(box(wrapper).element.value).toBe('secnod try')

      await type(wrapper, 'second try')
      await press(wrapper, 'Enter')
      expect(api.edit).toHaveBeenCalledWith(roomId, newest.id, 'second try')
      expect(wrapper.find('[data-testid="composer-edit"]').exists()).toBe(false)
      const shown = useMessagesStore().views[roomId]!.items.find((m) => m.id === newest.id)!
      expect([shown.text, shown.edited]).toEqual(['second try', true])
      expect(api.typing).not.toHaveBeenCalled() // edits are not typing
    })

    it('leaves Up arrow alone when the box has text or you have written nothing', async () => {
      loaded(message('mine', me.peerId, true))
      const wrapper = composer('some text')
      await press(wrapper, 'ArrowUp')
      expect(useComposeStore().modeOf(roomId)).toBeUndefined()

      loaded(message('theirs'))
      await wrapper.setProps({ draft: '' })
      await press(wrapper, 'ArrowUp')
      expect(useComposeStore().modeOf(roomId)).toBeUndefined()
    })

    it('puts the draft back after the edit, saved or cancelled', async () => {
      const mine = message('old text', me.peerId, true)
      vi.mocked(api.edit).mockResolvedValue({ ...mine, text: 'new text', edited: true })
      const wrapper = composer('half a thought')
      const compose = useComposeStore()
      compose.startEdit(roomId, mine) // the list's Edit action
      await flushPromises()
      expect(box(wrapper).element.value).toBe('old text')
      await press(wrapper, 'Escape')
      expect(box(wrapper).element.value).toBe('half a thought')

      compose.startEdit(roomId, mine)
      await flushPromises()
      await type(wrapper, 'new text')
      await press(wrapper, 'Enter')
      expect(api.edit).toHaveBeenCalledWith(roomId, mine.id, 'new text')
      expect(box(wrapper).element.value).toBe('half a thought')
      expect(wrapper.emitted('update:draft')).toBeUndefined() // the draft was never touched
    })

    it('keeps the edit open with its text when saving fails', async () => {
      const mine = message('old', me.peerId, true)
      vi.mocked(api.edit).mockRejectedValue(new Error('not your message'))
      const wrapper = composer('')
      useComposeStore().startEdit(roomId, mine)
      await type(wrapper, 'newer')
      await press(wrapper, 'Enter')
      expect(box(wrapper).element.value).toBe('newer')
      expect(wrapper.get('[role="alert"]').text()).toBe('The edit was not saved (not your message); press Enter to try again.')
    })

    it('asks before deleting when the edited text is empty, and deletes on a second Enter', async () => {
      const mine = message('oops', me.peerId, true)
      loaded(mine)
      vi.mocked(api.deleteMessage).mockResolvedValue({ ...mine, text: '', deleted: true })
      const wrapper = composer('')
      useComposeStore().startEdit(roomId, mine)
      await type(wrapper, '')
      await press(wrapper, 'Enter')
      expect(api.edit).not.toHaveBeenCalled()
      expect(api.deleteMessage).not.toHaveBeenCalled()
      expect(wrapper.get('[data-testid="composer-ask-delete"]').text()).toContain('delete it instead?')

      await press(wrapper, 'Enter')
      expect(api.deleteMessage).toHaveBeenCalledWith(roomId, mine.id)
      expect(useMessagesStore().views[roomId]!.items[0]!.deleted).toBe(true)
      expect(useComposeStore().modeOf(roomId)).toBeUndefined()
    })

    it('keeps editing when the delete question is answered with Esc', async () => {
      const mine = message('oops', me.peerId, true)
      const wrapper = composer('')
      useComposeStore().startEdit(roomId, mine)
      await type(wrapper, '')
      await press(wrapper, 'Enter')
      await press(wrapper, 'Escape')
      expect(wrapper.find('[data-testid="composer-ask-delete"]').exists()).toBe(false)
      expect(useComposeStore().modeOf(roomId)?.kind).toBe('edit')
      await press(wrapper, 'Enter')
      expect(api.deleteMessage).not.toHaveBeenCalled() // asked again, not deleted
    })
  })

  describe('mentions', () => {
    beforeEach(() => withMembers(self, member('Bob', true), member('Bea Smith', false), member('Cy', true)))

    const options = (w: VueWrapper) => w.findAll('[role="listbox"] [role="option"]').map((o) => o.find('.name').text())

    it('offers the members matching what follows @, and inserts the picked name with Enter', async () => {
      const wrapper = composer('')
      await type(wrapper, 'hi @')
      expect(options(wrapper)).toEqual(['Bob', 'Bea Smith', 'Cy']) // never yourself
      await type(wrapper, 'hi @b')
      expect(options(wrapper)).toEqual(['Bob', 'Bea Smith'])
      expect(box(wrapper).attributes('aria-activedescendant')).toBe(wrapper.findAll('[role="option"]')[0]!.attributes('id'))
      await press(wrapper, 'ArrowDown')
      expect(wrapper.findAll('[role="option"]')[1]!.attributes('aria-selected')).toBe('true')
      await press(wrapper, 'Enter')
      expect(box(wrapper).element.value).toBe('hi @Bea Smith ')
      expect(wrapper.emitted('send')).toBeUndefined() // Enter picked, it did not send
      expect(wrapper.find('[role="listbox"]').exists()).toBe(false)
    })

    it('picks with Tab, matches a later word of the name, and wraps around with the arrows', async () => {
      const wrapper = composer('')
      await type(wrapper, '@sm')
      expect(options(wrapper)).toEqual(['Bea Smith'])
      await type(wrapper, '@')
      await press(wrapper, 'ArrowUp') // from the first to the last
      await press(wrapper, 'Tab')
      expect(box(wrapper).element.value).toBe('@Cy ')
    })

    it('closes with Esc without leaving a mode or sending', async () => {
      const wrapper = composer('')
      useComposeStore().startReply(roomId, message('q'))
      await flushPromises()
      await type(wrapper, 'ask @bo')
      expect(options(wrapper)).toEqual(['Bob'])
      await press(wrapper, 'Escape')
      expect(wrapper.find('[role="listbox"]').exists()).toBe(false)
      expect(useComposeStore().modeOf(roomId)?.kind).toBe('reply') // Esc closed the list only
    })

    it('stays closed for an @ inside a word, such as an e-mail address', async () => {
      const wrapper = composer('')
      await type(wrapper, 'mail bob@b')
      expect(wrapper.find('[role="listbox"]').exists()).toBe(false)
      await type(wrapper, '@zed')
      expect(wrapper.find('[role="listbox"]').exists()).toBe(false) // nobody matches
    })

    it('picks with the pointer', async () => {
      const wrapper = composer('')
      await type(wrapper, 'hey @c')
      await wrapper.get('[role="option"]').trigger('click')
      await flushPromises()
      expect(box(wrapper).element.value).toBe('hey @Cy ')
    })
  })

  describe('typing', () => {
    it('tells the room at most once every 3 seconds while text is typed', async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(1_000_000)
      const wrapper = composer('')
      await type(wrapper, 'h')
      await type(wrapper, 'he')
      vi.setSystemTime(1_002_999)
      await type(wrapper, 'hel')
      expect(api.typing).toHaveBeenCalledTimes(1)
      expect(api.typing).toHaveBeenCalledWith(roomId)
      vi.setSystemTime(1_003_000)
      await type(wrapper, 'hell')
      expect(api.typing).toHaveBeenCalledTimes(2)
    })

    it('says nothing for an emptied box or for an edit', async () => {
      const wrapper = composer('')
      await type(wrapper, '   ')
      expect(api.typing).not.toHaveBeenCalled()
      useComposeStore().startEdit(roomId, message('mine', me.peerId, true))
      await type(wrapper, 'mine, fixed')
      expect(api.typing).not.toHaveBeenCalled()
    })

    it('does not fail the composer when the typing call fails', async () => {
      vi.mocked(api.typing).mockRejectedValue(new Error('offline'))
      const wrapper = composer('')
      await type(wrapper, 'x')
      await flushPromises()
      expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    })

    it('shows who is typing above the box', async () => {
      const wrapper = composer('')
      useTypingStore().seen({ room: roomId, peerId: 'peer-b', shortId: 'b', name: 'Bob' })
      await flushPromises()
      const line = wrapper.get('[data-testid="typing-indicator"]')
      expect(line.text()).toBe('Bob is typing…')
      expect(line.attributes('aria-live')).toBe('polite')
    })
  })

  describe('nobody online', () => {
    const note = (w: VueWrapper) => w.find('[data-testid="nobody-online"]')

    it('says so before sending when no other member is connected', async () => {
      await withMembers(self, member('Bob', false))
      const wrapper = composer('')
      expect(note(wrapper).text()).toBe('Nobody is online; your message goes out when someone comes back.')
      expect(box(wrapper).attributes('aria-describedby')).toContain(note(wrapper).attributes('id'))
    })

    it('says nothing when someone is online, or before the members are known', async () => {
      const wrapper = composer('')
      expect(note(wrapper).exists()).toBe(false)
      await withMembers(self, member('Bob', true))
      expect(note(wrapper).exists()).toBe(false)
    })
  })

  describe('a private room', () => {
    it('is off with the reason while the user waits to be let in, or was removed, and sends nothing', async () => {
      await withMembers(self)
      const wrapper = composer('hello')
      await wrapper.setProps({ blocked: 'You can write here once a member lets you in.' })
      const note = wrapper.get('[data-testid="composer-blocked"]')
      expect(note.text()).toBe('You can write here once a member lets you in.')
      expect(box(wrapper).attributes('disabled')).toBeDefined()
      expect(box(wrapper).attributes('aria-describedby')).toContain(note.attributes('id'))
      expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined()
      expect(wrapper.find('[data-testid="invite-hint"]').exists()).toBe(false) // nobody else, but not the user's to fix
      await wrapper.get('form').trigger('submit')
      expect(wrapper.emitted('send')).toBeUndefined()
    })

    it("asks its owner, alone in it, to invite people through the room's dialog, not a copied link", async () => {
      vi.mocked(api.rooms).mockResolvedValue([room({ private: true, myRole: 'owner' })])
      await useRoomsStore().load()
      await withMembers({ ...self, role: 'owner' })
      const wrapper = composer('')
      expect(wrapper.get('[data-testid="invite-hint"]').text()).toContain('Nobody else is in this room yet')
      expect(wrapper.find('[data-testid="hint-copy-invite"]').exists()).toBe(false)
      await wrapper.get('[data-testid="hint-invite-people"]').trigger('click')
      expect(useDialogsStore().open).toBe('invite')
    })
  })

  describe('in a direct conversation', () => {
    it('says where the message goes by the person\'s name, with no "#"', async () => {
      vi.mocked(api.rooms).mockResolvedValue([room({ name: 'Bob', private: true, direct: true, myRole: 'owner' })])
      await useRoomsStore().load()
      expect(box(composer('')).attributes('placeholder')).toBe('Message Bob')
      vi.mocked(api.rooms).mockResolvedValue([room({ name: 'plans' })])
      await useRoomsStore().load()
      await flushPromises()
      expect(box(mounted[mounted.length - 1]!).attributes('placeholder')).toBe('Message #plans')
    })
  })

  describe('files', () => {
    /** Pastes files into the box, as a clipboard holding them would. */
    async function paste(w: VueWrapper, files: File[]): Promise<void> {
      const event = new Event('paste', { bubbles: true, cancelable: true }) as ClipboardEvent
      Object.defineProperty(event, 'clipboardData', { value: { files } })
      box(w).element.dispatchEvent(event)
      await flushPromises()
    }

    beforeEach(() => {
      vi.mocked(api.fileLimits).mockResolvedValue({ maxFileMiB: 1, autoMiB: 1, capMiB: 64 })
      vi.mocked(api.sendFile).mockReset()
    })

    it('sends pasted files one message each, the caption with the first', async () => {
      vi.mocked(api.sendFile).mockResolvedValue(message("m1"))
      const w = composer()
      await paste(w, [new File(['png'], '', { type: 'image/png' }), new File(['b'], 'notes.txt')])
      expect(w.findAll('[data-testid="attachment"]').map((a) => a.find('.name').text())).toEqual(['Pasted image.png', 'notes.txt'])
      await type(w, 'from today')
      await press(w, 'Enter')
      expect(vi.mocked(api.sendFile).mock.calls.map((c) => [c[0], c[2], c[3]])).toEqual([
        [roomId, 'Pasted image.png', 'from today'],
        [roomId, 'notes.txt', ''],
      ])
      expect(w.find('[data-testid="attachments"]').exists()).toBe(false)
      expect(box(w).element.value).toBe('')
    })

    it('says a file is over the limit and sends nothing of it', async () => {
      const w = composer()
      await paste(w, [new File([new Uint8Array(3 * 1024 * 1024)], 'video.mp4')])
      expect(w.get('[data-testid="attachment-too-large"]').text()).toBe('This file is 3 MB; the limit is 1 MB.')
      expect(w.get('button[type="submit"]').attributes('disabled')).toBeDefined()
      await press(w, 'Enter')
      expect(api.sendFile).not.toHaveBeenCalled()
    })

    it('keeps a file that failed, and says which', async () => {
      vi.mocked(api.sendFile).mockRejectedValue(new Error('Files already take all the space allowed for them.'))
      const w = composer()
      await paste(w, [new File(['x'], 'plan.pdf')])
      await press(w, 'Enter')
      expect(w.get('[data-testid="composer-error"]').text()).toContain('plan.pdf was not sent: Files already take all the space allowed for them.')
      expect(w.findAll('[data-testid="attachment"]')).toHaveLength(1)
    })
  })
})
