// Who can join a room, driven as a user would: creating a room asks it
// (invite only unless chosen otherwise), the room header says it in plain
// words, and any member changes it, from the header or the room menu, by
// mouse and by keyboard. The nodes run with --network off, so nobody is
// found on a network here: what Nearby shows is tested in Vitest.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'
import { askNewRoom, joinWithLink } from './ui.mjs'

let a, b, browser

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

/** Waits for check() to be true, polling, for at most 20 s. */
async function until(check, what) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** The room called name as node has it. */
async function roomOn(node, name) {
  return (await node.call('Rooms')).find((r) => r.name === name)
}

/** The data-testid of the focused element. */
const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))

/** Opens the create dialog from the sidebar's "+", types the name and Tabs on to the choice. */
async function askCreate(page, name) {
  const dialog = await askNewRoom(page, name)
  await page.keyboard.press('Tab')
  return dialog
}

test('a new room is invite only unless chosen otherwise, and the header says so', async () => {
  const page = await openUI(browser, a)
  const dialog = await askCreate(page, 'quiet')
  const group = dialog.getByRole('group', { name: 'Who can join' })
  const invite = group.getByRole('radio', { name: 'Anyone with an invite link' })
  const network = group.getByRole('radio', { name: 'People on this network can find it too' })
  assert.equal(await invite.isChecked(), true, 'invite only is chosen')
  assert.equal(await network.isChecked(), false)
  assert.equal(await dialog.getByTestId('create-room-name').inputValue(), 'quiet')
  assert.equal(await focused(page), 'who-invite', 'Tab goes from the name to the choice')
  await page.screenshot({ path: `${screenshots}/visibility-create-dialog.png` })

  // Enter on the choice creates the room.
  await page.keyboard.press('Enter')
  await dialog.waitFor({ state: 'detached' })
  await page.getByRole('heading', { name: '# quiet' }).waitFor()
  const label = page.locator('.room-header').getByTestId('room-access')
  assert.equal(await label.innerText(), 'Invite only')
  const room = await roomOn(a, 'quiet')
  assert.equal(room.nearby, false)
  assert.equal(room.legacy, false)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('choosing the network, by keyboard, makes the new room visible on it', async () => {
  const page = await openUI(browser, a)
  const dialog = await askCreate(page, 'lunch')
  await page.keyboard.press('ArrowDown') // the radio group: to the second choice
  assert.equal(await focused(page), 'who-network')
  assert.equal(await dialog.getByTestId('who-network').isChecked(), true)
  await page.screenshot({ path: `${screenshots}/visibility-create-network.png` })
  await page.keyboard.press('Enter')
  await dialog.waitFor({ state: 'detached' })
  await page.getByRole('heading', { name: '# lunch' }).waitFor()
  await page.locator('.room-header').getByTestId('room-access').filter({ hasText: 'Visible on this network' }).waitFor()
  await until(async () => (await roomOn(a, 'lunch'))?.nearby === true, 'lunch visible on the network')
  await page.getByTestId('system-line').filter({ hasText: 'You made the room visible on this network' }).waitFor()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('by mouse: the network chosen in the dialog, Create clicked', async () => {
  const page = await openUI(browser, a)
  const dialog = await askCreate(page, 'board games')
  await dialog.getByText('People on this network can find it too').click()
  await dialog.getByTestId('create-room-submit').click()
  await dialog.waitFor({ state: 'detached' })
  await page.getByRole('heading', { name: '# board games' }).waitFor()
  await page.locator('.room-header').getByTestId('room-access').filter({ hasText: 'Visible on this network' }).waitFor()
  await until(async () => (await roomOn(a, 'board games'))?.nearby === true, 'board games visible on the network')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('any member changes who can join, from the header label or the room menu, and both windows follow', async () => {
  const quiet = await roomOn(a, 'quiet')
  await b.call('JoinRoom', await a.call('Invite', quiet.id), '')
  await until(async () => (await a.call('Members', quiet.id)).some((m) => m.name === 'Bob' && m.online), 'Bob online in quiet')

  const pa = await openUI(browser, a)
  const pb = await openUI(browser, b, { colorScheme: 'dark' })
  for (const page of [pa, pb]) {
    await page.getByTestId('room').filter({ hasText: 'quiet' }).click()
    await page.getByRole('heading', { name: '# quiet' }).waitFor()
  }
  const labelA = pa.locator('.room-header').getByTestId('room-access')
  const labelB = pb.locator('.room-header').getByTestId('room-access')
  assert.equal(await labelB.innerText(), 'Invite only')

  // Bob, who did not make the room, opens the setting from the header's label.
  await labelB.click()
  const dialog = pb.getByRole('dialog', { name: /Who can join/ })
  await dialog.waitFor()
  assert.equal(await dialog.getByTestId('who-invite').isChecked(), true)
  assert.equal(await dialog.getByTestId('room-access-save').isDisabled(), true, 'nothing to save yet')
  await dialog.getByText('People on this network can find it too').click()
  await pb.screenshot({ path: `${screenshots}/visibility-change-dark.png` })
  await dialog.getByTestId('room-access-save').click()
  await dialog.waitFor({ state: 'detached' })
  await labelB.filter({ hasText: 'Visible on this network' }).waitFor()
  await labelA.filter({ hasText: 'Visible on this network' }).waitFor()
  await pa.getByTestId('system-line').filter({ hasText: 'Bob made the room visible on this network' }).waitFor()
  assert.equal((await roomOn(a, 'quiet')).nearby, true)

  // Ada makes it invite only again from the room menu, by keyboard.
  await pa.getByTestId('room-menu').focus()
  await pa.keyboard.press('Enter')
  await pa.getByTestId('menu-access').waitFor()
  await pa.getByTestId('menu-access').focus()
  await pa.keyboard.press('Enter')
  const dialogA = pa.getByRole('dialog', { name: /Who can join/ })
  await dialogA.waitFor()
  assert.equal(await focused(pa), 'who-network', 'the focus is on the room’s choice')
  await pa.keyboard.press('ArrowUp')
  assert.equal(await dialogA.getByTestId('who-invite').isChecked(), true)
  await pa.keyboard.press('Enter')
  await dialogA.waitFor({ state: 'detached' })
  await labelA.filter({ hasText: 'Invite only' }).waitFor()
  await labelB.filter({ hasText: 'Invite only' }).waitFor()
  await pb.getByTestId('system-line').filter({ hasText: 'Ada made the room invite only' }).waitFor()
  await until(async () => (await roomOn(b, 'quiet')).nearby === false, 'quiet invite only on Bob’s node')
  assert.equal(await focused(pa), 'room-menu', 'the focus goes back where it was')
  assert.deepEqual([...pa.problems, ...pb.problems], [])
  await pa.context().close()
  await pb.context().close()
})

test('a room ID alone does not let anyone in; the reason is one sentence', async () => {
  const secret = await a.call('CreateRoom', 'secret')
  const page = await openUI(browser, b)
  const joining = await joinWithLink(page, secret.id)
  const alert = joining.getByRole('alert')
  await alert.filter({ hasText: 'invite link' }).waitFor()
  assert.ok(!(await b.call('Rooms')).some((r) => r.id === secret.id), 'Bob is not in the room')
  assert.equal(await page.getByTestId('room').filter({ hasText: 'secret' }).count(), 0)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

for (const [colorScheme, width, height] of [
  ['light', 800, 600],
  ['dark', 800, 600],
  ['light', 1440, 900],
  ['dark', 1440, 900],
]) {
  test(`who can join at ${width}x${height} (${colorScheme}): the header and the dialogs fit`, async () => {
    const page = await openUI(browser, a, { colorScheme, viewport: { width, height } })
    await page.getByTestId('room').filter({ hasText: 'lunch' }).click()
    await page.getByRole('heading', { name: '# lunch' }).waitFor()
    const label = page.locator('.room-header').getByTestId('room-access')
    await label.filter({ hasText: 'Visible on this network' }).waitFor()
    // The label is whole, not cut off.
    const cut = await label.evaluate((el) => el.scrollWidth - el.clientWidth)
    assert.ok(cut <= 0, `the label is cut by ${cut}px`)
    await page.screenshot({ path: `${screenshots}/visibility-header-${colorScheme}-${width}x${height}.png` })
    await label.click()
    const dialog = page.getByRole('dialog', { name: /Who can join/ })
    await dialog.waitFor()
    const box = await dialog.boundingBox()
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height, `the dialog fits: ${JSON.stringify(box)}`)
    await page.screenshot({ path: `${screenshots}/visibility-dialog-${colorScheme}-${width}x${height}.png` })
    assert.deepEqual(await violations(page, 'who can join'), [])
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    const create = await askCreate(page, 'a room with a name long enough to need some room')
    const createBox = await create.boundingBox()
    assert.ok(createBox.y >= 0 && createBox.y + createBox.height <= height, `the create dialog fits: ${JSON.stringify(createBox)}`)
    await page.screenshot({ path: `${screenshots}/visibility-create-${colorScheme}-${width}x${height}.png` })
    assert.deepEqual(await violations(page, 'create a room'), [])
    await page.keyboard.press('Escape')
    await create.waitFor({ state: 'detached' })
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(sideways <= 0, `the page scrolls sideways by ${sideways}px`)
    assert.deepEqual(page.problems, [])
    await page.context().close()
  })
}
