import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type DOMWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Message } from '@/api'
import { message, room } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { search: vi.fn(), rooms: vi.fn() },
}))

import { api } from '@/api'
import { useRoomsStore } from '@/stores/rooms'
import { panelLimit, searchDelayMs } from '@/stores/search'
import SearchPanel from './SearchPanel.vue'

const general = room({ id: 'a1'.repeat(32), name: 'general' })
const games = room({ id: 'b2'.repeat(32), name: 'games' })

/** A search result in room r, with the matching part of its text marked. */
function hit(r: typeof general, before: string, match: string, after: string): Message {
  return {
    ...message(before + match + after),
    room: r.id,
    authorName: 'Bob',
    authorShort: 'bob12345',
    highlight: [
      { text: before, match: false },
      { text: match, match: true },
      { text: after, match: false },
    ],
  }
}

async function mountPanel(current: typeof general | null = general) {
  // The rooms store opens the first room it gets: none, for "no room open".
  vi.mocked(api.rooms).mockResolvedValue(current ? [general, games] : [])
  const rooms = useRoomsStore()
  await rooms.load()
  if (current) rooms.select(current.id)
  const wrapper = mount(SearchPanel, { attachTo: document.body })
  return { wrapper, input: wrapper.get('[data-testid="search-input"]') }
}

async function type(input: Pick<DOMWrapper<Element>, 'setValue'>, text: string) {
  await input.setValue(text)
  await vi.advanceTimersByTimeAsync(searchDelayMs)
  await flushPromises()
}

