// The screenshots in docs/screenshots: the main window with a real team
// conversation between two nodes, in the light and dark themes, at 1440x900
// and 800x600. Written as docs-main-<theme>-<size>.png beside the other
// screenshots; copied into docs/ by hand when the window changes.
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let a, b, browser, planning, random

/** Waits for check() to be true, polling, for at most 20 s. */
async function until(check, what) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** Waits until a message (by id) is in the room's history on node. */
async function arrived(node, roomId, id) {
  await until(async () => (await node.call('History', roomId, '', 100)).some((m) => m.id === id), `message ${id} on the other node`)
}

/** Sends on one node and waits for the other to have it, so the order reads as written. */
async function say(from, to, roomId, text) {
  const m = await from.call('Send', roomId, text)
  await arrived(to, roomId, m.id)
  return m
}

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  planning = await a.call('CreateRoom', 'planning')
  random = await a.call('CreateRoom', 'random')
  await b.call('JoinRoom', await a.call('Invite', planning.id), '')
  await b.call('JoinRoom', await a.call('Invite', random.id), '')
  await until(async () => (await a.call('Members', planning.id)).some((m) => m.name === 'Bob' && m.online), 'Bob online in planning')

  const id = planning.id
  await a.call('SetTopic', id, 'Spring release, step by step')
  await say(a, b, id, 'Morning! The release candidate is tagged. What is left before Friday?')
  const slow = await say(b, a, id, 'Mostly the migration: it is still slow on big databases.')
  const which = await a.call('Reply', id, slow.id, 'Which step is slow?')
  await arrived(b, id, which.id)
  const code = await say(
    b,
    a,
    id,
    'This one takes **40 s** on two million rows:\n```sql\nUPDATE messages SET room_id = rooms.id\n  FROM rooms WHERE rooms.old_id = messages.old_room;\n```',
  )
  await a.call('React', id, code.id, '👀')
  const fix = await say(a, b, id, 'An index on `rooms.old_id` should fix it. I will add it to the migration.')
  await b.call('React', id, fix.id, '👍')
  await say(b, a, id, '@Ada could you read the changelog before I publish the notes?')
  const draft = await say(a, b, id, 'Sure, after lunch.')
  await a.call('Edit', id, draft.id, 'Sure, right after standup.')
  await b.call('React', id, draft.id, '🙏')
  const last = await say(b, a, id, 'Thanks! Then we ship on Friday 🚀')
  // Ada has read planning; random keeps one unread message for the badge.
  await a.call('MarkRead', id, last.id)
  await say(b, a, random.id, 'Anyone up for lunch at the new ramen place?')
  await until(async () => {
    const r = (await a.call('Rooms')).find((x) => x.id === random.id)
    return r.unread === 1
  }, 'random has one unread message for Ada')
  await until(async () => {
    const ms = await a.call('History', id, '', 100)
    const d = ms.find((m) => m.id === draft.id)
    return d.edited && d.reactions.length === 1 && ms.find((m) => m.id === fix.id).reactions.length === 1
  }, 'the edit and the reactions reached Ada')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

const shots = [
  ['light', 1440, 900],
  ['dark', 1440, 900],
  ['light', 800, 600],
  ['dark', 800, 600],
]

for (const [colorScheme, width, height] of shots) {
  test(`the main window, ${colorScheme}, ${width}x${height}`, async () => {
    // The theme follows the system (the default), emulated here.
    const page = await openUI(browser, a, { colorScheme, viewport: { width, height } })
    const consoleErrors = []
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))

    // Ada's window opens on planning, the first room: the whole conversation is shown.
    await page.getByRole('heading', { name: '# planning' }).waitFor()
    await page.getByTestId('room-topic').filter({ hasText: 'Spring release, step by step' }).waitFor()
    const list = page.getByTestId('message-list')
    const message = (text) => list.getByTestId('message').filter({ hasText: text })
    await message('Thanks! Then we ship on Friday').waitFor()
    await message('the changelog').getByTestId('mention-badge').waitFor()
    await message('right after standup').getByTestId('edited').waitFor()
    await message('Which step is slow?').getByTestId('reply-quote').getByText('Mostly the migration').waitFor()
    await message('This one takes').locator('strong', { hasText: '40 s' }).waitFor()
    await message('This one takes').locator('pre code', { hasText: 'UPDATE messages SET room_id' }).waitFor()
    const fix = message('An index on')
    await fix.locator('code', { hasText: 'rooms.old_id' }).waitFor()
    await fix.locator('[data-testid="reaction"][data-emoji="👍"]').filter({ hasText: '1' }).waitFor()
    await message('This one takes').locator('[data-testid="reaction"][data-emoji="👀"][aria-pressed="true"]').waitFor()
    const randomRoom = page.getByTestId('room').filter({ hasText: 'random' })
    assert.equal(await randomRoom.locator('.badge').innerText(), '1', 'random shows its unread message')
    assert.equal(await page.getByTestId('unread-divider').count(), 0, 'planning is read: no "New messages" line')
    await page.getByTestId('status-bar').getByText('Connected to 1 peer').waitFor()
    // The newest message is in view, not under the composer.
    await until(async () => {
      const box = await list.boundingBox()
      const lastBox = await message('Thanks! Then we ship on Friday').boundingBox()
      return lastBox && lastBox.y + lastBox.height <= box.y + box.height + 1
    }, 'the newest message in view')

    // Nothing from the automation in the picture: no hover toolbar, no focus ring, no caret.
    await page.mouse.move(width - 1, height - 1)
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur())
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
    assert.equal(await page.locator('article[data-testid="message"]:hover, :focus-visible').count(), 0, 'nothing hovered or focused')
    assert.equal(await page.getByRole('menu').count(), 0, 'no menu open')

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)

    const path = `${screenshots}/docs-main-${colorScheme}-${width}x${height}.png`
    await page.screenshot({ path, animations: 'disabled', caret: 'hide' })
    assert.ok(statSync(path).size > 30_000, `${path} is a real picture`)
    assert.deepEqual(page.problems, [])
    assert.deepEqual(consoleErrors, [], 'no console errors')
    await page.context().close()
  })
}
