import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BackendEvent } from './types'

/** A stand-in for the browser's WebSocket that the test drives by hand. */
class FakeSocket {
  static all: FakeSocket[] = []
  onopen: (() => void) | null = null
  onmessage: ((msg: { data: string }) => void) | null = null
  onclose: (() => void) | null = null
  closed = false
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  close(): void {
    this.closed = true
    this.onclose?.()
  }
  /** The connection dropped (the node restarted). */
  drop(): void {
    this.closed = true
    this.onclose?.()
  }
  send(e: BackendEvent): void {
    this.onmessage?.({ data: JSON.stringify(e) })
  }
}
const live = () => FakeSocket.all.filter((s) => !s.closed)

import { BackendError, httpBackend } from './http'

describe('httpBackend.on', () => {
  beforeEach(() => {
    FakeSocket.all = []
    vi.stubGlobal('WebSocket', FakeSocket)
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('shares one event socket among listeners and closes it after the last', () => {
    const a: BackendEvent[] = []
    const b: BackendEvent[] = []
    const stopA = httpBackend.on((e) => a.push(e))
    const stopB = httpBackend.on((e) => b.push(e))
    expect(FakeSocket.all).toHaveLength(1)
    expect(FakeSocket.all[0]!.url).toMatch(/^ws:\/\/.*\/api\/events$/)
    FakeSocket.all[0]!.send({ name: 'rooms', data: null })
    expect(a).toEqual([{ name: 'rooms', data: null }])
    expect(b).toEqual([{ name: 'rooms', data: null }])
    stopA()
    expect(live()).toHaveLength(1)
    FakeSocket.all[0]!.send({ name: 'status', data: null })
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(2)
    stopB()
    expect(live()).toHaveLength(0)
    vi.runAllTimers()
    expect(FakeSocket.all).toHaveLength(1) // closed on purpose: no reconnect
  })

  it('reconnects after a drop, saying the node was lost and found, and that events were missed', () => {
    const a: BackendEvent[] = []
    const b: BackendEvent[] = []
    const stopA = httpBackend.on((e) => a.push(e))
    const stopB = httpBackend.on((e) => b.push(e))
    FakeSocket.all[0]!.onopen?.()
    FakeSocket.all[0]!.drop()
    vi.advanceTimersByTime(500)
    expect(FakeSocket.all).toHaveLength(2)
    expect(a).toEqual([{ name: 'connection', data: { connected: false } }])
    // A second failed try says nothing more.
    FakeSocket.all[1]!.drop()
    vi.advanceTimersByTime(1000)
    expect(FakeSocket.all).toHaveLength(3)
    FakeSocket.all[2]!.onopen?.()
    const told = [
      { name: 'connection', data: { connected: false } },
      { name: 'connection', data: { connected: true } },
      { name: 'lagged', data: null },
    ]
    expect(a).toEqual(told)
    expect(b).toEqual(told)
    stopA()
    stopB()
    expect(live()).toHaveLength(0)
  })

  it('opens a new socket for a listener that comes after all had left', () => {
    httpBackend.on(() => {})()
    const seen: BackendEvent[] = []
    const stop = httpBackend.on((e) => seen.push(e))
    expect(live()).toHaveLength(1)
    live()[0]!.send({ name: 'nearby', data: null })
    expect(seen).toEqual([{ name: 'nearby', data: null }])
    stop()
  })
})

describe('httpBackend.pendingInvite', () => {
  it('has nothing: a headless node joins the link it was started with itself', async () => {
    await expect(httpBackend.pendingInvite()).resolves.toBeNull()
  })
})

describe('httpBackend calls', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('says in one sentence that the node is not answering, not the browser’s words', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const err = await httpBackend.send('r1', 'hi').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BackendError)
    expect((err as BackendError).code).toBe('nodeGone')
    expect((err as BackendError).message).toBe('Your Parley node is not answering: check that it is still running.')
  })

  it("rejects with the node's sentence and its code", async () => {
    const answer = { error: 'That link is damaged or incomplete; copy the whole link again, or ask for a new one.', code: 'badLink' }
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(answer), { status: 400 })))
    const err = await httpBackend.joinRoom('hello', '').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BackendError)
    expect((err as BackendError).message).toBe(answer.error)
    expect((err as BackendError).code).toBe('badLink')
  })

  it('historyAround posts the room, the time as a number and the limit', async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response('[]', { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    await expect(httpBackend.historyAround('r1', 1767225600000, 100)).resolves.toEqual([])
    expect(fetchMock).toHaveBeenCalledOnce()
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/HistoryAround')
    expect(init.method).toBe('POST')
    expect(init.body).toBe('["r1",1767225600000,100]')
  })

  it('says what happened when the answer is not the API\'s', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 })))
    const err = await httpBackend.rooms().catch((e: unknown) => e)
    expect((err as BackendError).message).toBe('The Parley node answered with HTTP 502; try again.')
    expect((err as BackendError).code).toBe('unknown')
  })

  it('setProxy posts the mode and the URL, and gives back the setting the node saved', async () => {
    const saved = { mode: 'manual', url: 'http://127.0.0.1:3128', credentials: true }
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response(JSON.stringify(saved), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    await expect(httpBackend.setProxy('manual', 'http://alice:secret@127.0.0.1:3128')).resolves.toEqual(saved)
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/SetProxy')
    expect(init.body).toBe('["manual","http://alice:secret@127.0.0.1:3128"]')
  })

  it('setProxy rejects a URL the node refuses with its sentence and badProxy', async () => {
    const answer = { error: 'That proxy address will not work; give it as http://host:port or socks5://host:port.', code: 'badProxy' }
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(answer), { status: 400 })))
    const err = await httpBackend.setProxy('manual', 'proxy:3128').catch((e: unknown) => e)
    expect((err as BackendError).message).toBe(answer.error)
    expect((err as BackendError).code).toBe('badProxy')
  })

  it('the private-room calls post their method and arguments in order', async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response('null', { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    await httpBackend.createPrivateRoom('book club')
    await httpBackend.createInvite('r1', 24, 5)
    await httpBackend.invites('r1')
    await httpBackend.revokeInvite('r1', 'inv1')
    await httpBackend.setRole('r1', 'peer-b', 'moderator')
    await httpBackend.removeMember('r1', 'peer-c')
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init.body])).toEqual([
      ['/api/CreatePrivateRoom', '["book club"]'],
      ['/api/CreateInvite', '["r1",24,5]'],
      ['/api/Invites', '["r1"]'],
      ['/api/RevokeInvite', '["r1","inv1"]'],
      ['/api/SetRole', '["r1","peer-b","moderator"]'],
      ['/api/RemoveMember', '["r1","peer-c"]'],
    ])
  })

  it('a private room\'s refusal keeps the node\'s sentence and code (ownerStays)', async () => {
    const answer = { error: 'The owner cannot leave while others stay; make someone else the owner first.', code: 'ownerStays' }
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(answer), { status: 409 })))
    const err = await httpBackend.leaveRoom('r1').catch((e: unknown) => e)
    expect((err as BackendError).message).toBe(answer.error)
    expect((err as BackendError).code).toBe('ownerStays')
  })

  it('the direct-conversation and blocking calls post their method and arguments', async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response('null', { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    await httpBackend.directMessage('peer-b')
    await httpBackend.block('peer-c')
    await httpBackend.unblock('peer-c')
    await httpBackend.blocked()
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init.body])).toEqual([
      ['/api/DirectMessage', '["peer-b"]'],
      ['/api/Block', '["peer-c"]'],
      ['/api/Unblock', '["peer-c"]'],
      ['/api/Blocked', '[]'],
    ])
  })

  it("a refused direct conversation keeps the node's sentence (badPeerId)", async () => {
    const answer = { error: "That is not a person's ID; copy it again from Connection details.", code: 'badPeerId' }
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(answer), { status: 400 })))
    const err = await httpBackend.directMessage('nonsense').catch((e: unknown) => e)
    expect((err as BackendError).message).toBe(answer.error)
    expect((err as BackendError).code).toBe('badPeerId')
  })
})

describe('httpBackend.sendFile', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('puts the bytes to the room with the name and caption, and says why a refusal came', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ id: 'm1', kind: 'file' }), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const bytes = new Blob(['%PDF-1.7'])
    await expect(httpBackend.sendFile('room1', bytes, 'plan & budget.pdf', 'for Monday')).resolves.toMatchObject({ id: 'm1' })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/files/room1?name=plan+%26+budget.pdf&text=for+Monday')
    expect(init.method).toBe('PUT')
    expect(init.body).toBe(bytes)

    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ code: 'filesCapReached', error: 'Files already take all the space allowed for them.' }), { status: 507 }))
    const refused = httpBackend.sendFile('room1', bytes, 'a.bin', '')
    await expect(refused).rejects.toBeInstanceOf(BackendError)
    await expect(refused).rejects.toMatchObject({ code: 'filesCapReached', message: 'Files already take all the space allowed for them.' })
  })
})
