// Helpers from invite links in Connection details: Bob joins Ada's room by
// her link, which names the helper Ada was started with; Connection details
// shows the helper "from #design", connected, also among the connected
// peers; once Bob leaves the room the helper is gone. A helper node runs
// only in internet mode, which may not run here (all traffic stays on
// 127.0.0.1), so an ordinary node with --network off stands in for it: Ada
// names it with --bootstrap, which is all a link needs. Screenshots light
// and dark at 800x600 and 1440x900; axe-core finds no serious violation.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, parley, screenshots, startNode } from './nodes.mjs'

let helper, ada, bob, browser, design

const sizes = [
  ['light', 1440, 900],
  ['dark', 1440, 900],
  ['light', 800, 600],
  ['dark', 800, 600],
]

/**
 * A headless node (--network off, 127.0.0.1) with extra flags, which
 * startNode does not take; adaCall calls its API.
 */
async function startWithFlags(flags) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-'))
  const args = ['--headless', '--network', 'off', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', ...flags]
  const child = spawn(parley, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const info = {}
  const lines = createInterface({ input: child.stdout })
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`node did not start in 30 s:\n${stderr}`)), 30_000)
    child.on('exit', (code) => fail(new Error(`node exited with ${code}:\n${stderr}`)))
    lines.on('line', (line) => {
      const [key, ...rest] = line.split(':')
      info[key.trim()] = rest.join(':').trim()
      if (info.login) {
        clearTimeout(timer)
        ok()
      }
    })
  })
  return { dir, child, info, stderr: () => stderr }
}

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
  ada = await startWithFlags(['--bootstrap', helper.address])
  bob = await startNode({ peers: [helper.address] })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await bob?.stop()
  if (ada && ada.child.exitCode === null) {
    const exited = new Promise((ok) => ada.child.on('exit', ok))
    ada.child.kill('SIGTERM')
    await exited
    mkdirSync(screenshots, { recursive: true })
    writeFileSync(join(screenshots, `node-${ada.info['peer id'].slice(-8)}.log`), ada.stderr())
    rmSync(ada.dir, { recursive: true, force: true })
  }
  await helper?.stop()
})

/** Calls Ada's API: her token is in her data dir, as for any node. */
async function adaCall(method, ...args) {
  const token = readFileSync(join(ada.dir, 'api-token'), 'utf8').trim()
  const resp = await fetch(`${ada.info.api}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: JSON.stringify(args),
  })
  const body = await resp.json()
  if (!resp.ok) throw new Error(`${method}: ${body.error}`)
  return body
}

test('a helper named by an invite link shows in Connection details with its room, and goes when the room is left', async () => {
  await adaCall('SetName', 'Ada')
  await bob.call('SetName', 'Bob')
  design = await adaCall('CreateRoom', 'design')
  const link = await adaCall('Invite', design.id)
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
