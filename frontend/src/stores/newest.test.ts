import { describe, expect, it } from 'vitest'
import { newestOnly } from './newest'

describe('newestOnly', () => {
  it('applies only the newest answer and lets every caller wait for it', async () => {
    const answers: ((v: string) => void)[] = []
    const applied: string[] = []
    const load = newestOnly(
      () => new Promise<string>((r) => answers.push(r)),
      (v) => applied.push(v),
    )
    const first = load()
    const second = load()
    let firstDone = false
    void first.then(() => (firstDone = true))
    answers[0]!('old')
    await Promise.resolve()
    await Promise.resolve()
    expect(firstDone).toBe(false) // waits for the newer answer
    answers[1]!('new')
    await Promise.all([first, second])
    expect(applied).toEqual(['new'])
  })

  it('passes the newest failure on, and ignores a stale one', async () => {
    const calls: { ok: (v: number) => void; fail: (e: Error) => void }[] = []
    const applied: number[] = []
    const load = newestOnly(
      () => new Promise<number>((ok, fail) => calls.push({ ok, fail })),
      (v) => applied.push(v),
    )
    const stale = load()
    const newest = load()
    calls[0]!.fail(new Error('stale'))
    calls[1]!.ok(2)
    await expect(stale).resolves.toBeUndefined()
    await expect(newest).resolves.toBeUndefined()
    const failing = load()
    calls[2]!.fail(new Error('node gone'))
    await expect(failing).rejects.toThrow('node gone')
    expect(applied).toEqual([2])
  })
})
