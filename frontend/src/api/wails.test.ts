import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { BackendEvent, InvitePreview, ProxySetting } from './types'

// The Wails runtime as a tiny event bus, and the bindings used here.
const bus = vi.hoisted(() => new Map<string, Set<(...data: unknown[]) => void>>())
const pendingInvite = vi.hoisted(() => vi.fn<() => Promise<InvitePreview>>())
const setProxy = vi.hoisted(() => vi.fn<(mode: string, url: string) => Promise<ProxySetting>>())

vi.mock('./wailsjs/runtime/runtime', () => ({
  EventsOn: (name: string, fn: (...data: unknown[]) => void) => {
    const set = bus.get(name) ?? new Set()
    bus.set(name, set.add(fn))
    return () => set.delete(fn)
  },
  BrowserOpenURL: vi.fn(),
  ClipboardSetText: vi.fn(),
  WindowSetTitle: vi.fn(),
}))
const bound = vi.hoisted(() => ({
  CreatePrivateRoom: vi.fn(),
  CreateInvite: vi.fn(),
  Invites: vi.fn(),
  RevokeInvite: vi.fn(),
  SetRole: vi.fn(),
  RemoveMember: vi.fn(),
  DirectMessage: vi.fn(),
  Block: vi.fn(),
  Unblock: vi.fn(),
  Blocked: vi.fn(),
}))
vi.mock('./wailsjs/go/main/App', () => ({ PendingInvite: pendingInvite, SetProxy: setProxy, ...bound }))

import { wailsBackend } from './wails'

const fire = (name: string, ...data: unknown[]) => bus.get(name)?.forEach((fn) => fn(...data))
const listening = () => [...bus.values()].reduce((n, set) => n + set.size, 0)

describe('wailsBackend', () => {
  beforeEach(() => {
    bus.clear()
    pendingInvite.mockReset()
  })

  it('on: passes on each event of a batch, and a waiting invite link as inviteLink', () => {
    const seen: BackendEvent[] = []
    const stop = wailsBackend.on((e) => seen.push(e))
    fire('parley:events', [
      { name: 'rooms', data: null },
      { name: 'status', data: null },
    ])
    fire('parley:link')
    expect(seen).toEqual([
      { name: 'rooms', data: null },
      { name: 'status', data: null },
      { name: 'inviteLink', data: null },
    ])
    stop()
    expect(listening()).toBe(0)
    fire('parley:link')
    fire('parley:events', [{ name: 'rooms', data: null }])
    expect(seen).toHaveLength(3)
  })

  it('pendingInvite: the preview when a link is waiting, null when the link is empty', async () => {
    const preview = { link: 'parley://join/abc', roomId: 'abc', name: 'design', joined: false }
    pendingInvite.mockResolvedValueOnce(preview)
    pendingInvite.mockResolvedValueOnce({ link: '', roomId: '', name: '', joined: false })
    await expect(wailsBackend.pendingInvite()).resolves.toEqual(preview)
    await expect(wailsBackend.pendingInvite()).resolves.toBeNull()
  })

  it('pendingInvite: a damaged link rejects with the sentence from Go', async () => {
    pendingInvite.mockRejectedValueOnce('This invite link is damaged: ask for a new one.')
    await expect(wailsBackend.pendingInvite()).rejects.toBe('This invite link is damaged: ask for a new one.')
  })

  it('setProxy: passes the mode and the URL to Go, and gives back its setting', async () => {
    const saved: ProxySetting = { mode: 'manual', url: 'socks5://127.0.0.1:1080', credentials: false }
    setProxy.mockResolvedValueOnce(saved)
    await expect(wailsBackend.setProxy('manual', 'socks5://127.0.0.1:1080')).resolves.toEqual(saved)
    expect(setProxy).toHaveBeenCalledWith('manual', 'socks5://127.0.0.1:1080')
  })

  it('setProxy: a refused URL rejects with the sentence from Go', async () => {
    setProxy.mockRejectedValueOnce('That proxy address will not work; give it as http://host:port or socks5://host:port.')
    await expect(wailsBackend.setProxy('manual', 'proxy')).rejects.toMatch(/^That proxy address will not work/)
  })

  it('the private-room calls reach their Go methods with their arguments', async () => {
    const invitation = { id: 'inv1', link: 'parley://join/x', expiresAt: 0, uses: 5, used: 0, by: 'peer-a' }
    bound.CreateInvite.mockResolvedValueOnce(invitation)
    await expect(wailsBackend.createInvite('r1', 168, 5)).resolves.toEqual(invitation)
    expect(bound.CreateInvite).toHaveBeenCalledWith('r1', 168, 5)
    await wailsBackend.createPrivateRoom('book club')
    await wailsBackend.invites('r1')
    await wailsBackend.revokeInvite('r1', 'inv1')
    await wailsBackend.setRole('r1', 'peer-b', 'owner')
    await wailsBackend.removeMember('r1', 'peer-c')
    expect(bound.CreatePrivateRoom).toHaveBeenCalledWith('book club')
    expect(bound.Invites).toHaveBeenCalledWith('r1')
    expect(bound.RevokeInvite).toHaveBeenCalledWith('r1', 'inv1')
    expect(bound.SetRole).toHaveBeenCalledWith('r1', 'peer-b', 'owner')
    expect(bound.RemoveMember).toHaveBeenCalledWith('r1', 'peer-c')
  })

  it('the direct-conversation and blocking calls reach their Go methods', async () => {
    const profile = { peerId: 'peer-c', shortId: 'c', name: 'Cy' }
    bound.Blocked.mockResolvedValueOnce([profile])
    await expect(wailsBackend.blocked()).resolves.toEqual([profile])
    await wailsBackend.directMessage('peer-b')
    await wailsBackend.block('peer-c')
    await wailsBackend.unblock('peer-c')
    expect(bound.DirectMessage).toHaveBeenCalledWith('peer-b')
    expect(bound.Block).toHaveBeenCalledWith('peer-c')
    expect(bound.Unblock).toHaveBeenCalledWith('peer-c')
  })
})
