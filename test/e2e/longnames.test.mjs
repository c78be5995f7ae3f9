// The longest names a node accepts, without a single break, must not push
// the sidebar sideways, and must end in an ellipsis with the whole name in
// a tooltip, while the short ID that tells two people of the same name
// apart stays in view. (The Nearby list shows such names too, but only for
// peers found by mDNS, which these nodes, run with --network off, never
// are.)
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, screenshots, startNode } from './nodes.mjs'
import { joinWithLink } from './ui.mjs'

// chat.MaxNameLen and chat.MaxRoomNameLen, in wide letters.
const peerName = 'W'.repeat(40)
const roomName = 'M'.repeat(80)
let a, b, browser, room, link

before(async () => {
  a = await startNode()
  await a.call('SetName', peerName)
  room = await a.call('CreateRoom', roomName)
  link = await a.call('Invite', room.id)
  b = await startNode({ peers: [a.address] })
  // Bob goes by Ada's long name too: the short IDs tell the two apart, so they show.
  await b.call('SetName', peerName)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

/** Where el is, and whether it is the thing actually seen at its centre. */
function placeOf(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect()
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    return { left: r.left, right: r.right, width: r.width, seen: !!hit && (hit === el || el.contains(hit)) }
  })
}

/** Whether an element ends in an ellipsis, is cut short, and its tooltip. */
function cutOf(locator) {
  return locator.evaluate((e) => ({ title: e.title, ellipsis: getComputedStyle(e).textOverflow, clipped: e.scrollWidth > e.clientWidth }))
}

for (const [colorScheme, viewport] of [
  ['light', { width: 800, height: 600 }],
  ['dark', { width: 800, height: 600 }],
  ['light', { width: 1440, height: 900 }],
  ['dark', { width: 1440, height: 900 }],
]) {
  test(`long unbroken names end in an ellipsis; the sidebar and the short ID hold (${colorScheme}, ${viewport.width}x${viewport.height})`, async () => {
    const context = await browser.newContext({ colorScheme, viewport })
    await context.addInitScript(() => localStorage.setItem('parley.firstRunSkipped', '1'))
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(b.login)
    const suffix = `${colorScheme}-${viewport.width}`

    // Joined with the link Ada sent.
    await joinWithLink(page, link)
    await page.getByRole('heading', { name: `# ${roomName}` }).waitFor()

    const sidebar = await page.locator('.sidebar').evaluate((el) => {
      const r = el.getBoundingClientRect()
      return { left: r.left, right: r.right, sideways: el.scrollWidth > el.clientWidth }
    })
    assert.equal(sidebar.sideways, false, 'the sidebar does not scroll sideways')
    const entry = page.getByTestId('room').filter({ hasText: roomName })
    const p = await placeOf(entry)
    assert.ok(p.width > 0 && p.left >= sidebar.left && p.right <= sidebar.right, `the room's entry inside the sidebar: ${JSON.stringify({ p, sidebar })}`)
    const cut = await cutOf(entry.locator('.name'))
    assert.equal(cut.ellipsis, 'ellipsis', 'the room entry')
    assert.ok(cut.clipped, 'the room entry is cut short')
    assert.equal(cut.title, roomName, 'the room entry keeps the whole name in its tooltip')

    const heading = await page.getByRole('heading', { name: `# ${roomName}` }).evaluate((el) => ({
      clipped: el.scrollWidth > el.clientWidth,
      fits: el.getBoundingClientRect().right <= document.documentElement.clientWidth,
    }))
    assert.deepEqual(heading, { clipped: true, fits: true })
    if (viewport.width > 900) {
      const member = page.getByTestId('member').filter({ hasText: peerName }).filter({ hasNotText: '(you)' })
      await member.waitFor()
      assert.ok((await placeOf(member.locator('code'))).seen, "the member's short ID is visible")
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scroll')
    await page.screenshot({ path: `${screenshots}/long-names-joined-${suffix}.png` })
    await b.call('LeaveRoom', room.id) // the next run joins again
    assert.deepEqual(problems, [])
    await context.close()
  })
}
