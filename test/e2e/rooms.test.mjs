// Rooms and people, driven as a user would in two windows: rename, topic,
// notifications, leave (keeping or deleting the history), connection
// details kept out of the header, the 800x600 layout, and presence.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import axe from 'axe-core'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let a, b, browser, room

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  room = await a.call('CreateRoom', 'team')
  await b.call('JoinRoom', await a.call('Invite', room.id), '')
  await a.call('Send', room.id, 'Good morning')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

/** axe-core's serious and critical findings in the page, one line each. */
async function violations(page, what) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source)
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    window.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  )
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${what}: ${v.id} at ${n.target.join(' ')} — ${n.html.slice(0, 160)}`))
}

/** A window on node, opened on the room called name. */
async function openRoom(node, name, options) {
  const page = await openUI(browser, node, options)
  await page.getByTestId('room').filter({ hasText: name }).click()
  await page.getByRole('heading', { name: `# ${name}` }).waitFor()
  return page
}

/** Picks an item of the open room's menu. */
async function roomAction(page, testId) {
  await page.getByTestId('room-menu').click()
  await page.getByTestId(testId).click()
}

test('a rename and a topic reach both windows, each with its line in the room', async () => {
  const pa = await openRoom(a, 'team')
  const pb = await openRoom(b, 'team')
  await pb.getByTestId('message').filter({ hasText: 'Good morning' }).waitFor()

  // The menu opens and works from the keyboard too.
  await pa.getByTestId('room-menu').focus()
  await pa.keyboard.press('Enter')
  await pa.getByTestId('menu-rename').waitFor()
  await pa.keyboard.press('Enter') // the first item: Rename
  await pa.getByTestId('room-name-input').fill('planning')
  await pa.getByTestId('room-name-input').press('Enter')
  for (const page of [pa, pb]) {
    await page.getByRole('heading', { name: '# planning' }).waitFor()
    await page.getByTestId('system-line').filter({ hasText: 'renamed the room to planning' }).waitFor()
    await page.getByTestId('room').filter({ hasText: 'planning' }).waitFor()
  }

  await roomAction(pa, 'menu-topic')
  await pa.getByTestId('room-topic-input').fill('Spring release, step by step')
  await pa.getByTestId('room-settings-save').click()
  for (const page of [pa, pb]) {
    await page.getByTestId('room-topic').filter({ hasText: 'Spring release, step by step' }).waitFor()
    await page.getByTestId('system-line').filter({ hasText: 'set the topic: Spring release, step by step' }).waitFor()
  }
  assert.deepEqual([...pa.problems, ...pb.problems], [])
  await pa.context().close()
  await pb.context().close()
})

test('a notification setting shows in the sidebar and stays after a reload', async () => {
  const pb = await openRoom(b, 'planning')
  await roomAction(pb, 'notify-mentions')
  const entry = pb.getByTestId('room').filter({ hasText: 'planning' })
  await entry.getByTestId('room-mentions-only').waitFor()
  await pb.reload()
  await entry.getByTestId('room-mentions-only').waitFor()
  await pb.getByTestId('room-menu').click()
  assert.equal(await pb.getByTestId('notify-mentions').getAttribute('aria-checked'), 'true')
  await pb.screenshot({ path: `${screenshots}/room-menu.png` })
  await pb.keyboard.press('Escape')
  await roomAction(pb, 'notify-none')
  await entry.getByTestId('room-muted').waitFor()
  await roomAction(pb, 'notify-all')
  await entry.getByTestId('room-muted').waitFor({ state: 'detached' })
  assert.deepEqual((await b.call('Rooms')).find((r) => r.id === room.id).notify, 'all')
  assert.deepEqual(pb.problems, [])
  await pb.context().close()
})

test('the header has no IDs; Connection details has them, from the status bar', async () => {
  const pb = await openRoom(b, 'planning')
  const header = await pb.locator('.room-header').innerText()
  assert.ok(!header.includes(b.peerId), 'no peer ID in the header')
  assert.ok(!header.includes(room.id), 'no room ID in the header')
  assert.equal(await pb.getByText(b.peerId).count(), 0, 'no peer ID anywhere in the window')
  await pb.getByTestId('connection-details-button').click()
  const details = pb.getByRole('dialog', { name: 'Connection details' })
  assert.equal(await details.getByTestId('my-peer-id').innerText(), b.peerId)
  assert.equal(await details.getByTestId('room-id').innerText(), room.id)
  await pb.screenshot({ path: `${screenshots}/connection-details.png` })
  await pb.keyboard.press('Escape')
  await details.waitFor({ state: 'detached' })
  // And from the "You" settings, by keyboard.
  await pb.getByTestId('you-menu').focus()
  await pb.keyboard.press('Enter')
  await pb.getByTestId('open-details').click()
  await pb.getByRole('dialog', { name: 'Connection details' }).waitFor()
  assert.deepEqual(pb.problems, [])
  await pb.context().close()
})

