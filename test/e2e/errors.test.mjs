// Every input that can fail says why beside itself, in one sentence, keeps
// what was typed, and keeps saying it while the room goes on behind it: a
// message arriving and the read mark it causes do not wipe it away.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'
import { addRoomMenu, openJoinLink } from './ui.mjs'

let ada, bob, browser, room

before(async () => {
  ada = await startNode()
  bob = await startNode({ peers: [ada.address] })
  await ada.call('SetName', 'Ada')
  await bob.call('SetName', 'Bob')
  room = await ada.call('CreateRoom', 'errors')
  await bob.call('JoinRoom', await ada.call('Invite', room.id), '')
  const deadline = Date.now() + 30_000
  while (!(await ada.call('Members', room.id)).some((m) => m.name === 'Bob' && m.online)) {
    if (Date.now() > deadline) throw new Error('Bob never came online in the room')
    await new Promise((r) => setTimeout(r, 200))
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await bob?.stop()
  await ada?.stop()
})

/** Parser words and wrapped chains a person must never see. */
const jargon = /proto:|wire-format|hex digits|parse |: .*: |multiaddr|failed to|call refused/i

let sent = 0
/** Bob writes into the room; Ada's window shows it (and marks it read). */
async function bobWrites(page) {
  const text = `while the error shows ${++sent}`
  await bob.call('Send', room.id, text)
  await page.getByTestId('message').filter({ hasText: text }).waitFor()
}

/**
 * The error under `input`, inside `scope`: one sentence in plain words,
 * the typed text kept, and both still there after a message arrives.
 */
async function errorStaysBeside(page, scope, input, typed, { roomOpen = true } = {}) {
  const error = scope.getByTestId('field-error')
  await error.waitFor()
  const text = (await error.innerText()).replace(/×$/, '').trim()
  assert.doesNotMatch(text, jargon, `"${text}" is for a person`)
  assert.match(text, /^[A-Z].*[.!]$/s, `"${text}" is one sentence`)
  assert.equal(await input.inputValue(), typed, 'what was typed stays')
  assert.equal(await input.getAttribute('aria-invalid'), 'true')
  const describedBy = await input.getAttribute('aria-describedby')
  assert.equal(await error.getAttribute('id'), describedBy, 'the field names its error')
  if (roomOpen) {
    await bobWrites(page)
    await error.waitFor()
    assert.equal(await input.inputValue(), typed)
  }
  return text
}

test('with a room open, every input that can fail says why beside itself and keeps the text', async () => {
  const page = await openUI(browser, ada)
  await page.getByRole('heading', { name: '# errors' }).waitFor()

  // A damaged link, a word, and a bare room ID in "Join with a link".
  for (const [typed, want] of [
    ['parley://join/AAAA', /damaged|invite/i],
    ['hello', /invite link/i],
    ['ab'.repeat(32), /invite link/i],
  ]) {
    const dialog = await openJoinLink(page, typed)
    await dialog.getByTestId('join-link').press('Enter')
    const text = await errorStaysBeside(page, dialog, dialog.getByTestId('join-link'), typed)
    assert.match(text, want)
    // Changing the link takes the old sentence away.
    await dialog.getByTestId('join-link').press('End')
    await dialog.getByTestId('join-link').press('Backspace')
    assert.equal(await dialog.getByTestId('field-error').count(), 0)
    await page.screenshot({ path: `${screenshots}/errors-join-link.png` })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
  }

  // An address that is not a whole peer address, in Connection details.
  await page.getByTestId('connection-details-button').click()
  const details = page.getByRole('dialog', { name: 'Connection details' })
  await details.getByTestId('peer-addr').fill('192.168.1.20')
  await details.getByTestId('peer-addr').press('Enter')
  assert.match(await errorStaysBeside(page, details, details.getByTestId('peer-addr'), '192.168.1.20'), /address/i)
  await page.screenshot({ path: `${screenshots}/errors-connect.png` })
  await page.keyboard.press('Escape')
  await details.waitFor({ state: 'detached' })

  // A name too long for the node, under "You".
  await page.getByTestId('you-menu').click()
  const you = page.getByRole('dialog', { name: 'You' })
  const long = 'N'.repeat(100)
  await you.getByTestId('name').fill(long)
  await you.getByTestId('name').press('Enter')
  assert.match(await errorStaysBeside(page, you, you.getByTestId('name'), long), /name/i)
  await page.keyboard.press('Escape')
  await you.waitFor({ state: 'detached' })

  // A room name and a topic too long, in their dialogs: said before saving.
  for (const [item, field, max] of [
    ['menu-rename', 'room-name-input', 80],
    ['menu-topic', 'room-topic-input', 250],
  ]) {
    await page.getByTestId('room-menu').click()
    await page.getByTestId(item).click()
    const dialog = page.getByRole('dialog')
    const typed = 'x'.repeat(max + 1)
    await dialog.getByTestId(field).fill(typed)
    const alert = dialog.getByRole('alert')
    await alert.filter({ hasText: `At most ${max} characters` }).waitFor()
    await bobWrites(page)
    await alert.waitFor()
    assert.equal(await dialog.getByTestId(field).inputValue(), typed)
    assert.equal(await dialog.getByTestId('room-settings-save').isDisabled(), true)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
  }

  // A search with nothing to look for.
  await page.getByTestId('search-button').click()
  const search = page.getByTestId('search-panel')
  await search.getByTestId('search-input').fill('!!!')
  const searchError = search.getByTestId('search-error')
  await searchError.waitFor()
  assert.doesNotMatch(await searchError.innerText(), jargon)
  await bobWrites(page)
  await searchError.waitFor()
  assert.equal(await search.getByTestId('search-input').inputValue(), '!!!')
  await page.keyboard.press('Escape')

  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('with no room yet, the welcome screen and the "+" menu say why a link failed, beside it', async () => {
  const carol = await startNode()
  try {
    await carol.call('SetName', 'Carol')
    const page = await openUI(browser, carol)
    const start = page.getByTestId('get-started')
    await start.getByTestId('start-join').fill('hello')
    await start.getByTestId('start-join').press('Enter')
    const text = await errorStaysBeside(page, start, start.getByTestId('start-join'), 'hello', { roomOpen: false })
    assert.match(text, /invite link/i)
    await page.screenshot({ path: `${screenshots}/errors-welcome.png` })

    await addRoomMenu(page, 'Join with a link…')
    const dialog = page.getByRole('dialog', { name: 'Join a room' })
    await dialog.getByTestId('join-link').fill('ab'.repeat(32))
    await dialog.getByTestId('join-link').press('Enter')
    assert.match(await errorStaysBeside(page, dialog, dialog.getByTestId('join-link'), 'ab'.repeat(32), { roomOpen: false }), /invite link/i)
    assert.deepEqual(page.problems, [])
    await page.context().close()
  } finally {
    await carol.stop()
  }
})

test('"Invite link copied" is a toast: nothing in the window moves', async () => {
  const page = await openUI(browser, ada)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await page.getByRole('heading', { name: '# errors' }).waitFor()
  await page.getByTestId('message').first().waitFor()
  const boxes = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.room-header, .message-list, [data-testid="message"], [data-testid="composer"], .sidebar, .status-bar')].map((el) => {
        const r = el.getBoundingClientRect()
        return [r.x, r.y, r.width, r.height].map(Math.round).join(',')
      }),
    )
  const before = await boxes()
  await page.getByTestId('copy-invite').click()
  await page.getByTestId('toast').filter({ hasText: 'Invite link copied' }).waitFor()
  assert.deepEqual(await boxes(), before, 'no element moved')
  await page.screenshot({ path: `${screenshots}/toast-copied.png` })
  await page.getByTestId('toast').waitFor({ state: 'detached' })
  assert.deepEqual(await boxes(), before, 'nor when it went')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

/** Whether an element lies wholly inside the window. */
const inside = (locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect()
    return r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5 && r.width > 0
  })

for (const [width, height] of [
  [800, 600],
  [1440, 900],
]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`the "+" menu, Join with a link (with its error) and Jump to date fit and pass axe (${colorScheme}, ${width}x${height})`, async () => {
      const page = await openUI(browser, ada, { colorScheme, viewport: { width, height } })
      await page.getByRole('heading', { name: '# errors' }).waitFor()
      const found = []
      const tag = `${colorScheme} ${width}x${height}`

      await page.getByRole('button', { name: 'Add a room' }).click()
      const menu = page.getByRole('menu')
      await menu.waitFor()
      assert.ok(await inside(menu), 'the "+" menu is inside the window')
      found.push(...(await violations(page, `"+" menu, ${tag}`)))
      await page.keyboard.press('Escape')

      const dialog = await openJoinLink(page, 'hello')
      await dialog.getByTestId('join-link').press('Enter')
      await dialog.getByTestId('field-error').waitFor()
      assert.ok(await inside(dialog), 'the join dialog is inside the window')
      found.push(...(await violations(page, `join dialog with an error, ${tag}`)))
      await page.screenshot({ path: `${screenshots}/errors-join-${colorScheme}-${width}x${height}.png` })
      await dialog.getByRole('button', { name: 'Cancel' }).click()

      await page.getByTestId('room-menu').click()
      await page.getByTestId('menu-jump').click()
      const jump = page.getByRole('dialog', { name: 'Jump to date' })
      await jump.waitFor()
      assert.ok(await inside(jump), 'the jump dialog is inside the window')
      found.push(...(await violations(page, `jump dialog, ${tag}`)))
      await page.screenshot({ path: `${screenshots}/jump-${colorScheme}-${width}x${height}.png` })
      await jump.getByRole('button', { name: 'Cancel' }).click()

      assert.deepEqual(found, [])
      assert.deepEqual(page.problems, [])
      await page.context().close()
    })
  }
}
