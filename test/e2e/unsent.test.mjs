// A message whose send failed stays on screen, with Retry and Discard,
// through a room switch, a reload of the room after `lagged` and a reload
// of the page, until it is sent or discarded.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, screenshots, startNode } from './nodes.mjs'

let node, browser

before(async () => {
  node = await startNode()
  await node.call('SetName', 'Ada')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
})

/** Makes every Send fail the way a node that went away would. */
async function failSends(page) {
  await page.route('**/api/Send', (route) =>
    route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'the node is not answering' }) }),
  )
}

/** A page on the node, its first-run question skipped, with a room list. */
async function openPage(colorScheme, viewport) {
  const context = await browser.newContext({ colorScheme, viewport })
  await context.addInitScript(() => localStorage.setItem('parley.firstRunSkipped', '1'))
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (e) => problems.push(e.message))
  const open = async (name) => {
    await page.getByTestId('room').filter({ hasText: name }).click()
    await page.getByRole('heading', { name: `# ${name}` }).waitFor()
  }
  return { context, page, problems, open }
}

/** Types text into the composer and sends it. */
async function send(page, text) {
  await page.getByTestId('composer').fill(text)
  await page.getByTestId('composer').press('Enter')
}

test('a failed send survives a room switch, lagged and a page reload, and Retry sends it', async () => {
  const first = await node.call('CreateRoom', 'first')
  const second = await node.call('CreateRoom', 'second')
  const { context, page, problems, open } = await openPage('light', { width: 1440, height: 900 })
  // The event socket passes through here, so the test can drop it: the
  // UI reconnects and reloads what is on screen, as after `lagged`.
  let socket = null
  await page.routeWebSocket('**/api/events', (ws) => {
    ws.connectToServer()
    socket = ws
  })
  await page.goto(node.login)
  await open(first.name)

  await failSends(page)
  const text = 'do not lose me'
  await send(page, text)
  // Found by what the user sees, wherever the page shows it.
  const unsent = page.locator('main').locator('article, li').filter({ hasText: text })
  const unsentList = page.getByRole('region', { name: 'Unsent messages' })
  await unsent.getByText('Not sent: the node is not answering').waitFor()
  assert.equal(await page.getByTestId('composer').inputValue(), '', 'the composer was cleared')

  // A room switch and back.
  await open(second.name)
  assert.equal(await unsent.count(), 0, 'shown in its own room only')
  await open(first.name)
  await unsent.waitFor()

  // Lost events: the socket drops, the UI reconnects and reloads the room.
  const reloaded = page.waitForRequest('**/api/History')
  await socket.close()
  await reloaded
  await page.waitForLoadState('networkidle')
  assert.equal(await unsent.count(), 1, 'still there after the room was reloaded')

  // A reload of the page.
  await page.reload()
  await open(first.name)
  await unsent.getByText('Not sent').waitFor()

  // The node answers again: Retry from the keyboard sends it.
  await page.unrouteAll({ behavior: 'wait' })
  await unsent.getByRole('button', { name: 'Retry' }).focus()
  await page.keyboard.press('Enter')
  await page.getByTestId('message').filter({ hasText: text }).waitFor()
  assert.equal(await unsentList.getByText(text).count(), 0, 'no longer unsent once sent')
  const history = await node.call('History', first.id, '', 10)
  assert.deepEqual(
    history.filter((m) => m.text === text).map((m) => m.text),
    [text],
    'stored once',
  )

  // Another failure, discarded from the keyboard: gone, and stays gone.
  await failSends(page)
  await send(page, 'never mind')
  const discarded = unsentList.getByRole('listitem').filter({ hasText: 'never mind' })
  await discarded.getByRole('button', { name: 'Discard' }).focus()
  await page.keyboard.press('Space')
  await discarded.waitFor({ state: 'detached' })
  assert.ok(await page.getByTestId('composer').evaluate((el) => el === document.activeElement), 'focus back in the composer')
  await page.reload()
  await open(first.name)
  await page.getByTestId('message').filter({ hasText: text }).waitFor()
  assert.equal(await discarded.count(), 0)
  assert.deepEqual(problems, [])
  await context.close()
})

// How an unsent message looks, in both themes at both sizes (the behaviour
// above is the same at every size).
for (const [colorScheme, viewport] of [
  ['light', { width: 1440, height: 900 }],
  ['dark', { width: 1440, height: 900 }],
  ['light', { width: 800, height: 600 }],
  ['dark', { width: 800, height: 600 }],
]) {
  test(`an unsent message shows why, with Retry and Discard (${colorScheme}, ${viewport.width}x${viewport.height})`, async () => {
    const suffix = `${colorScheme}-${viewport.width}`
    const room = await node.call('CreateRoom', `look ${suffix}`)
    const { context, page, problems, open } = await openPage(colorScheme, viewport)
    await page.goto(node.login)
    await open(room.name)
    await failSends(page)
    const text = `do not lose me ${suffix}`
    await send(page, text)
    const unsent = page.locator('main').locator('article, li').filter({ hasText: text })
    await unsent.getByText('Not sent: the node is not answering').waitFor()
    await unsent.getByRole('button', { name: 'Retry' }).waitFor()
    await unsent.getByRole('button', { name: 'Discard' }).waitFor()
    await page.screenshot({ path: `${screenshots}/unsent-${suffix}.png` })
    assert.deepEqual(problems, [])
    await context.close()
  })
}
