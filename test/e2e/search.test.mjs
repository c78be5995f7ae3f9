import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, screenshots, startNode } from './nodes.mjs'

// A room of 100,000 seeded messages, one of which, 90,000 back from the
// newest, holds a word nobody else wrote.
const count = Number(process.env.SEARCH_MESSAGES ?? 100_000)
const back = 90_000
const at = count - back // its number, counted from 1
const word = 'zanzibar'
const text = `We settled on the ${word} plan for the launch`
let dir, node, browser, roomId

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-search-'))
  // The seed tool writes signed messages straight into the store.
  roomId = execFileSync(
    'go',
    ['run', '../seedroom', '--data-dir', dir, '--room', 'search room', '--n', String(count), '--mark', `${at}:${text}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  ).trim()
  node = await startNode({ dataDir: dir })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The web UI at the given size, past the first-run question (this is about search). */
async function open(viewport) {
  const context = await browser.newContext({ viewport })
  await context.addInitScript(() => localStorage.setItem('parley.firstRunSkipped', '1'))
  const page = await context.newPage()
  page.problems = []
  page.on('pageerror', (e) => page.problems.push(e.message))
  await page.goto(node.login)
  await page.getByTestId('message-list').waitFor()
  return page
}

/** Whether the element lies inside the message list's visible part. */
async function inView(page, locator) {
  const box = await locator.boundingBox()
  const list = await page.getByTestId('message-list').boundingBox()
  return !!box && !!list && box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1
}

/** Waits until fn() is true, checking every 50 ms, for at most ms. */
async function until(fn, ms, what) {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`)
    await new Promise((ok) => setTimeout(ok, 50))
  }
}

test('the backend finds the word by prefix and phrase', async () => {
  const byPrefix = await node.call('Search', 'zanz', '', 50)
  assert.deepEqual(
    byPrefix.map((m) => m.text),
    [text],
  )
  assert.ok(byPrefix[0].highlight.some((p) => p.match && p.text.toLowerCase().startsWith('zanz')), 'the match is marked')
  assert.equal((await node.call('Search', `"${word} plan"`, roomId, 50)).length, 1)
  assert.deepEqual((await node.call('Search', `"plan ${word}"`, roomId, 50)) ?? [], [])
})

// "message" and "of" are in every message: the index is asked for the
// query's rarest word, so the phrase is found however far back it is.
test('a phrase whose longest word is in every message still finds one 90,000 back', async () => {
  const found = await node.call('Search', `"message ${at - 1} of"`, roomId, 5)
  assert.deepEqual(
    found.map((m) => m.text),
    [`message ${at - 1} of ${count}`],
  )
})

test('the quick switcher lists the message under Messages', async () => {
  const page = await open({ width: 1440, height: 900 })
  await page.keyboard.press('Control+k')
  await page.getByTestId('switcher-input').fill(word)
  const hit = page.getByTestId('switcher-messages').getByRole('option').filter({ hasText: 'plan for the launch' })
  await hit.waitFor()
  assert.equal(await hit.locator('mark').first().innerText(), word)
  assert.match(await hit.innerText(), /# search room/)
  await page.screenshot({ path: `${screenshots}/switcher-messages.png` })
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 800, height: 600 },
]) {
  test(`Ctrl+F finds a message 90,000 back and opens it in context (${viewport.width}x${viewport.height})`, async () => {
    const page = await open(viewport)
    await page.keyboard.press('Control+f')
    const panel = page.getByTestId('search-panel')
    const input = panel.getByTestId('search-input')
    await input.waitFor()
    assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'the input has the focus')
    // A word's start is enough.
    await input.fill('zanzi')
    const result = panel.getByTestId('search-result')
    await result.first().waitFor()
    assert.equal(await result.count(), 1)
    // The typed start of the word is marked (or all of it).
    const marked = await result.locator('mark').innerText()
    assert.ok(marked.length >= 5 && word.startsWith(marked.toLowerCase()), `marked: ${marked}`)
    assert.match(await result.innerText(), /# search room/)
    await page.screenshot({ path: `${screenshots}/search-${viewport.width}x${viewport.height}.png` })

    await input.press('Enter')
    const shown = page.getByTestId('message').filter({ hasText: text })
    await shown.waitFor()
    await until(() => inView(page, shown), 10_000, 'the message is scrolled into view')
    // In context: the messages written just before and after it are there too.
    for (const n of [at - 1, at + 1]) {
      await page.getByTestId('message').filter({ hasText: `message ${n} of ${count}` }).waitFor()
    }
    await page.screenshot({ path: `${screenshots}/search-opened-${viewport.width}x${viewport.height}.png` })
    assert.deepEqual(page.problems, [])
    await page.context().close()
  })
}
