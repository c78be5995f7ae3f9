import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { Room } from '@/api'
import { me, message, roomId } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { history: vi.fn(), historyAfter: vi.fn(), historyAround: vi.fn(), send: vi.fn() },
}))

import { api } from '@/api'
import { followLimit, pageSize, useMessagesStore } from './messages'

const room = (over: Partial<Room> = {}): Room => ({ id: roomId, name: 'r', topic: '', notify: 'all', unread: 0, mentions: 0, undelivered: 0, lastRead: '', lastActivity: 0, nearby: false, legacy: false, private: false, direct: false, myRole: '', pending: false, removed: false, request: false, ...over })

describe('messages store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    vi.mocked(api.history).mockReset()
    vi.mocked(api.historyAfter).mockReset()
    vi.mocked(api.send).mockReset()
  })

  it('keeps messages in (time, id) order and each once', async () => {
    const [a, b, c] = [message('a'), message('b'), message('c')]
    vi.mocked(api.history).mockResolvedValue([a, c])
    const store = useMessagesStore()
    await store.open(room())
    store.add(b) // arrives late but sorts between a and c
    store.add(c) // a duplicate from gossip
    expect(store.views[roomId]!.items.map((m) => m.text)).toEqual(['a', 'b', 'c'])
  })

  it('shows a message that arrives while the room loads, though the page was read before it came', async () => {
    // A room joined by invite: its history comes by sync while it opens.
    let answer!: (page: ReturnType<typeof message>[]) => void
    vi.mocked(api.history).mockReturnValue(new Promise((ok) => (answer = ok)))
    const store = useMessagesStore()
    const opening = store.open(room())
    const welcome = message('welcome')
    store.add(welcome) // stored after the page was read, announced before it came back
    answer([])
    await opening
    expect(store.views[roomId]!.items.map((m) => m.text)).toEqual(['welcome'])
  })

  it('opens at the last-read message with the divider before the first unread', async () => {
    const [read, u1, u2] = [message('read'), message('u1'), message('u2')]
    vi.mocked(api.historyAfter).mockResolvedValue([u1, u2])
    vi.mocked(api.history).mockResolvedValue([read])
    const store = useMessagesStore()
    await store.open(room({ unread: 2, lastRead: read.id }))
    expect(api.historyAfter).toHaveBeenCalledWith(roomId, read.id, pageSize)
    expect(api.history).toHaveBeenCalledWith(roomId, u1.id, pageSize)
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.text)).toEqual(['read', 'u1', 'u2'])
    expect(v.firstUnreadId).toBe(u1.id)
  })

  it('pages older messages in front', async () => {
    const older = Array.from({ length: pageSize }, (_, i) => message(`old ${i}`))
    const latest = Array.from({ length: pageSize }, (_, i) => message(`new ${i}`))
    vi.mocked(api.history).mockResolvedValueOnce(latest).mockResolvedValueOnce(older)
    const store = useMessagesStore()
    await store.open(room())
    expect(store.views[roomId]!.hasOlder).toBe(true)
    expect(await store.loadOlder(roomId)).toBe(pageSize)
    expect(api.history).toHaveBeenLastCalledWith(roomId, latest[0]!.id, pageSize)
    expect(store.views[roomId]!.items[0]!.text).toBe('old 0')
  })

  it('shows a message as sending, then with the state the backend gives', async () => {
    vi.mocked(api.history).mockResolvedValue([])
    const store = useMessagesStore()
    await store.open(room())
    let resolve!: (m: ReturnType<typeof message>) => void
    vi.mocked(api.send).mockReturnValue(new Promise((r) => (resolve = r)))
    const sending = store.send(roomId, 'hello', me)
    expect(store.unsent[roomId]!.map((m) => m.state)).toEqual(['sending'])
    resolve({ ...message('hello', me.peerId, true), state: 'stored' })
    await sending
    expect(store.unsent[roomId]).toBeUndefined()
    const [shown] = store.views[roomId]!.items
    expect(shown!.state).toBe('stored')
    store.delivered(roomId, shown!.id)
    expect(store.views[roomId]!.items[0]!.state).toBe('sent')
  })

  it('keeps a failed message with its reason and sends it again on retry', async () => {
    vi.mocked(api.history).mockResolvedValue([])
    const store = useMessagesStore()
    await store.open(room())
    vi.mocked(api.send).mockRejectedValueOnce('message is too long')
    await store.send(roomId, 'x', me)
    const failed = store.unsent[roomId]![0]!
    expect(failed.state).toBe('failed')
    expect(failed.error).toBe('message is too long')
    expect(store.views[roomId]!.items).toEqual([])
    vi.mocked(api.send).mockResolvedValueOnce({ ...message('x', me.peerId, true), state: 'sent' })
    await store.retry(roomId, failed.id)
    expect(api.send).toHaveBeenLastCalledWith(roomId, 'x')
    expect(store.unsent[roomId]).toBeUndefined()
    expect(store.views[roomId]!.items.map((m) => m.state)).toEqual(['sent'])
  })

  it('keeps a failed message through reopening the room, a refresh and a reload of the page', async () => {
    vi.mocked(api.history).mockResolvedValue([message('before')])
    const store = useMessagesStore()
    await store.open(room())
    vi.mocked(api.send).mockRejectedValueOnce(new Error('node unreachable'))
    await store.send(roomId, 'do not lose me', me)
    await store.open(room()) // a room switch and back
    await store.refresh(room()) // a finished sync, `arrived` or `lagged`
    expect(store.unsent[roomId]!.map((m) => [m.text, m.state])).toEqual([['do not lose me', 'failed']])

    // A new page (a reload) finds it again, still failed.
    setActivePinia(createPinia())
    const again = useMessagesStore()
    expect(again.unsent[roomId]!.map((m) => [m.text, m.state, m.error])).toEqual([['do not lose me', 'failed', 'node unreachable']])
    again.discard(roomId, again.unsent[roomId]![0]!.id)
    expect(again.unsent[roomId]).toBeUndefined()
    setActivePinia(createPinia())
    expect(useMessagesStore().unsent[roomId]).toBeUndefined()
  })

  it('offers a send cut short by a page reload again instead of sending it twice', async () => {
    vi.mocked(api.send).mockReturnValue(new Promise(() => {})) // never answers
    const store = useMessagesStore()
    void store.send(roomId, 'in flight', me)
    await Promise.resolve()
    setActivePinia(createPinia())
    const [m] = useMessagesStore().unsent[roomId]!
    expect(m!.state).toBe('failed')
  })

  it('follows the newest page on refresh and keeps it bounded', async () => {
    const first = Array.from({ length: pageSize }, (_, i) => message(`a ${i}`))
    vi.mocked(api.history).mockResolvedValueOnce(first)
    const store = useMessagesStore()
    await store.open(room())
    const newest = Array.from({ length: pageSize }, (_, i) => message(`b ${i}`))
    vi.mocked(api.history).mockResolvedValueOnce(newest)
    await store.refresh(room())
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.text)).toEqual(newest.map((m) => m.text))
    expect(v.hasOlder).toBe(true)
    // Live messages while following: the oldest go past the limit.
    store.addMany(Array.from({ length: 2 * followLimit }, (_, i) => message(`c ${i}`)))
    expect(v.items.length).toBe(followLimit)
    expect(v.items.at(-1)!.text).toBe(`c ${2 * followLimit - 1}`)
  })

  it('keeps the place of a user who scrolled up and says newer messages wait', async () => {
    const shown = [message('a'), message('b')]
    vi.mocked(api.history).mockResolvedValueOnce(shown)
    const store = useMessagesStore()
    await store.open(room())
    store.follow(roomId, false)
    const later = message('c')
    vi.mocked(api.history).mockResolvedValueOnce([later])
    await store.refresh(room())
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.text)).toEqual(['a', 'b'])
    expect(v.hasNewer).toBe(true)
    expect(v.newBelow).toBe(true)
    store.add(message('d')) // live: past the loaded stretch, not added
    expect(v.items.map((m) => m.text)).toEqual(['a', 'b'])
    vi.mocked(api.history).mockResolvedValueOnce([...shown, later])
    await store.showLatest(roomId)
    expect(v.items.map((m) => m.text)).toEqual(['a', 'b', 'c'])
    expect(v.following).toBe(true)
    expect(v.newBelow).toBe(false)
  })

  it('keeps what changed or arrived while a refresh was out, though its page was read before', async () => {
    const [a, b] = [message('a'), message('b')]
    vi.mocked(api.history).mockResolvedValueOnce([a, b])
    const store = useMessagesStore()
    await store.open(room())
    let answer!: (m: ReturnType<typeof message>[]) => void
    vi.mocked(api.history).mockReturnValueOnce(new Promise((r) => (answer = r)))
    const refreshing = store.refresh(room())
    // A moderator removes b and c arrives, both after the node read the page.
    store.change({ ...b, text: '', deleted: true, removed: true, removedBy: 'Bob' })
    const c = message('c')
    store.add(c)
    answer([a, b])
    await refreshing
    const v = store.views[roomId]!
    expect(v.items.map((m) => [m.text, m.deleted])).toEqual([
      ['a', false],
      ['', true],
      ['c', false],
    ])
  })

  it('keeps the place of a user who scrolls up while a refresh is out', async () => {
    const shown = [message('a'), message('b')]
    vi.mocked(api.history).mockResolvedValueOnce(shown)
    const store = useMessagesStore()
    await store.open(room())
    let answer!: (m: ReturnType<typeof message>[]) => void
    vi.mocked(api.history).mockReturnValueOnce(new Promise((r) => (answer = r)))
    const refreshing = store.refresh(room())
    store.follow(roomId, false)
    answer([message('c'), message('d')])
    await refreshing
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.text)).toEqual(['a', 'b'])
    expect(v.newBelow).toBe(true)
  })

  it('lets a jump to the newest message finish while arrivals are checked', async () => {
    vi.mocked(api.history).mockResolvedValueOnce([message('a')])
    const store = useMessagesStore()
    await store.open(room())
    store.follow(roomId, false)
    vi.mocked(api.history).mockResolvedValueOnce([message('b')])
    await store.refresh(room()) // newer below
    let page!: (m: ReturnType<typeof message>[]) => void
    vi.mocked(api.history).mockReturnValueOnce(new Promise((r) => (page = r)))
    const jumping = store.showLatest(roomId)
    vi.mocked(api.history).mockResolvedValueOnce([message('c')])
    await store.refresh(room()) // more arrive during the jump
    page([message('b'), message('c')])
    await jumping
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.text)).toEqual(['b', 'c'])
    expect(v.following).toBe(true)
  })

  it('drops a refresh answer older than the newest request', async () => {
    vi.mocked(api.history).mockResolvedValueOnce([])
    const store = useMessagesStore()
    await store.open(room())
    const answers: ((m: ReturnType<typeof message>[]) => void)[] = []
    vi.mocked(api.history).mockImplementation(() => new Promise((r) => answers.push(r)))
    const first = store.refresh(room())
    const second = store.refresh(room())
    answers[1]!([message('newer')])
    await second
    answers[0]!([message('older')])
    await first
    expect(store.views[roomId]!.items.map((m) => m.text)).toEqual(['newer'])
  })

  it('counts the messages that arrive below while the user reads further up', async () => {
    vi.mocked(api.history).mockResolvedValueOnce([message('a')])
    const store = useMessagesStore()
    await store.open(room())
    store.follow(roomId, false)
    store.add(message('b'))
    store.addMany([message('c'), message('d')])
    const v = store.views[roomId]!
    expect(v.newCount).toBe(3)
    store.follow(roomId, true)
    expect(v.newCount).toBe(0)
  })

  it('opens a room around a message far back, with the message in the loaded stretch and marked', async () => {
    const before = Array.from({ length: pageSize / 2 }, (_, i) => message(`before ${i}`))
    const target = message('target')
    const after = [target, ...Array.from({ length: pageSize - 1 }, (_, i) => message(`after ${i}`))]
    vi.mocked(api.history).mockResolvedValueOnce(before)
    vi.mocked(api.historyAfter).mockResolvedValueOnce(after)
    const store = useMessagesStore()
    await store.openAt(roomId, target.id)
    expect(api.history).toHaveBeenCalledWith(roomId, target.id, pageSize / 2)
    expect(api.historyAfter).toHaveBeenCalledWith(roomId, before.at(-1)!.id, pageSize)
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.id)).toContain(target.id)
    expect(v.highlightId).toBe(target.id)
    expect(v.hasOlder).toBe(true)
    expect(v.hasNewer).toBe(true)
    expect(v.following).toBe(false)
    store.clearHighlight(roomId)
    expect(v.highlightId).toBeNull()
  })

  it('opens at the very first message when nothing comes before it', async () => {
    const [first, second] = [message('first'), message('second')]
    vi.mocked(api.history).mockResolvedValueOnce([])
    vi.mocked(api.historyAfter).mockResolvedValueOnce([first, second])
    const store = useMessagesStore()
    await store.openAt(roomId, first.id)
    expect(api.historyAfter).toHaveBeenCalledWith(roomId, '', pageSize)
    expect(store.views[roomId]!.items.map((m) => m.text)).toEqual(['first', 'second'])
    expect(store.views[roomId]!.hasOlder).toBe(false)
  })

  it('only marks a message that is already loaded', async () => {
    const [a, b] = [message('a'), message('b')]
    vi.mocked(api.history).mockResolvedValueOnce([a, b])
    const store = useMessagesStore()
    await store.open(room())
    vi.mocked(api.history).mockClear()
    await store.openAt(roomId, a.id)
    expect(api.history).not.toHaveBeenCalled()
    expect(store.views[roomId]!.highlightId).toBe(a.id)
    expect(store.views[roomId]!.items).toHaveLength(2)
  })

  it('lets a jump win over the plain open of its room that selecting the room starts', async () => {
    const target = message('target')
    let answer!: (m: ReturnType<typeof message>[]) => void
    vi.mocked(api.history).mockReturnValueOnce(new Promise((r) => (answer = r)))
    vi.mocked(api.historyAfter).mockResolvedValueOnce([target])
    const store = useMessagesStore()
    const jumping = store.openAt(roomId, target.id)
    const opening = store.open(room()) // the room switch's open
    answer([])
    await Promise.all([jumping, opening])
    expect(store.views[roomId]!.highlightId).toBe(target.id)
    expect(store.views[roomId]!.items.map((m) => m.text)).toEqual(['target'])
  })

  it('replaces a changed message by id and updates the replies that quote it', async () => {
    const original = message('typo')
    const reply: ReturnType<typeof message> = {
      ...message('answer'),
      replyTo: original.id,
      replyPreview: { id: original.id, authorName: 'Bob', authorShort: 'peer-b', text: 'typo', deleted: false, missing: false },
    }
    vi.mocked(api.history).mockResolvedValueOnce([original, reply])
    const store = useMessagesStore()
    await store.open(room())
    store.change({ ...original, text: 'fixed', edited: true, reactions: [{ emoji: '👍', count: 1, mine: true, by: ['Ada'] }] })
    const [shown, answer] = store.views[roomId]!.items
    expect(shown!.text).toBe('fixed')
    expect(shown!.edited).toBe(true)
    expect(shown!.reactions[0]!.count).toBe(1)
    expect(answer!.replyPreview!.text).toBe('fixed')
    store.change({ ...original, text: '', deleted: true })
    expect(store.views[roomId]!.items[0]!.deleted).toBe(true)
    expect(store.views[roomId]!.items[1]!.replyPreview).toMatchObject({ deleted: true, text: '' })
  })

  it('lets a reply quote its original once the original arrives', async () => {
    const original = message('question')
    const reply: ReturnType<typeof message> = {
      ...message('answer'),
      replyTo: original.id,
      replyPreview: { id: original.id, authorName: '', authorShort: '', text: '', deleted: false, missing: true },
    }
    vi.mocked(api.history).mockResolvedValueOnce([reply])
    const store = useMessagesStore()
    await store.open(room())
    store.add(original) // by sync, later than the reply
    const shown = store.views[roomId]!.items.find((m) => m.id === reply.id)!
    expect(shown.replyPreview).toMatchObject({ missing: false, text: 'question', authorName: 'Bob' })
  })

  it('puts a new name on loaded messages', async () => {
    vi.mocked(api.history).mockResolvedValue([message('hi', 'peer-b')])
    const store = useMessagesStore()
    await store.open(room())
    store.rename('peer-b', 'Robert')
    expect(store.views[roomId]!.items[0]!.authorName).toBe('Robert')
  })

  describe('jump to a date', () => {
    const at = (text: string, sentAt: number) => ({ ...message(text), sentAt })

    it('opens the room at the first message of the moment asked, marked, with more on both sides', async () => {
      const page = Array.from({ length: pageSize }, (_, i) => at(`m${i}`, 1000 + i))
      vi.mocked(api.historyAround).mockResolvedValue(page)
      const store = useMessagesStore()
      await store.openAtTime(roomId, 1000 + pageSize / 2)
      expect(api.historyAround).toHaveBeenCalledWith(roomId, 1000 + pageSize / 2, pageSize)
      const v = store.views[roomId]!
      expect(v.highlightId).toBe(page[pageSize / 2]!.id)
      expect([v.hasOlder, v.hasNewer, v.following]).toEqual([true, true, false])
    })

    it('after the last message, marks the last one and follows the newest', async () => {
      const page = [at('a', 10), at('b', 20)]
      vi.mocked(api.historyAround).mockResolvedValue(page)
      const store = useMessagesStore()
      await store.openAtTime(roomId, 99)
      const v = store.views[roomId]!
      expect(v.highlightId).toBe(page[1]!.id)
      expect([v.hasOlder, v.hasNewer, v.following]).toEqual([false, false, true])
    })

    it('before the first message, marks the first with nothing older', async () => {
      const page = Array.from({ length: pageSize }, (_, i) => at(`m${i}`, 500 + i))
      vi.mocked(api.historyAround).mockResolvedValue(page)
      const store = useMessagesStore()
      await store.openAtTime(roomId, 1)
      const v = store.views[roomId]!
      expect(v.highlightId).toBe(page[0]!.id)
      expect([v.hasOlder, v.hasNewer]).toEqual([false, true])
    })
  })
})
