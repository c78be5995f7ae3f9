// People by their names: in the main window (messages, members, the @
// autocomplete) no fingerprint shows beside a name, until two people in the
// room go by the same name; then it shows beside those two only.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let ada, bob, cay, browser, room
/** Each node's short ID (its fingerprint), from its own API. */
const short = {}

before(async () => {
  ada = await startNode()
  bob = await startNode({ peers: [ada.address] })
  cay = await startNode({ peers: [ada.address] })
  room = await ada.call('CreateRoom', 'names')
  const link = await ada.call('Invite', room.id)
  await bob.call('JoinRoom', link, '')
  await cay.call('JoinRoom', link, '')
  // Named once in the room: a name is announced in the rooms joined, so it
  // reaches Cay through Ada (Bob and Cay are not connected to each other).
  await ada.call('SetName', 'Ada')
  await bob.call('SetName', 'Bob')
  await cay.call('SetName', 'Cay')
  for (const [who, node] of Object.entries({ ada, bob, cay })) short[who] = (await node.call('Me')).shortId
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  for (const node of [cay, bob, ada]) await node?.stop()
})

/** Waits until fn() is true, checking every 100 ms, for up to ms. */
async function until(what, fn, ms = 30_000) {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** Cay's window on the room, every message in. */
async function openRoom({ viewport = { width: 1440, height: 900 }, colorScheme = 'light', members = true } = {}) {
  const page = await openUI(browser, cay, { viewport, colorScheme })
  await page.getByTestId('room').filter({ hasText: 'names' }).click()
  await page.getByRole('heading', { name: '# names' }).waitFor()
  for (const text of ['Morning from Ada', 'and a second line', 'Bob here', 'Cay too']) await page.getByTestId('message').filter({ hasText: text }).waitFor()
  if (members) await openMembers(page)
  return page
}

/** Opens the members panel (open already on a wide window). */
async function openMembers(page) {
  const panel = page.getByTestId('member-panel')
  if (!(await panel.isVisible())) await page.getByTestId('members-button').click()
  await panel.waitFor()
}

/** The options of the @ autocomplete, as read. */
async function mentionOptions(page) {
  const texts = await page.getByTestId('mention-picker').getByRole('option').allInnerTexts()
  return texts.map((t) => t.replace(/\s+/g, ' ').trim())
}

/** The message headers and member rows of a person, in Cay's window. */
function placesOf(page, name, text) {
  return {
    message: page.getByTestId('message').filter({ hasText: text }).locator('header'),
    member: page.getByTestId('member').filter({ hasText: name }),
  }
}

/** Types "@" in the composer and waits for the autocomplete. */
async function openMentions(page) {
  await page.getByTestId('composer').fill('@')
  await page.getByTestId('mention-picker').waitFor()
}

test('the main window shows names only when every name differs', async () => {
  await ada.call('Send', room.id, 'Morning from Ada')
  await ada.call('Send', room.id, 'and a second line') // continues Ada's group: its time sits in the gutter
  await bob.call('Send', room.id, 'Bob here')
  // Cay writes in the window, as a person would.
  const page = await openUI(browser, cay)
  await page.getByTestId('room').filter({ hasText: 'names' }).click()
  for (const text of ['Morning from Ada', 'Bob here']) await page.getByTestId('message').filter({ hasText: text }).waitFor()
  await page.getByTestId('composer').fill('Cay too')
  await page.getByTestId('composer').press('Enter')
  await page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: 'Cay too' }).waitFor()
  await page.context().close()

  for (const [viewport, colorScheme] of [
    [{ width: 1440, height: 900 }, 'light'],
    [{ width: 1440, height: 900 }, 'dark'],
    [{ width: 800, height: 600 }, 'light'],
    [{ width: 800, height: 600 }, 'dark'],
  ]) {
    const what = `${viewport.width}x${viewport.height} ${colorScheme}`
    const p = await openRoom({ viewport, colorScheme, members: false })
    for (const [name, text] of [['Ada', 'Morning from Ada'], ['Bob', 'Bob here'], ['You', 'Cay too']]) {
      await placesOf(p, name, text).message.getByText(name, { exact: true }).waitFor()
    }
    // The time of the continued message, shown on hover, stays clear of its text
    // (checked before the members panel, which covers the messages at 800x600).
    const second = p.getByTestId('message').filter({ hasText: 'and a second line' })
    await second.hover()
    await second.locator('.gutter-time').waitFor()
    const [time, text] = await Promise.all([second.locator('.gutter-time').boundingBox(), second.locator('.message-text').boundingBox()])
    assert.ok(time.x + time.width <= text.x, `the gutter time (${time.x}+${time.width}) runs into the text (${text.x}) in ${what}`)
    await p.screenshot({ path: `${screenshots}/names-gutter-${viewport.width}x${viewport.height}-${colorScheme}.png` })

    await openMembers(p)
    await until(`all three members in ${what}`, async () => (await p.getByTestId('member').count()) === 3)
    assert.equal(await p.getByTestId('fingerprint').count(), 0, `no fingerprint element in ${what}`)
    await openMentions(p)
    assert.deepEqual(await mentionOptions(p), ['Ada', 'Bob'], `autocomplete in ${what}`)
    const body = await p.locator('body').innerText()
    for (const [who, id] of Object.entries(short)) assert.ok(!body.includes(id), `${who}'s fingerprint ${id} shows in ${what}:\n${body}`)
    await p.screenshot({ path: `${screenshots}/names-${viewport.width}x${viewport.height}-${colorScheme}.png` })
    await p.getByTestId('composer').fill('')
    assert.deepEqual(p.problems, [])
    await p.context().close()
  }
})