for (const [colorScheme, width, height] of [
  ['light', 800, 600],
  ['dark', 800, 600],
  ['light', 1440, 900],
  ['dark', 1440, 900],
]) {
  test(`the main window at ${width}x${height} (${colorScheme})`, async () => {
    const pa = await openRoom(a, 'planning', { colorScheme, viewport: { width, height } })
    await pa.getByTestId('message').filter({ hasText: 'Good morning' }).waitFor()
    const panel = pa.getByTestId('member-panel')
    const button = pa.getByTestId('members-button')
    if (width < 1000) {
      // The members fold into a panel opened from the header's count.
      assert.equal(await panel.count(), 0, 'the member list starts folded')
      assert.equal(await button.getAttribute('aria-expanded'), 'false')
      await button.click()
      await panel.getByTestId('member').filter({ hasText: 'Bob' }).waitFor()
      await pa.screenshot({ path: `${screenshots}/rooms-members-open-${colorScheme}-${width}x${height}.png` })
      await pa.keyboard.press('Escape')
      await panel.waitFor({ state: 'detached' })
      assert.equal(await pa.evaluate(() => document.activeElement?.dataset.testid), 'members-button', 'the focus goes back to the count')
      await button.click()
      await panel.getByTestId('members-close').click()
      await panel.waitFor({ state: 'detached' })
    } else {
      await panel.getByTestId('member').filter({ hasText: 'Bob' }).waitFor()
      // The messages keep a readable width.
      const column = await pa.locator('.room-body').evaluate((el) => el.getBoundingClientRect().width)
      assert.ok(column <= 900, `the message column is ${column}px wide`)
    }
    const sideways = await pa.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(sideways <= 0, `the page scrolls sideways by ${sideways}px`)
    await pa.screenshot({ path: `${screenshots}/main-${colorScheme}-${width}x${height}.png` })
    assert.deepEqual(pa.problems, [])
    await pa.context().close()
  })
}

test('a member’s profile card says how they are connected and copies their peer ID', async () => {
  const pa = await openRoom(a, 'planning')
  await pa.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await pa.getByTestId('member').filter({ hasText: 'Bob' }).getByRole('button', { name: /^Bob/ }).click()
  const card = pa.getByTestId('profile-card')
  await card.getByText('On this computer').waitFor()
  assert.equal(await card.getByTestId('profile-short-id').innerText(), (await a.call('Members', room.id)).find((m) => m.name === 'Bob').shortId)
  await pa.screenshot({ path: `${screenshots}/profile-card.png` })
  await card.getByTestId('copy-peer-id').click()
  await card.getByText('Peer ID copied').waitFor()
  assert.equal(await pa.evaluate(() => navigator.clipboard.readText()), b.peerId)
  assert.deepEqual(pa.problems, [])
  await pa.context().close()
})

test('leaving a room keeps its history, or deletes it, as chosen', async () => {
  // Rooms only Bob has: whatever comes back on a rejoin came from his own disk.
  const kept = await b.call('CreateRoom', 'kept')
  const gone = await b.call('CreateRoom', 'gone')
  await b.call('Send', kept.id, 'still here')
  await b.call('Send', gone.id, 'soon gone')
  // Deleting a room's history forgets its secret too: coming back takes an
  // invite link, made here while Bob is still in it.
  const goneLink = await b.call('Invite', gone.id)
  const pb = await openUI(browser, b)

  for (const [r, name, choice, text] of [
    [kept, 'kept', 'leave-keep', 'still here'],
    [gone, 'gone', 'leave-delete', 'soon gone'],
  ]) {
    await pb.getByTestId('room').filter({ hasText: name }).click()
    await pb.getByTestId('message').filter({ hasText: text }).waitFor()
    await roomAction(pb, 'menu-leave')
    await pb.getByTestId(choice).click()
    await pb.getByTestId('room').filter({ hasText: name }).waitFor({ state: 'detached' })
    assert.ok(!(await b.call('Rooms')).some((x) => x.id === r.id), `${name} left`)
  }

  // Back in both rooms, the kept one by its ID alone (the node still holds
  // its secret), the other by its link: the kept one has its message, the
  // other none.
  await b.call('JoinRoom', kept.id, 'kept')
  await assert.rejects(b.call('JoinRoom', gone.id, 'gone'), /invite link/)
  await b.call('JoinRoom', goneLink, 'gone')
  const keptHistory = await b.call('History', kept.id, '', 50)
  const goneHistory = await b.call('History', gone.id, '', 50)
  assert.ok(keptHistory.some((m) => m.text === 'still here'), 'kept history is back')
  assert.ok(!goneHistory.some((m) => m.text === 'soon gone'), 'deleted history stays gone')
  assert.deepEqual(pb.problems, [])
  await pb.context().close()
})

