// Direct messages through Ada's window: "Message" on Bob in a private
// room's member list (by keyboard) opens their conversation, which Bob's
// node gets as an ordinary one; his answer shows in Ada's window. Then
// Cy, who shares no room with Ada, starts one: it shows as a request,
// with its banner, and Ada blocks Cy from it. Screenshots of the sidebar
// with both conversations, and of the request's banner, light and dark,
// at 800x600 and 1440x900; each checked to fit the window and to show no
// peer ID. Cy is unblocked from the list under You, and a pasted ID the
// node refuses shows its sentence.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'
import { sizes, until } from './ui.mjs'

let a, b, c, browser

before(async () => {
  a = await startNode()
  ;[b, c] = await Promise.all([startNode({ peers: [a.address] }), startNode({ peers: [a.address] })])
  await Promise.all([a.call('SetName', 'Ada'), b.call('SetName', 'Bob'), c.call('SetName', 'Cy'), (browser = await launchBrowser())])
})

after(async () => {
  await browser?.close()
  await Promise.all([a?.stop(), b?.stop(), c?.stop()])
})

/**
 * Pictures of the window in each theme and size, once what `parts()`
 * finds is on screen: each part must fit the window, and no peer ID may
 * show.
 */
async function capture(page, name, parts) {
  const ids = [a.peerId, b.peerId, c.peerId]
  for (const [colorScheme, width, height] of sizes) {
    await page.emulateMedia({ colorScheme })
    await page.setViewportSize({ width, height })
    await page.waitForFunction((scheme) => document.documentElement.dataset.theme === scheme, colorScheme, { timeout: 5000 })
    await page.locator(width < 1000 ? '.panes.narrow' : '.panes:not(.narrow)').waitFor()
    for (const el of parts(page)) {
      await el.waitFor()
      const box = await el.boundingBox()
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5, `${name} fits ${width}x${height}`)
    }
    // The section headings keep to one line, whole.
    for (const h of await page.locator('.room-sidebar h2').all()) {
      const fits = await h.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().height < 24)
      assert.ok(fits, `"${await h.innerText()}" fits the sidebar at ${width}x${height}`)
    }
    const text = await page.locator('body').innerText()
    for (const id of ids) assert.ok(!text.includes(id), `${name} shows a peer ID`)
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
    await page.screenshot({ path: `${screenshots}/direct-${name}-${colorScheme}-${width}x${height}.png`, animations: 'disabled', caret: 'hide' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** The member list's row of the member called name. */
const memberRow = (page, name) => page.getByTestId('member').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}`) }) })
/** The sidebar's entry of the direct conversation with name. */
const directItem = (page, name) => page.getByTestId('sidebar-direct').getByTestId('direct').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) })

test('direct messages: one started from the member list, a request from a stranger blocked from its banner', async () => {
  // Ada and Bob share a private room.
  const plans = await a.call('CreatePrivateRoom', 'plans')
  const invitation = await a.call('CreateInvite', plans.id, 0, 0)
  await b.call('JoinRoom', invitation.link, '')
  await until(async () => (await b.call('Rooms')).some((r) => r.id === plans.id && !r.pending), 'Bob let in')

  const pa = await openUI(browser, a, { viewport: { width: 1440, height: 900 } })
  await pa.getByRole('heading', { name: 'plans', exact: true }).waitFor()
  await pa.getByTestId('sidebar-direct').getByText('No direct messages yet.').waitFor()

  // "Message" from Bob's menu in the member list, by keyboard: his conversation opens, named after him.
  await memberRow(pa, 'Bob').waitFor()
  await memberRow(pa, 'Bob').getByRole('button', { name: 'Actions for Bob' }).focus()
  await pa.keyboard.press('Enter')
  await pa.getByRole('menuitem', { name: 'Message' }).waitFor()
  await pa.keyboard.press('Enter')
  await pa.getByRole('heading', { name: 'Bob', exact: true }).waitFor()
  await directItem(pa, 'Bob').waitFor()
  assert.equal(await pa.getByTestId('invite-people').count(), 0, 'no invitations to a direct conversation')
  await pa.getByTestId('direct-presence').filter({ hasText: 'online' }).waitFor()
  await directItem(pa, 'Bob').locator('[data-testid="presence-dot"][data-presence="online"]').waitFor()

  // Written in the window; Bob's node has an ordinary conversation with the message.
  const composer = pa.getByTestId('composer')
  assert.equal(await composer.getAttribute('placeholder'), 'Message Bob')
  await composer.fill('Hi Bob, a word between us')
  await composer.press('Enter')
  const withAda = await until(async () => (await b.call('Rooms')).find((r) => r.direct), 'Bob has the conversation')
  assert.equal(withAda.name, 'Ada')
  assert.equal(withAda.request, false, 'someone Bob shares a room with: no request')
  await until(async () => (await b.call('History', withAda.id, '', 50)).some((m) => m.text === 'Hi Bob, a word between us'), 'Bob has Ada’s message')
  await b.call('Send', withAda.id, 'Sure, Ada, what is it?')
  await pa.getByTestId('message').filter({ hasText: 'Sure, Ada, what is it?' }).waitFor()

  // Cy, connected to Ada but in no room with her, starts one and writes.
  const withAdaC = await c.call('DirectMessage', a.peerId)
  assert.equal(withAdaC.direct, true)
  await c.call('Send', withAdaC.id, 'Hello Ada, we met at the conference')
  const request = directItem(pa, 'Cy')
  await request.getByTestId('direct-request-tag').waitFor()
  const fromCy = (await a.call('Rooms')).find((r) => r.direct && r.name === 'Cy')
  assert.equal(fromCy.request, true)
  assert.equal(fromCy.notify, 'none', 'a request does not notify')
  await capture(pa, 'sidebar', (page) => [page.getByTestId('sidebar-direct')])

  // Opened: the banner, over Cy's message.
  await request.click()
  const banner = pa.getByTestId('direct-request')
  await banner.getByText('Cy wants to message you. You share no room with them.').waitFor()
  await pa.getByTestId('message').filter({ hasText: 'Hello Ada, we met at the conference' }).waitFor()
  await capture(pa, 'request', (page) => [page.getByTestId('direct-request'), page.getByTestId('sidebar-direct')])

  // Reply puts the focus in the composer.
  await banner.getByRole('button', { name: 'Reply' }).click()
  await pa.locator('[data-testid="composer"]:focus').waitFor()

  // Block, from the banner: the conversation goes, Cy is on Ada's blocked list.
  await banner.getByRole('button', { name: 'Block' }).click()
  await request.waitFor({ state: 'detached' })
  await banner.waitFor({ state: 'detached' })
  const blocked = await a.call('Blocked')
  assert.deepEqual(
    blocked.map((p) => [p.peerId, p.name]),
    [[c.peerId, 'Cy']],
  )
  assert.ok(!(await a.call('Rooms')).some((r) => r.id === fromCy.id), 'the request is left')

  // And in the window, under You.
  await pa.getByTestId('you-menu').click()
  await pa.getByTestId('open-blocked').click()
  const list = pa.getByRole('dialog', { name: 'Blocked people' })
  await list.getByTestId('blocked-person').filter({ hasText: 'Cy' }).waitFor()
  await pa.screenshot({ path: `${screenshots}/direct-blocked-light-1440x900.png`, animations: 'disabled', caret: 'hide' })
  await list.getByRole('button', { name: 'Unblock Cy' }).click()
  await list.getByText('You have not blocked anyone.').waitFor()
  assert.deepEqual(await a.call('Blocked'), [])
  await pa.keyboard.press('Escape')
  await list.waitFor({ state: 'detached' })

  // A pasted ID the node refuses: its sentence, in the dialog, which stays open.
  await pa.getByRole('button', { name: 'New direct message' }).click()
  const paste = pa.getByRole('dialog', { name: 'New direct message' })
  await paste.getByTestId('new-direct-id').fill('12D3KooWnot-a-whole-id')
  await paste.getByTestId('new-direct-id').press('Enter')
  await paste.getByRole('alert').filter({ hasText: "That is not a person's ID; copy it again from Connection details." }).waitFor()
  await pa.keyboard.press('Escape')
  await paste.waitFor({ state: 'detached' })

  assert.deepEqual(pa.problems, [])
  await pa.context().close()
})
