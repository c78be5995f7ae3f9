// The longest names a node accepts, without a single break, must not push
// the Nearby Join button out of the sidebar nor hide the short ID that
// tells two people of the same name apart.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, screenshots, startNode } from './nodes.mjs'

// chat.MaxNameLen and chat.MaxRoomNameLen, in wide letters.
const peerName = 'W'.repeat(40)
const roomName = 'M'.repeat(80)
let a, b, browser, room

before(async () => {
  a = await startNode()
  await a.call('SetName', peerName)
  room = await a.call('CreateRoom', roomName)
  b = await startNode({ peers: [a.address] })
  await b.call('SetName', 'Bob')
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

for (const [colorScheme, viewport] of [
  ['light', { width: 800, height: 600 }],
  ['dark', { width: 800, height: 600 }],
  ['light', { width: 1440, height: 900 }],
  ['dark', { width: 1440, height: 900 }],
]) {
  test(`long unbroken names end in an ellipsis; Join and the short ID stay in view (${colorScheme}, ${viewport.width}x${viewport.height})`, async () => {
    const context = await browser.newContext({ colorScheme, viewport })
    await context.addInitScript(() => localStorage.setItem('parley.firstRunSkipped', '1'))
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(b.login)
    const suffix = `${colorScheme}-${viewport.width}`

    const peer = page.getByTestId('nearby-peer').filter({ hasText: peerName })
    await peer.waitFor()
    const sidebar = await page.locator('.sidebar').evaluate((el) => {
      const r = el.getBoundingClientRect()
      return { left: r.left, right: r.right, sideways: el.scrollWidth > el.clientWidth }
    })
    assert.equal(sidebar.sideways, false, 'the sidebar does not scroll sideways')
    const joinButton = peer.getByRole('button', { name: 'Join' })
    const shortId = peer.locator('code')
    for (const [what, locator] of [
      ['Join button', joinButton],
      ['short ID', shortId],
    ]) {
      const p = await placeOf(locator)
      assert.ok(p.width > 0 && p.left >= sidebar.left && p.right <= sidebar.right, `${what} inside the sidebar: ${JSON.stringify({ p, sidebar })}`)
      assert.ok(p.seen, `${what} is visible, not covered or clipped`)
    }
    assert.match(await shortId.innerText(), /^\S{6,}$/)
    for (const [testId, full] of [
      ['nearby-name', peerName],
      ['nearby-room', `# ${roomName}`],
    ]) {
      const el = peer.getByTestId(testId)
      const cut = await el.evaluate((e) => ({ title: e.title, ellipsis: getComputedStyle(e).textOverflow, clipped: e.scrollWidth > e.clientWidth }))
      assert.equal(cut.ellipsis, 'ellipsis', testId)
      assert.ok(cut.clipped, `${testId} is cut short`)
      assert.equal(cut.title, full.replace(/^# /, ''), `${testId} keeps the whole name in its tooltip`)
    }
    await page.screenshot({ path: `${screenshots}/long-names-nearby-${suffix}.png` })

    // Joined: the sidebar, the room heading and the members hold too.
    await joinButton.click()
    await page.getByRole('heading', { name: `# ${roomName}` }).waitFor()
    const heading = await page.getByRole('heading', { name: `# ${roomName}` }).evaluate((el) => ({
      clipped: el.scrollWidth > el.clientWidth,
      fits: el.getBoundingClientRect().right <= document.documentElement.clientWidth,
    }))
    assert.deepEqual(heading, { clipped: true, fits: true })
    if (viewport.width > 900) {
      const member = page.getByTestId('member').filter({ hasText: peerName })
      await member.waitFor()
      assert.ok((await placeOf(member.locator('code'))).seen, "the member's short ID is visible")
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scroll')
    await page.screenshot({ path: `${screenshots}/long-names-joined-${suffix}.png` })
    await b.call('LeaveRoom', room.id) // the next run joins again from Nearby
    assert.deepEqual(problems, [])
    await context.close()
  })
}
