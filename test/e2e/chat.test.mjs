import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'
import { askNewRoom, joinWithLink } from './ui.mjs'

let a, b, browser

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

/** Creates a room from the sidebar; the dialog's choice stays "invite only". */
async function createRoom(page, name) {
  const dialog = await askNewRoom(page, name)
  await dialog.getByTestId('create-room-submit').click()
  await dialog.waitFor({ state: 'detached' })
  // Typed before the room opens, a message would go to the room before.
  await page.getByRole('heading', { name: `# ${name}` }).waitFor()
}

/** Answers the first-run question with a name. */
async function setName(page, name) {
  await page.getByTestId('first-run-name').fill(name)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByTestId('first-run-name').waitFor({ state: 'detached' })
}

test('two people chat both ways, see names and message states, and keep history over a reload', async () => {
  const pa = await openUI(browser, a)
  const pb = await openUI(browser, b, { colorScheme: 'dark' })
  await pa.screenshot({ path: `${screenshots}/first-run.png` })
  await setName(pa, 'Ada')
  await setName(pb, 'Bob')
  await pb.screenshot({ path: `${screenshots}/empty-dark.png` })

  // Ada creates a room and writes before anyone else is in it.
  await createRoom(pa, 'e2e room')
  await pa.getByTestId('composer').fill('Anyone here?')
  await pa.getByTestId('composer').press('Enter')
  const early = pa.getByTestId('message').filter({ hasText: 'Anyone here?' })
  await early.getByText('goes out when someone in the room is online').waitFor()

  // Bob pastes the invite link Ada sent him. (Joining from Nearby needs
  // peers found by mDNS, which these nodes do not run.)
  const room = (await a.call('Rooms')).find((r) => r.name === 'e2e room')
  await joinWithLink(pb, await a.call('Invite', room.id))
  await pb.getByTestId('message').filter({ hasText: 'Anyone here?' }).getByText('Ada').waitFor()
  // The stored message went out: its label goes, and only its state says so.
  await pa.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: 'Anyone here?' }).waitFor()
  assert.equal(await early.getByTestId('message-state').count(), 0, 'a delivered message carries no label')

  await pb.getByTestId('composer').fill('Hi Ada!\nBob here.')
  await pb.getByTestId('composer').press('Enter')
  const reply = pa.getByTestId('message').filter({ hasText: 'Bob here.' })
  await reply.getByText('Bob', { exact: true }).waitFor()
  assert.equal(await reply.locator('.message-text').innerText(), 'Hi Ada!\nBob here.', 'line break kept')

  await pa.getByTestId('composer').fill('Nice to meet you')
  await pa.getByTestId('composer').press('Enter')
  await pa.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: 'Nice to meet you' }).waitFor()
  await pb.getByTestId('message').filter({ hasText: 'Nice to meet you' }).waitFor()

  // Members show who is online; how they are connected is on their card.
  await pa.locator('[data-testid="member"][data-presence="online"]', { hasText: 'Bob' }).waitFor()
  await pa.getByTestId('status-bar').getByText('Connected to 1 peer').waitFor()
  await pa.screenshot({ path: `${screenshots}/busy-light.png` })
  await pb.screenshot({ path: `${screenshots}/busy-dark.png` })

  // History comes back from the node's store after a reload.
  await pb.reload()
  for (const text of ['Anyone here?', 'Bob here.', 'Nice to meet you']) {
    await pb.getByTestId('message').filter({ hasText: text }).waitFor()
  }
  assert.deepEqual([...pa.problems, ...pb.problems], [])
  await pa.context().close()
  await pb.context().close()
})

test('peer text is shown as text: no markup, no script, no dialog, layout holds', async () => {
  const room = (await a.call('Rooms')).find((r) => r.name === 'e2e room')
  const attacks = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(2)</script>',
    '<a href="javascript:alert(3)">click me</a> javascript:alert(4)',
    '"><svg onload=alert(5)>',
    'x'.repeat(16 * 1024),
  ]
  for (const text of attacks) await a.call('Send', room.id, text)

  const pb = await openUI(browser, b)
  await pb.getByTestId('room').filter({ hasText: 'e2e room' }).click()
  const list = pb.getByTestId('message-list')
  await list.getByText('"><svg onload=alert(5)>').waitFor()
  await list.getByText('<img src=x onerror=alert(1)>').waitFor()
  await list.getByText('<script>alert(2)</script>').waitFor()
  await list.getByText('x'.repeat(100), { exact: false }).waitFor()
  assert.equal(await list.locator('img, script, svg, iframe').count(), 0, 'no element made from peer text')
  assert.equal(await list.locator('a[href^="javascript"]').count(), 0, 'no javascript: link')
  const overflow = await pb.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
  await pb.screenshot({ path: `${screenshots}/xss.png` })
  assert.deepEqual(pb.problems, [], 'a dialog fired or a script ran')
  await pb.context().close()
})

test('an invite link copied in one window joins the room in another, name and history included', async () => {
  const pa = await openUI(browser, a)
  const pb = await openUI(browser, b)
  await pa.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await createRoom(pa, 'invited room')
  await pa.getByTestId('composer').fill('Welcome, whoever has the link')
  await pa.getByTestId('composer').press('Enter')

  // The button is reached with the keyboard, as well as the mouse.
  await pa.getByTestId('copy-invite').focus()
  await pa.keyboard.press('Enter')
  await pa.getByText('Invite link copied').waitFor()
  const link = await pa.evaluate(() => navigator.clipboard.readText())
  assert.match(link, /^parley:\/\/join\/[A-Za-z0-9_-]+$/)

  // Something that is not a link gets a sentence, not a room.
  const joining = await joinWithLink(pb, 'https://example.com/not-a-room')
  const alert = joining.getByRole('alert')
  await alert.waitFor()
  assert.match(await alert.innerText(), /invite link/i)
  assert.equal(await joining.getByTestId('join-link').inputValue(), 'https://example.com/not-a-room', 'the text stays')

  // Pasted with no name: the room takes the name the link carries.
  await joining.getByTestId('join-link').fill(link)
  await joining.getByTestId('join-link').press('Enter')
  await joining.waitFor({ state: 'detached' })
  await pb.getByRole('heading', { name: '# invited room' }).waitFor()
  await pb.getByTestId('message').filter({ hasText: 'Welcome, whoever has the link' }).waitFor()
  assert.deepEqual([...pa.problems, ...pb.problems], [])
  await pa.context().close()
  await pb.context().close()
})
