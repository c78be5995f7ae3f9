// Helpers from invite links in Connection details: Bob joins Ada's room by
// her link, which names the helper Ada was started with; Connection details
// shows the helper "from #design", connected, also among the connected
// peers; once Bob leaves the room the helper is gone. A helper node runs
// only in internet mode, which may not run here (all traffic stays on
// 127.0.0.1), so an ordinary node with --network off stands in for it: Ada
// names it with --bootstrap, which is all a link needs. Screenshots light
// and dark at 800x600 and 1440x900; axe-core finds no serious violation.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let helper, ada, bob, browser, design

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
  helper = await startNode()
  ada = await startNode({ flags: ['--bootstrap', helper.address] })
  bob = await startNode({ peers: [helper.address] })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await bob?.stop()
  await ada?.stop()
  await helper?.stop()
})

test('a helper named by an invite link shows in Connection details with its room, and goes when the room is left', async () => {
  await ada.call('SetName', 'Ada')
  await bob.call('SetName', 'Bob')
  design = await ada.call('CreateRoom', 'design')
  const link = await ada.call('Invite', design.id)
  await bob.call('JoinRoom', link, '')

  await until(async () => {
    const hs = await bob.call('Helpers')
    return hs.length === 1 && hs[0].peerId === helper.peerId && hs[0].connected
  }, "Bob uses Ada's helper, connected")
  const [h] = await bob.call('Helpers')
  assert.deepEqual([h.rooms, h.roomNames], [[design.id], ['design']])

  const found = []
  for (const [colorScheme, width, height] of sizes) {
    const size = `${colorScheme}-${width}x${height}`
    const page = await openUI(browser, bob, { colorScheme, viewport: { width, height } })
    await page.getByRole('heading', { name: '# design' }).waitFor()
    await page.getByTestId('connection-details-button').click()
    const details = page.getByTestId('connection-details')
    await details.waitFor()
    const row = details.getByTestId('helper')
    await row.getByText('Helper · from #design').waitFor()
    assert.match(await row.innerText(), /\bConnected\b/)
    // Among the connected peers, the helper says where it came from too.
    const asPeer = details.getByTestId('connected-peer').filter({ has: page.locator(`code[title="${helper.peerId}"]`) })
    assert.equal(await asPeer.getByTestId('peer-why').innerText(), 'Helper · from #design')
    await row.scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${screenshots}/details-helpers-${size}.png`, animations: 'disabled', caret: 'hide' })
    found.push(...(await violations(page, `Connection details with helpers, ${size}`)))
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)

  await bob.call('LeaveRoom', design.id)
  assert.deepEqual(await bob.call('Helpers'), [], 'no joined room names the helper any more')
  const page = await openUI(browser, bob, { viewport: { width: 1440, height: 900 } })
  await page.getByTestId('connection-details-button').click()
  const details = page.getByTestId('connection-details')
  await details.waitFor()
  await details.getByTestId('connected-peer').first().waitFor()
  assert.equal(await details.getByTestId('helpers').count(), 0, 'the helpers list is gone')
  assert.doesNotMatch(await details.innerText(), /Helper · from/)
  await page.screenshot({ path: `${screenshots}/details-helpers-left-1440x900.png`, animations: 'disabled', caret: 'hide' })
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
