// A message written while nobody else is in the room says it is not
// delivered yet, through a room switch and a restart of the node, and
// stops saying so once a peer has it.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-delivery-'))
let ada, bob, browser

after(async () => {
  await browser?.close()
  await ada?.stop()
  await bob?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const notDelivered = 'Not delivered yet — goes out when someone in the room is online'

test('a message sent alone stays "not delivered yet" across a room switch and a restart, then is delivered when a peer comes', async () => {
  ada = await startNode({ dataDir: dir })
  await ada.call('SetName', 'Ada')
  const alone = await ada.call('CreateRoom', 'alone')
  await ada.call('CreateRoom', 'elsewhere')
  browser = await launchBrowser()

  let page = await openUI(browser, ada)
  await page.getByTestId('room').filter({ hasText: 'alone' }).click()
  await page.getByTestId('composer').fill('written alone')
  await page.getByTestId('composer').press('Enter')
  const row = () => page.getByTestId('message').filter({ hasText: 'written alone' })
  const mark = () => page.getByTestId('room').filter({ hasText: 'alone' }).getByTestId('room-undelivered')
  await row().getByText(notDelivered).waitFor()
  await mark().waitFor() // the sidebar says so too

  // Another room and back: the label is still there.
  await page.getByTestId('room').filter({ hasText: 'elsewhere' }).click()
  await page.getByRole('heading', { name: '# elsewhere' }).waitFor()
  await page.getByTestId('room').filter({ hasText: 'alone' }).click()
  await row().getByText(notDelivered).waitFor()
  await page.context().close()

  // The node restarts: the state comes from its store.
  await ada.stop({ keepData: true })
  ada = await startNode({ dataDir: dir })
  const [stored] = (await ada.call('History', alone.id, '', 10)).filter((m) => m.text === 'written alone')
  assert.equal(stored.state, 'stored', 'History says the message has not gone out')
  page = await openUI(browser, ada)
  await page.getByTestId('room').filter({ hasText: 'alone' }).click()
  await row().getByText(notDelivered).waitFor()
  await mark().waitFor()
  assert.equal(await mark().getAttribute('aria-label'), '1 message not delivered yet')
  await page.screenshot({ path: `${screenshots}/delivery-not-yet.png` })
  const small = await openUI(browser, ada, { colorScheme: 'dark', viewport: { width: 800, height: 600 } })
  await small.getByTestId('room').filter({ hasText: 'alone' }).click()
  await small.getByTestId('message').filter({ hasText: 'written alone' }).getByText(notDelivered).waitFor()
  await small.screenshot({ path: `${screenshots}/delivery-not-yet-dark-800x600.png` })
  await small.context().close()

  // Bob joins by link: the message goes out, and the label goes.
  bob = await startNode()
  await bob.call('JoinRoom', await ada.call('Invite', alone.id), '')
  await page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: 'written alone' }).waitFor({ timeout: 60_000 })
  assert.equal(await row().getByTestId('message-state').count(), 0, 'a delivered message carries no label')
  await mark().waitFor({ state: 'detached' })
  await page.screenshot({ path: `${screenshots}/delivery-sent.png` })
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