test('the room menu, the member panel and the dialogs pass axe, light and dark', async () => {
  const found = []
  for (const colorScheme of ['light', 'dark']) {
    const pa = await openRoom(a, 'planning', { colorScheme, viewport: { width: 800, height: 600 } })
    await pa.getByTestId('room-menu').click()
    await pa.getByTestId('menu-rename').waitFor()
    found.push(...(await violations(pa, `room menu, ${colorScheme}`)))
    await pa.keyboard.press('Escape')
    await pa.getByTestId('members-button').click()
    await pa.getByTestId('member-panel').getByTestId('member').first().waitFor()
    found.push(...(await violations(pa, `member panel, ${colorScheme}`)))
    await pa.getByTestId('member').filter({ hasText: 'Bob' }).getByRole('button', { name: /^Bob/ }).click()
    await pa.getByTestId('profile-card').waitFor()
    found.push(...(await violations(pa, `profile card, ${colorScheme}`)))
    await pa.keyboard.press('Escape')
    await pa.getByTestId('profile-card').waitFor({ state: 'detached' })
    for (const [open, testId, what] of [
      ['connection-details-button', 'connection-details', 'connection details'],
      [null, 'leave-dialog', 'leave dialog'],
    ]) {
      if (open) await pa.getByTestId(open).click()
      else await roomAction(pa, 'menu-leave')
      await pa.getByTestId(testId).waitFor()
      found.push(...(await violations(pa, `${what}, ${colorScheme}`)))
      await pa.keyboard.press('Escape')
      await pa.getByTestId(testId).waitFor({ state: 'detached' })
    }
    assert.deepEqual(pa.problems, [])
    await pa.context().close()
  }
  assert.deepEqual(found, [])
})

// People found on the network and the rooms they show there need mDNS,
// which these nodes (--network off) do not run: GetStarted's Vitest covers
// that part.
test('a first start asks for a name, then offers to create a room or join from an invite link, which joins', async () => {
  const c = await startNode({ peers: [a.address] })
  try {
    const link = await a.call('Invite', room.id)
    const pc = await openUI(browser, c)
    await pc.getByTestId('first-run-name').fill('Cleo')
    await pc.getByRole('button', { name: 'Continue' }).click()
    const start = pc.getByTestId('get-started')
    await start.getByText('Create a room').waitFor()
    await start.getByText('Join from invite').waitFor()
    await pc.screenshot({ path: `${screenshots}/get-started.png` })
    await start.getByTestId('start-join').fill(link)
    await start.getByTestId('start-join').press('Enter')
    await pc.getByRole('heading', { name: '# planning' }).waitFor()
    await pc.getByTestId('message').filter({ hasText: 'Good morning' }).waitFor()
    assert.deepEqual(pc.problems, [])
    await pc.context().close()
  } finally {
    await c.stop()
  }
})

test('presence: Bob shows online, away when idle, then offline with when he was last seen', async () => {
  // A member who wrote in the room stays in its list when offline.
  await b.call('Send', room.id, 'Back later')
  const pa = await openRoom(a, 'planning')
  const bob = (presence) => pa.locator(`[data-testid="member"][data-presence="${presence}"]`, { hasText: 'Bob' })
  await bob('online').waitFor()
  assert.equal(await bob('online').getByTestId('member-presence').count(), 0, 'online needs no words beside the dot')

  await b.call('SetAway', true)
  await bob('away').getByTestId('member-presence').filter({ hasText: 'away' }).waitFor()
  await b.call('SetAway', false)
  await bob('online').waitFor()

  await b.stop()
  b = null
  await bob('offline').getByTestId('member-presence').filter({ hasText: 'last seen just now' }).waitFor()
  await pa.screenshot({ path: `${screenshots}/rooms-presence-offline.png` })
  assert.deepEqual(pa.problems, [])
  await pa.context().close()
})
