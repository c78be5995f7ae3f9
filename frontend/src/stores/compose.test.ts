import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { me, message } from '@/test/fixtures'
import { useComposeStore } from './compose'

describe('compose store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps one mode per room until it is cleared', () => {
    const compose = useComposeStore()
    const question = message('question')
    const mine = message('mine', me.peerId, true)
    compose.startReply('room-a', question)
    compose.startEdit('room-b', mine)
    expect(compose.modeOf('room-a')).toEqual({ kind: 'reply', target: question })
    expect(compose.modeOf('room-b')).toEqual({ kind: 'edit', target: mine, text: 'mine' })
    compose.clear('room-a')
    expect(compose.modeOf('room-a')).toBeUndefined()
    expect(compose.modeOf('room-b')?.kind).toBe('edit')
  })

  it('keeps the text of an edit under way, and only of an edit', () => {
    const compose = useComposeStore()
    const mine = message('typo', me.peerId, true)
    compose.startEdit('room-a', mine)
    compose.setEditText('room-a', 'fixed')
    expect(compose.modeOf('room-a')).toMatchObject({ kind: 'edit', text: 'fixed' })
    expect(mine.text).toBe('typo') // the message itself is untouched until saved
    compose.startReply('room-b', message('q'))
    compose.setEditText('room-b', 'x')
    expect(compose.modeOf('room-b')).not.toHaveProperty('text')
    compose.startEdit('room-a', mine) // starting again starts from the message's text
    expect(compose.modeOf('room-a')).toMatchObject({ text: 'typo' })
  })
})
