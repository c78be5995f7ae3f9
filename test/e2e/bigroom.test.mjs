import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

const count = Number(process.env.BIG_ROOM_MESSAGES ?? 100_000)
let dir, node, browser

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-big-'))
  // The seed tool writes signed messages straight into the store.
  execFileSync('go', ['run', '../seedroom', '--data-dir', dir, '--room', 'big room', '--n', String(count)], { stdio: ['ignore', 'ignore', 'inherit'] })
  node = await startNode({ dataDir: dir })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test(`a room of ${count} messages opens at once and scrolls back to its first message`, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  // This test is about the room, not the first-run question.
  await context.addInitScript(() => localStorage.setItem('parley.firstRunSkipped', '1'))
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (e) => problems.push(e.message))
  const start = performance.now()
  await page.goto(node.login)
  const list = page.getByTestId('message-list')
  // Nothing was ever read here: the room opens on the unread divider above
  // the newest page, its first message in view.
  await page.getByTestId('unread-divider').waitFor()
  await list.getByText(`message ${count - 99} of ${count}`, { exact: true }).waitFor()
  const firstPaintMs = Math.round(performance.now() - start)

  // Scroll up through twenty pages: each arrives while the view stays put.
  const scrollStart = performance.now()
  const topText = async () =>
    list.evaluate((el) => {
      const r = el.getBoundingClientRect()
      const hit = document.elementFromPoint(r.left + 60, r.top + 60)
      return hit?.closest('article')?.querySelector('.message-text')?.textContent ?? ''
    })
  let pages = 0
  let last = await topText()
  while (pages < 20) {
    await list.evaluate((el) => (el.scrollTop = 0))
    const deadline = Date.now() + 10_000
    let now = last
    while (now === last && Date.now() < deadline) {
      await page.waitForTimeout(50)
      now = await topText()
      // A scroll to the top while the page before is still arriving is put
      // back when it lands (the view keeps its place): scroll up again, as a
      // user would.
      if (now === last) await list.evaluate((el) => el.scrollTop > 0 && (el.scrollTop = 0))
    }
    assert.notEqual(now, last, `page ${pages + 1} of older messages did not arrive`)
    last = now
    pages++
  }
  const scrollMs = Math.round(performance.now() - scrollStart)
  const shown = Number(/message (\d+) of/.exec(last)?.[1])
  assert.ok(shown <= count - 20 * 100 + 100, `after 20 pages the top shows message ${shown}`)

  // And the very first message is in the room menu.
  await page.getByTestId('room-menu').click()
  await page.getByTestId('jump-start').click()
  await list.getByText(`message 1 of ${count}`, { exact: true }).waitFor()
  await page.screenshot({ path: `${screenshots}/big-room-top.png` })

  // Jump to today: the room opens at the first message sent since midnight.
  // The seed wrote one message a second, ending now.
  const [room] = await node.call('Rooms')
  const [newest] = await node.call('History', room.id, '', 1)
  const seededFrom = newest.sentAt - (count - 1) * 1000
  const midnight = await page.evaluate(() => new Date(new Date().toDateString()).getTime())
  const want = Math.max(0, Math.ceil((midnight - seededFrom) / 1000)) + 1
  await page.getByTestId('room-menu').click()
  await page.getByTestId('menu-jump').click()
  const jump = page.getByRole('dialog', { name: 'Jump to date' })
  await jump.getByTestId('jump-go').click()
  await jump.waitFor({ state: 'detached' })
  await list.locator('.flash').filter({ hasText: `message ${want} of ${count}` }).waitFor()
  await page.screenshot({ path: `${screenshots}/big-room-jump.png` })
  assert.deepEqual(problems, [])

  const figures = { messages: count, firstPaintMs, twentyPagesUpMs: scrollMs }
  writeFileSync(`${screenshots}/big-room.json`, JSON.stringify(figures, null, 2))
  console.log('big room:', JSON.stringify(figures))
  await context.close()
})
