import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { typingShownMs, useTypingStore } from './typing'

const ada = { room: 'room-a', peerId: 'peer-ada', shortId: 'ada00001', name: 'Ada' }
const bo = { room: 'room-a', peerId: 'peer-bo', shortId: 'bo000001', name: '' }

describe('typing store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('lists who types in a room in the order they started, each once, the unnamed by short ID', () => {
    const typing = useTypingStore()
    typing.seen(ada)
    typing.seen(bo)
    typing.seen(ada) // again: still once
    expect(typing.inRoom('room-a')).toEqual(['Someone', 'Ada']) // a name, never a fingerprint
    expect(typing.inRoom('room-b')).toEqual([])
  })

  it('forgets a typist a few seconds after the last sign, unless it comes again', () => {
    const typing = useTypingStore()
    typing.seen(ada)
    typing.seen(bo)
    vi.advanceTimersByTime(typingShownMs - 1000)
    typing.seen(ada)
    vi.advanceTimersByTime(2000)
    expect(typing.inRoom('room-a')).toEqual(['Ada'])
    vi.advanceTimersByTime(typingShownMs)
    expect(typing.inRoom('room-a')).toEqual([])
  })

  it('drops a typist whose message arrived', () => {
    const typing = useTypingStore()
    typing.seen(ada)
    typing.seen(bo)
    typing.stopped('room-a', ada.peerId)
    expect(typing.inRoom('room-a')).toEqual(['Someone'])
  })
})
