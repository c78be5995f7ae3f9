import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { useDraftsStore } from './drafts'

describe('drafts store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('keeps a draft per room, also across a reload', async () => {
    const drafts = useDraftsStore()
    drafts.set('room-a', 'half written')
    drafts.set('room-b', 'other')
    await nextTick()
    setActivePinia(createPinia()) // a fresh page
    const again = useDraftsStore()
    expect(again.get('room-a')).toBe('half written')
    expect(again.get('room-b')).toBe('other')
    again.set('room-a', '')
    expect(again.get('room-a')).toBe('')
  })
})
