import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { Message } from '@/api'
import { member, message, room } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { search: vi.fn(), members: vi.fn() },
}))

import { api } from '@/api'
import { createLiveSearch, gatherPeople, panelLimit, parseMessageLink, searchDelayMs, useSearchStore } from './search'

const hexA = 'ab'.repeat(32)
const hexB = '0f'.repeat(32)

/** A search answer the test releases when it likes. */
function pending(): { promise: Promise<Message[]>; answer: (l: Message[]) => void; fail: (e: Error) => void } {
  let answer!: (l: Message[]) => void
  let fail!: (e: Error) => void
  const promise = new Promise<Message[]>((ok, no) => ((answer = ok), (fail = no)))
  return { promise, answer, fail }
}

describe('parseMessageLink', () => {
  it.each([
    ['a plain link', `parley://message/${hexA}/${hexB}`, { roomId: hexA, messageId: hexB }],
    ['spaces and angle brackets around it', `  <parley://message/${hexA}/${hexB}>\n`, { roomId: hexA, messageId: hexB }],
    ['capital hex digits', `parley://message/${hexA.toUpperCase()}/${hexB}/`, { roomId: hexA, messageId: hexB }],
    ['an invite link', `parley://join/${hexA}`, null],
    ['a short message ID', `parley://message/${hexA}/abc`, null],
    ['text around the link', `see parley://message/${hexA}/${hexB}`, null],
    ['a search for words', 'decide lunch', null],
  ])('%s', (_name, text, want) => {
    expect(parseMessageLink(text)).toEqual(want)
  })
})

describe('live search', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.mocked(api.search).mockReset()
  })
  afterEach(() => vi.useRealTimers())

  it('waits for a pause in typing and sends only the last query', async () => {
    vi.mocked(api.search).mockResolvedValue([message('decide')])
    const s = createLiveSearch({ limit: 50 })
    s.input('d', '')
    s.input('de', '')
    s.input('dec', 'room1')
    expect(s.status.value).toBe('searching')
    await vi.advanceTimersByTimeAsync(searchDelayMs - 1)
    expect(api.search).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(api.search).toHaveBeenCalledTimes(1)
    expect(api.search).toHaveBeenCalledWith('dec', 'room1', 50)
    expect(s.status.value).toBe('done')
    expect(s.answered.value).toBe('dec')
    expect(s.results.value.map((m) => m.text)).toEqual(['decide'])
  })

  it('drops an answer that comes back after a newer query was sent', async () => {
    const first = pending()
    const second = pending()
    vi.mocked(api.search).mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise)
    const s = createLiveSearch({ limit: 50 })
    const older = s.now('lunch', '')
    const newer = s.now('lunch menu', '')
    second.answer([message('new')])
    await newer
    first.answer([message('old')])
    await older
    expect(s.answered.value).toBe('lunch menu')
    expect(s.results.value.map((m) => m.text)).toEqual(['new'])
  })

  it('drops an answer still on its way when the input is cleared', async () => {
    const slow = pending()
    vi.mocked(api.search).mockReturnValueOnce(slow.promise)
    const s = createLiveSearch({ limit: 50 })
    const asked = s.now('lunch', '')
    s.input('', '')
    slow.answer([message('lunch')])
    await asked
    expect(s.status.value).toBe('idle')
    expect(s.results.value).toEqual([])
  })

  it('takes a null answer for no results', async () => {
    vi.mocked(api.search).mockResolvedValue(null as unknown as Message[])
    const s = createLiveSearch({ limit: 50 })
    await s.now('zebra', '')
    expect(s.status.value).toBe('done')
    expect(s.results.value).toEqual([])
  })

  it('does not send queries shorter than its minimum', async () => {
    const s = createLiveSearch({ limit: 5, minLength: 3 })
    s.input('de', '')
    await vi.advanceTimersByTimeAsync(searchDelayMs * 2)
    expect(api.search).not.toHaveBeenCalled()
    expect(s.status.value).toBe('idle')
  })

  it('turns a failure into one sentence saying what to do', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.mocked(api.search).mockRejectedValue(new Error('unbalanced quote.'))
    const s = createLiveSearch({ limit: 50 })
    await s.now('"lunch', '')
    expect(s.status.value).toBe('error')
    expect(s.error.value).toBe('Search failed (unbalanced quote); change the words or try again.')
  })
})

describe('search store', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    vi.mocked(api.search).mockReset()
    vi.mocked(api.search).mockResolvedValue([])
  })
  afterEach(() => vi.useRealTimers())

  it('searches every room, or only the open one once the scope says so', async () => {
    const store = useSearchStore()
    store.setRoom('room1')
    store.setQuery('lunch')
    await vi.advanceTimersByTimeAsync(searchDelayMs)
    expect(api.search).toHaveBeenLastCalledWith('lunch', '', panelLimit)
    store.setScope('room')
    await vi.advanceTimersByTimeAsync(0)
    expect(api.search).toHaveBeenLastCalledWith('lunch', 'room1', panelLimit)
    store.setRoom('room2') // the user switched rooms: "This room" follows
    await vi.advanceTimersByTimeAsync(0)
    expect(api.search).toHaveBeenLastCalledWith('lunch', 'room2', panelLimit)
  })

  it('falls back to all rooms when no room is open', () => {
    const store = useSearchStore()
    store.setRoom('room1')
    store.setScope('room')
    store.setRoom(null)
    expect(store.scope).toBe('all')
  })

  it('does not search for a pasted message link', async () => {
    const store = useSearchStore()
    store.setQuery(`parley://message/${hexA}/${hexB}`)
    await vi.advanceTimersByTimeAsync(searchDelayMs * 2)
    expect(api.search).not.toHaveBeenCalled()
    expect(store.link).toEqual({ roomId: hexA, messageId: hexB })
  })
})

describe('gatherPeople', () => {
  it('lists everyone but you once, with the first room you share, and skips a room that fails', async () => {
    const ann = member('Ann', true)
    const bob = member('Bob', false)
    const self = { ...member('Me', true), me: true }
    vi.mocked(api.members).mockImplementation(async (id) => {
      if (id === 'r1') return [self, ann]
      if (id === 'r2') throw new Error('not joined')
      return [self, bob, ann]
    })
    const people = await gatherPeople([room({ id: 'r1' }), room({ id: 'r2' }), room({ id: 'r3' })])
    expect(people).toEqual([
      { peerId: ann.peerId, name: 'Ann', shortId: ann.shortId, roomId: 'r1' },
      { peerId: bob.peerId, name: 'Bob', shortId: bob.shortId, roomId: 'r3' },
    ])
  })
})
