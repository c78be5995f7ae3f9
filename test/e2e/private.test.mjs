// A private room driven through the window of its owner: created as
// private, an invite link made in its dialog, two people let in by it, a
// chat both ways, one of them made a moderator from the member list (by
// keyboard), the other's messages deleted by the owner and the moderator,
// then that member removed, whose window then says so and stops taking
// messages; the owner, with others still in, may not leave. Screenshots of
// the invite dialog, the member list with its roles, the dialog deleting
// someone else's message, the stubs of removed messages and the removed banner, light and dark, at
// 800x600 and 1440x900; each checked to fit the window and to show no
// peer ID.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'
import { askNewRoom, sizes, until } from './ui.mjs'

let a, b, c, browser

before(async () => {
  ;[a, b, c] = await Promise.all([startNode(), startNode(), startNode()])
  await Promise.all([a.call('SetName', 'Ada'), b.call('SetName', 'Bob'), c.call('SetName', 'Cy'), (browser = await launchBrowser())])
})

after(async () => {
  await browser?.close()
  await Promise.all([a?.stop(), b?.stop(), c?.stop()])
})

/**
 * Pictures of what `part()` finds, in each theme and size: before each,
 * ready(page) brings it on screen (the member list folds into a panel on a
 * narrow window). The part must fit the window and show no peer ID.
 */