test('a name two people share gets their fingerprints, and only theirs', async () => {
  await ada.call('SetName', 'Bob')
  const page = await openRoom()
  const ada_ = placesOf(page, 'Bob', 'Morning from Ada')
  const bob_ = placesOf(page, 'Bob', 'Bob here')
  // Ada's rename reaches Cay: both Bobs carry their own fingerprint.
  await ada_.message.getByText(short.ada, { exact: true }).waitFor()
  await bob_.message.getByText(short.bob, { exact: true }).waitFor()
  const members = page.getByTestId('member')
  await members.filter({ hasText: short.ada }).waitFor()
  await members.filter({ hasText: short.bob }).waitFor()
  assert.equal(await members.filter({ hasText: 'Bob' }).count(), 2)
  // Cay's own name is not shared: no fingerprint beside it, anywhere.
  const cayRow = members.filter({ hasText: 'Cay' })
  assert.equal(await cayRow.getByTestId('fingerprint').count(), 0)
  assert.equal(await page.getByTestId('message').filter({ hasText: 'Cay too' }).getByTestId('fingerprint').count(), 0)

  await openMentions(page)
  assert.deepEqual((await mentionOptions(page)).sort(), [`Bob ${short.ada}`, `Bob ${short.bob}`].sort())
  const body = await page.locator('body').innerText()
  assert.ok(body.includes(short.ada) && body.includes(short.bob), 'both Bobs show their fingerprints')
  assert.ok(!body.includes(short.cay), `Cay's fingerprint ${short.cay} shows:\n${body}`)
  await page.getByTestId('composer').fill('')
  await page.screenshot({ path: `${screenshots}/names-shared-1440x900-light.png` })
  assert.deepEqual(page.problems, [])
  await page.context().close()

  for (const [viewport, colorScheme] of [
    [{ width: 1440, height: 900 }, 'dark'],
    [{ width: 800, height: 600 }, 'light'],
  ]) {
    const p = await openRoom({ viewport, colorScheme })
    await p.getByTestId('member').filter({ hasText: short.ada }).waitFor()
    await p.screenshot({ path: `${screenshots}/names-shared-${viewport.width}x${viewport.height}-${colorScheme}.png` })
    await p.context().close()
  }

  // A different name again: the fingerprints go.
  await ada.call('SetName', 'Ada')
  const back = await openRoom()
  await until('the fingerprints to go', async () => (await back.getByTestId('fingerprint').count()) === 0)
  await back.context().close()
})
