// A parley://join/ link the desktop app was opened with: the join dialog asks
// before joining, joins for real and opens the room; for a room already
// joined it only opens it. The dialog lives in the desktop window, so here the
// page plays that window: the desktop bridge (window.go, window.runtime) is
// stood in for by the node's HTTP API, and PendingInvite hands out the links
// the test queues. Also: the version the node runs shows in About and in
// Connection details. Screenshots of each dialog, light and dark, at 800x600
// and 1440x900; axe-core finds no serious violation in them.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, parley, screenshots, startNode } from './nodes.mjs'

let a, b, browser, design, planning, designLink, planningLink

const sizes = [
  ['light', 1440, 900],
  ['dark', 1440, 900],
  ['light', 800, 600],
  ['dark', 800, 600],
]

/** Waits for check() to be true, polling, for at most 20 s. */
async function until(check, what) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  design = await a.call('CreateRoom', 'design')
  planning = await a.call('CreateRoom', 'planning')
  designLink = await a.call('Invite', design.id)
  planningLink = await a.call('Invite', planning.id)
  await b.call('JoinRoom', planningLink, '')
  await a.call('Send', design.id, 'The new icons are in the shared folder.')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

/**
 * Runs in the page before its scripts: the desktop bridge, played by the HTTP
 * API (whose login cookie the page has) and its event socket. PendingInvite
 * hands out queued links; window.openLink(preview) queues one and says so, as
 * the desktop app does when a second start hands over a link.
 */
function desktopBridge(start) {
  const none = { link: '', roomId: '', name: '', joined: false }
  const invites = start ? [start] : []
  const listeners = new Map()
  let socket = null
  const emit = (name, ...data) => listeners.get(name)?.forEach((fn) => fn(...data))
  async function call(method, args) {
    const resp = await fetch(`/api/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    })
    const body = await resp.json().catch(() => null)
    // Wails rejects with the Go error's text.
    if (!resp.ok) throw body?.error ?? `HTTP ${resp.status}`
    return body
  }
  const own = {
    PendingInvite: async () => invites.shift() ?? none,
    FrontendReady: async () => {},
    WindowFocused: async () => {},
  }
  window.go = { main: { App: new Proxy({}, { get: (_, method) => own[method] ?? ((...args) => call(method, args)) }) } }
  window.runtime = {
    EventsOnMultiple(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set())
      listeners.get(name).add(fn)
      if (name === 'parley:events' && !socket) {
        socket = new WebSocket(`ws://${location.host}/api/events`)
        socket.onmessage = (msg) => emit('parley:events', [JSON.parse(msg.data)])
      }
      return () => listeners.get(name).delete(fn)
    },
    ClipboardSetText: async () => true,
    WindowSetTitle: () => {},
    BrowserOpenURL: () => {},
  }
  window.openLink = (preview) => {
    invites.push(preview)
    emit('parley:link')
  }
}

/** Bob's window as the desktop app shows it, started with the link `start` (or none). */
function openDesktop({ start = null, colorScheme = 'light', viewport = { width: 1280, height: 800 } } = {}) {
  return openUI(browser, b, { colorScheme, viewport, init: [desktopBridge, start] })
}

/** A dialog's picture, after checking it fits the window and shows no link or ID. */
async function capture(page, dialog, name) {
  const text = await dialog.innerText()
  for (const secret of [designLink, planningLink, design.id, planning.id, a.peerId, b.peerId, 'parley://', '12D3KooW']) {
    assert.ok(!text.includes(secret), `${name} shows ${secret.slice(0, 24)}…`)
  }
  const box = await dialog.boundingBox()
  const { width, height } = page.viewportSize()
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height, `${name} fits the window`)
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
  await page.screenshot({ path: `${screenshots}/${name}.png`, animations: 'disabled', caret: 'hide' })
}

const preview = (room, link, joined) => ({ link, roomId: room.id, name: room.name, joined })

test('the join dialog, both kinds, light and dark, at 800x600 and 1440x900, passes axe', async () => {
  const found = []
  for (const [colorScheme, width, height] of sizes) {
    const size = `${colorScheme}-${width}x${height}`
    const page = await openDesktop({ start: preview(design, designLink, false), colorScheme, viewport: { width, height } })
    const join = page.getByRole('dialog', { name: 'Join # design?' })
    await join.waitFor()
    await join.getByText('You were invited to # design.').waitFor()
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Join', 'Join has the focus: Enter joins')
    await capture(page, join, `invite-join-${size}`)
    found.push(...(await violations(page, `join dialog, ${size}`)))
    await page.keyboard.press('Escape')
    await join.waitFor({ state: 'detached' })

    await page.evaluate((p) => window.openLink(p), preview(planning, planningLink, true))
    const open = page.getByRole('dialog', { name: "You're already in # planning" })
    await open.waitFor()
    await capture(page, open, `invite-open-${size}`)
    found.push(...(await violations(page, `open dialog, ${size}`)))
    await page.keyboard.press('Escape')
    await open.waitFor({ state: 'detached' })
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.ok(!(await b.call('Rooms')).some((r) => r.id === design.id), 'Escape joined nothing')
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})

test('Enter joins the room of the start link and opens it; a link to a room already joined only opens it', async () => {
  const page = await openDesktop({ start: preview(design, designLink, false) })
  await page.getByRole('dialog', { name: 'Join # design?' }).waitFor()
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: '# design' }).waitFor()
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  assert.ok((await b.call('Rooms')).some((r) => r.id === design.id), "Bob's node joined the room")
  // Its history comes from Ada, who is online.
  await page.getByTestId('message').filter({ hasText: 'The new icons are in the shared folder.' }).waitFor()

  await page.evaluate((p) => window.openLink(p), preview(planning, planningLink, true))
  await page.getByRole('dialog', { name: "You're already in # planning" }).waitFor()
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: '# planning' }).waitFor()
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('About and Connection details show the running version, light and dark, at 800x600 and 1440x900', async () => {
  const version = execFileSync(parley, ['--version'], { encoding: 'utf8' }).trim().replace(/^parley /, '')
  assert.match(version, /^\d+\.\d+\.\d+/, 'parley --version prints a version')
  assert.equal((await b.call('Status')).version, version, 'Status carries the version')
  const found = []
  for (const [colorScheme, width, height] of sizes) {
    const size = `${colorScheme}-${width}x${height}`
    const page = await openUI(browser, b, { colorScheme, viewport: { width, height } })
    // Once the room is open (it takes the focus into its composer).
    await page.getByRole('heading', { name: /^# / }).waitFor()
    await page.getByTestId('you-menu').click()
    await page.getByTestId('open-about').click()
    const about = page.getByRole('dialog', { name: 'About Parley' })
    await about.waitFor()
    assert.equal(await about.getByTestId('about-version').innerText(), version)
    await about.getByText('© 2026 the Parley developers').waitFor()
    await capture(page, about, `about-${size}`)
    found.push(...(await violations(page, `About, ${size}`)))
    await page.keyboard.press('Escape')
    await about.waitFor({ state: 'detached' })
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'you-menu', 'the focus is back on "You"')

    await page.getByTestId('connection-details-button').click()
    const details = page.getByTestId('connection-details')
    await details.waitFor()
    const line = details.getByTestId('details-version')
    assert.equal(await line.innerText(), `Parley ${version}`)
    await line.scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${screenshots}/details-${size}.png`, animations: 'disabled', caret: 'hide' })
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})