async function capture(page, name, part, ready = async () => {}) {
  const ids = [a.peerId, b.peerId, c.peerId]
  for (const [colorScheme, width, height] of sizes) {
    await page.emulateMedia({ colorScheme })
    await page.setViewportSize({ width, height })
    // The page hears of the new scheme a moment later: its theme follows.
    await page.waitForFunction((scheme) => document.documentElement.dataset.theme === scheme, colorScheme, { timeout: 5000 })
    await ready(page, width)
    const el = part(page)
    await el.waitFor()
    const box = await el.boundingBox()
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5, `${name} fits ${width}x${height}`)
    const text = await page.locator('body').innerText()
    for (const id of ids) assert.ok(!text.includes(id), `${name} shows a peer ID`)
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
    await page.screenshot({ path: `${screenshots}/private-${name}-${colorScheme}-${width}x${height}.png`, animations: 'disabled', caret: 'hide' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** The member list's row of the member called name. */
const memberRow = (page, name) => page.getByTestId('member').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}`) }) })

/** Opens the member panel on a narrow window, where it is folded away. */
async function showMembers(page, width) {
  await page.locator(width < 1000 ? '.panes.narrow' : '.panes:not(.narrow)').waitFor()
  const button = page.getByTestId('members-button')
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click()
  await page.getByTestId('member-panel').waitFor()
}

test('a private room: invite in the dialog, let in, chat, a moderator appointed, messages removed and a member removed', async () => {
  const pa = await openUI(browser, a, { viewport: { width: 1440, height: 900 } })

  // Created private from the create dialog: a lock, not "#", in the sidebar and the header.
  const create = await askNewRoom(pa, 'plans')
  await create.getByTestId('who-private').check()
  await create.getByTestId('create-room-submit').click()
  await pa.getByRole('heading', { name: 'plans', exact: true }).waitFor()
  await pa.locator('.room-header h1 [data-testid="lock-icon"]').waitFor()
  await pa.getByTestId('room').filter({ hasText: 'plans' }).locator('[data-testid="lock-icon"]').waitFor()
  const room = (await a.call('Rooms')).find((r) => r.name === 'plans')
  assert.equal(room.private, true)
  assert.equal(room.myRole, 'owner')

  // A link made in the invite dialog, and a second with a limit.
  await pa.getByTestId('invite-people').click()
  const invite = pa.getByRole('dialog', { name: 'Invite people to plans' })
  await invite.getByText('Anyone with this link can join until it expires or is used up.').waitFor()
  await invite.getByTestId('invite-create').click()
  const link = await invite.getByTestId('invite-link').inputValue()
  assert.match(link, /^parley:\/\/join\//)
  await invite.getByTestId('invite-expiry').selectOption('24')
  await invite.getByTestId('invite-uses').selectOption('5')
  await invite.getByTestId('invite-create').click()
  await until(async () => (await invite.getByTestId('invite-row').count()) === 2, 'two open links listed')

  // Bob and Cy join by the first link and are let in.
  const [joinedB, joinedC] = await Promise.all([b.call('JoinRoom', link, ''), c.call('JoinRoom', link, '')])
  assert.equal(joinedB.pending, true)
  assert.equal(joinedC.pending, true)
  const letIn = (node) => until(async () => (await node.call('Rooms')).find((r) => r.id === room.id && !r.pending && r.myRole === 'member'), 'let in')
  await Promise.all([letIn(b), letIn(c)])
  // The dialog counts them on the first link.
  await invite.getByTestId('invite-row').filter({ hasText: '2 joined' }).waitFor()
  await capture(pa, 'invite-dialog', () => invite)
  await invite.getByTestId('invite-done').click()
  await invite.waitFor({ state: 'detached' })

  // Both ways: Ada in the window, Bob through his node.
  await pa.getByTestId('composer').fill('Welcome to plans, both of you')
  await pa.getByTestId('composer').press('Enter')
  await until(async () => (await b.call('History', room.id, '', 50)).some((m) => m.text === 'Welcome to plans, both of you'), 'Bob has Ada’s message')
  await b.call('Send', room.id, 'Thanks Ada, glad to be here')
  await pa.getByTestId('message').filter({ hasText: 'Thanks Ada, glad to be here' }).waitFor()
  await pa.getByTestId('system-line').filter({ hasText: 'let Bob in' }).first().waitFor()

  // Cy's window, open on the room.
  const pc = await openUI(browser, c, { viewport: { width: 1440, height: 900 } })
  await pc.getByRole('heading', { name: 'plans', exact: true }).waitFor()
  await pc.getByTestId('message').filter({ hasText: 'Welcome to plans' }).waitFor()
  assert.equal(await pc.getByTestId('composer').isDisabled(), false)

  // Bob made a moderator from the member list, by keyboard.
  await memberRow(pa, 'Cy').waitFor()
  const bobMenu = memberRow(pa, 'Bob').getByRole('button', { name: 'Actions for Bob' })
  await bobMenu.focus()
  await pa.keyboard.press('Enter')
  // The menu opens on Message; the role actions come next.
  await pa.getByRole('menuitem', { name: 'Message' }).waitFor()
  await pa.keyboard.press('ArrowDown')
  await pa.getByRole('menuitem', { name: 'Make moderator' }).and(pa.locator(':focus')).waitFor()
  await pa.keyboard.press('Enter')
  await memberRow(pa, 'Bob').getByTestId('member-role').filter({ hasText: 'Moderator' }).waitFor()
  await until(async () => (await b.call('Rooms')).find((r) => r.id === room.id)?.myRole === 'moderator', 'Bob is a moderator on his node')
  assert.equal(await memberRow(pa, 'Ada').getByTestId('member-role').innerText(), 'Owner')
  await capture(pa, 'member-list', (page) => page.getByTestId('member-panel'), showMembers)

  // The owner deletes a member's message from its menu, after the dialog
  // names whose it is; the moderator deletes another through his node.
  // Everyone's window says who removed each.
  const spam = await c.call('Send', room.id, 'cheap watches, click here')
  const row = (page, id) => page.locator(`article[data-id="${id}"]`)
  await row(pa, spam.id).click({ button: 'right' })
  await pa.getByRole('menuitem', { name: 'Delete' }).click()
  const removeDialog = pa.getByTestId('confirm-dialog')
  await removeDialog.getByText("Delete Cy's message?").waitFor()
  await capture(pa, 'remove-message', () => removeDialog)
  await removeDialog.getByRole('button', { name: 'Delete' }).click()
  const again = await c.call('Send', room.id, 'and once more')
  await row(pa, again.id).waitFor()
  await until(async () => (await b.call('History', room.id, '', 50)).some((m) => m.id === again.id), 'Bob has Cy’s message')
  await b.call('Delete', room.id, again.id)
  for (const [who, page, node] of [['ada', pa, a], ['cy', pc, c]]) {
    await row(page, spam.id).getByTestId('deleted-stub').filter({ hasText: 'Removed by Ada' }).waitFor()
    try {
      await row(page, again.id).getByTestId('deleted-stub').filter({ hasText: 'Removed by Bob' }).waitFor()
    } catch (err) {
      // Whether the window or the node is behind.
      const shown = await row(page, again.id).innerText().catch((e) => e.message)
      const held = (await node.call('History', room.id, '', 50)).find((m) => m.id === again.id)
      throw new Error(`${err.message}\n${who}'s window shows: ${shown}\n${who}'s node holds: ${JSON.stringify(held)}`)
    }
    assert.equal(await row(page, spam.id).locator('.message-text').count(), 0, 'the removed text is gone')
  }
  await capture(pc, 'removed-messages', (page) => page.locator('main.room'))

  // Cy removed, after the dialog asks.
  await memberRow(pa, 'Cy').getByRole('button', { name: 'Actions for Cy' }).click()
  await pa.getByRole('menuitem', { name: 'Remove from room…' }).click()
  const confirm = pa.getByRole('dialog', { name: 'Remove Cy from plans?' })
  await confirm.getByTestId('member-action-confirm').click()
  await confirm.waitFor({ state: 'detached' })
  await memberRow(pa, 'Cy').waitFor({ state: 'detached' })

  // Cy's window says so; the history stays, the composer is off.
  await pc.getByTestId('room-standing').filter({ hasText: 'You were removed from this room' }).waitFor()
  await pc.getByTestId('message').filter({ hasText: 'Welcome to plans' }).waitFor()
  assert.equal(await pc.getByTestId('composer').isDisabled(), true)
  await pc.getByTestId('composer-blocked').waitFor()
  await capture(pc, 'removed', (page) => page.locator('main.room'))

  // The owner may not leave while others stay: the leave dialog says so in the node's words.
  await pa.getByTestId('room-menu').click()
  await pa.getByTestId('menu-leave').click()
  const leave = pa.getByTestId('leave-dialog')
  await leave.getByTestId('leave-keep').click()
  await leave.getByRole('alert').filter({ hasText: 'The owner cannot leave while others stay; make someone else the owner first.' }).waitFor()
  await pa.keyboard.press('Escape')
  await leave.waitFor({ state: 'detached' })
  assert.ok((await a.call('Rooms')).some((r) => r.id === room.id), 'the owner is still in the room')

  assert.deepEqual([...pa.problems, ...pc.problems], [])
  await pa.context().close()
  await pc.context().close()
})