describe('SearchPanel', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    vi.mocked(api.search).mockReset()
    document.body.innerHTML = ''
  })
  afterEach(() => vi.useRealTimers())

  it('takes the focus when it opens and gives it back when Escape closes it', async () => {
    const before = document.createElement('button')
    document.body.append(before)
    before.focus()
    const { wrapper, input } = await mountPanel()
    expect(document.activeElement).toBe(input.element)
    await input.trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('close')).toHaveLength(1)
    expect(document.activeElement).toBe(before)
    wrapper.unmount()
  })

  it('takes the focus back to the query on Ctrl+F while open', async () => {
    const { wrapper, input } = await mountPanel()
    ;(wrapper.get('[data-testid="scope-all"]').element as HTMLInputElement).focus()
    expect(document.activeElement).not.toBe(input.element)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'f', ctrlKey: true }))
    expect(document.activeElement).toBe(input.element)
    wrapper.unmount()
  })

  it('shows each result with room, author, time and the match marked', async () => {
    vi.mocked(api.search).mockResolvedValue([hit(games, 'we ', 'decided', ' on <b>tacos</b>')])
    const { wrapper, input } = await mountPanel()
    await type(input, 'dec')
    expect(api.search).toHaveBeenCalledWith('dec', '', panelLimit)
    const result = wrapper.get('[data-testid="search-result"]')
    expect(result.get('.room').text()).toBe('# games')
    expect(result.get('.author').text()).toBe('Bob') // a name, no fingerprint: nobody else here is called Bob
    expect(result.get('time').text()).toMatch(/\d/)
    expect(result.findAll('mark').map((m) => m.text())).toEqual(['decided'])
    // Peer text stays text: the tag shows as written, no element is made.
    expect(result.get('.snippet').text()).toBe('we decided on <b>tacos</b>')
    expect(result.find('b').exists()).toBe(false)
    expect(wrapper.get('[data-testid="search-status"]').text()).toBe('1 message match “dec”.')
    wrapper.unmount()
  })

  it('shows a fingerprint beside an author only when another author of the results has the same name', async () => {
    const bob = hit(games, '', 'lunch', '')
    const otherBob = { ...hit(general, 'no ', 'lunch', ''), author: 'peer-bob2', authorShort: 'b0b22222', authorName: 'bob' }
    const carol = { ...hit(general, '', 'lunch', '?'), author: 'peer-carol', authorShort: 'c4r01111', authorName: 'Carol' }
    vi.mocked(api.search).mockResolvedValue([bob, otherBob, carol])
    const { wrapper, input } = await mountPanel()
    await type(input, 'lunch')
    const authors = wrapper.findAll('[data-testid="search-result"] .author').map((a) => a.text())
    expect(authors).toEqual(['Bob bob12345', 'bob b0b22222', 'Carol'])
    wrapper.unmount()
  })

  it('writes a count of results in the reader\'s numbers', async () => {
    vi.mocked(api.search).mockResolvedValue(Array.from({ length: panelLimit }, () => hit(games, '', 'lunch', '')))
    const { wrapper, input } = await mountPanel()
    await type(input, 'lunch')
    const n = new Intl.NumberFormat().format(panelLimit)
    expect(wrapper.get('[data-testid="search-status"]').text()).toBe(`The ${n} newest messages that match “lunch”.`)
    wrapper.unmount()
  })

  it('says it is searching, then that nothing matches', async () => {
    let answer!: (l: Message[]) => void
    vi.mocked(api.search).mockReturnValue(new Promise((ok) => (answer = ok)))
    const { wrapper, input } = await mountPanel()
    await type(input, 'zebra')
    expect(wrapper.get('[data-testid="search-status"]').text()).toBe('Searching…')
    answer([])
    await flushPromises()
    expect(wrapper.get('[data-testid="search-status"]').text()).toBe('No messages match “zebra”.')
    wrapper.unmount()
  })

  it('searches only the open room when "This room" is chosen', async () => {
    vi.mocked(api.search).mockResolvedValue([])
    const { wrapper, input } = await mountPanel()
    await type(input, 'lunch')
    await wrapper.get('[data-testid="scope-room"]').setValue(true)
    await flushPromises()
    expect(api.search).toHaveBeenLastCalledWith('lunch', general.id, panelLimit)
    expect(wrapper.get('[data-testid="search-status"]').text()).toBe('No messages in # general match “lunch”.')
    wrapper.unmount()
  })

  it('offers only "All rooms" when no room is open', async () => {
    const { wrapper } = await mountPanel(null)
    expect(wrapper.get<HTMLInputElement>('[data-testid="scope-room"]').element.disabled).toBe(true)
    expect(wrapper.get<HTMLInputElement>('[data-testid="scope-all"]').element.checked).toBe(true)
    wrapper.unmount()
  })

  it('moves through results with the arrow keys and opens one with Enter or a click', async () => {
    const results = [hit(general, '', 'lunch', ' at 12'), hit(games, 'no ', 'lunch', ''), hit(games, '', 'lunch', '?')]
    vi.mocked(api.search).mockResolvedValue(results)
    const { wrapper, input } = await mountPanel()
    await type(input, 'lunch')
    const options = () => wrapper.findAll('[role="option"]')
    expect(options()[0]!.attributes('aria-selected')).toBe('true')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowDown' }) // stays on the last
    await input.trigger('keydown', { key: 'ArrowUp' })
    expect(options()[1]!.attributes('aria-selected')).toBe('true')
    expect(input.attributes('aria-activedescendant')).toBe(options()[1]!.attributes('id'))
    await input.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('open')).toEqual([[games.id, results[1]!.id]])
    await options()[2]!.trigger('click')
    expect(wrapper.emitted('open')![1]).toEqual([games.id, results[2]!.id])
    wrapper.unmount()
  })

  it('brings back the same results, with the one opened selected, when it opens again', async () => {
    const results = [hit(general, '', 'lunch', ''), hit(games, '', 'lunch', '')]
    vi.mocked(api.search).mockResolvedValue(results)
    const first = await mountPanel()
    await type(first.input, 'lunch')
    await first.wrapper.findAll('[role="option"]')[1]!.trigger('click')
    first.wrapper.unmount()

    const again = mount(SearchPanel, { attachTo: document.body })
    await flushPromises()
    expect(api.search).toHaveBeenCalledTimes(2) // asked again: new messages may match now
    expect(again.get<HTMLInputElement>('[data-testid="search-input"]').element.value).toBe('lunch')
    expect(again.findAll('[role="option"]')[1]!.attributes('aria-selected')).toBe('true')
    again.unmount()
  })

  it('shows an error as one sentence, and searches again on request', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.mocked(api.search).mockRejectedValueOnce(new Error('index is rebuilding')).mockResolvedValue([hit(general, '', 'lunch', '')])
    const { wrapper, input } = await mountPanel()
    await type(input, 'lunch')
    expect(wrapper.get('[data-testid="search-error"]').text()).toContain(
      'Search failed (index is rebuilding); change the words or try again.',
    )
    await wrapper.get('[data-testid="search-error"] button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="search-error"]').exists()).toBe(false)
    expect(wrapper.findAll('[role="option"]')).toHaveLength(1)
    wrapper.unmount()
  })

  it('offers "Go to message" for a pasted message link instead of searching', async () => {
    const messageId = 'cd'.repeat(32)
    const { wrapper, input } = await mountPanel()
    await type(input, `parley://message/${games.id}/${messageId}`)
    expect(api.search).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="search-link"]').text()).toContain('# games')
    await input.trigger('keydown', { key: 'Enter' })
    await wrapper.get('[data-testid="go-to-message"]').trigger('click')
    expect(wrapper.emitted('open')).toEqual([
      [games.id, messageId],
      [games.id, messageId],
    ])
    wrapper.unmount()
  })

  it('says when a pasted link points into a room that is not joined', async () => {
    const { wrapper, input } = await mountPanel()
    await type(input, `parley://message/${'ee'.repeat(32)}/${'cd'.repeat(32)}`)
    expect(wrapper.get('[data-testid="search-link"]').text()).toContain('room you have not joined')
    expect(wrapper.find('[data-testid="go-to-message"]').exists()).toBe(false)
    await input.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('open')).toBeUndefined()
    wrapper.unmount()
  })
})

describe('SearchPanel: direct conversations', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    vi.mocked(api.search).mockReset()
    document.body.innerHTML = ''
  })
  afterEach(() => vi.useRealTimers())

  it('names a result from a direct conversation after the person, with no "#", and searches "with" them', async () => {
    const withBob = room({ id: 'c3'.repeat(32), name: 'Bob', private: true, direct: true, myRole: 'owner' })
    vi.mocked(api.rooms).mockResolvedValue([general, withBob])
    const rooms = useRoomsStore()
    await rooms.load()
    rooms.select(withBob.id)
    vi.mocked(api.search).mockResolvedValue([])
    const wrapper = mount(SearchPanel, { attachTo: document.body })
    await wrapper.get('[data-testid="scope-room"]').setValue(true)
    await type(wrapper.get('[data-testid="search-input"]'), 'lunch')
    expect(wrapper.get('[data-testid="search-status"]').text()).toBe('No messages with Bob match “lunch”.')
    vi.mocked(api.search).mockResolvedValue([hit(withBob, '', 'lunch', ' at one?')])
    await type(wrapper.get('[data-testid="search-input"]'), 'lunch ')
    expect(wrapper.get('[data-testid="search-result"] .room').text()).toBe('Bob')
    wrapper.unmount()
  })
})

