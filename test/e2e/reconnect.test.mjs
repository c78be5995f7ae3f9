// The web UI notices when its own node goes away: it says it is
// reconnecting, sends nothing meanwhile (the draft stays), and comes back
// by itself once the node is up again, with what it missed.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-reconnect-'))
let ada, browser

after(async () => {
  await browser?.close()
  await ada?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A port free on 127.0.0.1 now, so the node comes back where the page looks for it. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.on('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

test('the web UI says it is reconnecting when its node stops, keeps the draft, and recovers', async () => {
  const port = await freePort()
  const start = () => startNode({ dataDir: dir, flags: ['--api', `127.0.0.1:${port}`] })
  ada = await start()
  await ada.call('SetName', 'Ada')
  const room = await ada.call('CreateRoom', 'steady')
  browser = await launchBrowser()
  const page = await openUI(browser, ada)
  await page.getByRole('heading', { name: '# steady' }).waitFor()
  const composer = page.getByTestId('composer')
  await composer.fill('kept while the node is away')
  const banner = page.getByTestId('node-lost')
  assert.equal(await banner.count(), 0)

  await ada.stop({ keepData: true })
  const stopped = Date.now()
  await banner.waitFor({ timeout: 15_000 })
  console.log(`# reconnect notice ${Date.now() - stopped} ms after the node exited`)
  assert.match(await banner.innerText(), /Reconnecting to your Parley node/)
  assert.equal(await composer.isDisabled(), true, 'nothing can be sent meanwhile')
  assert.equal(await composer.inputValue(), 'kept while the node is away')
  await page.screenshot({ path: `${screenshots}/reconnecting.png` })

  ada = await start()
  // Written while the page has no event stream: it comes by the reload.
  await ada.call('Send', room.id, 'written while the window was away')
  await banner.waitFor({ state: 'detached', timeout: 30_000 })
  await page.getByTestId('message').filter({ hasText: 'written while the window was away' }).waitFor()
  assert.equal(await composer.isDisabled(), false)
  assert.equal(await composer.inputValue(), 'kept while the node is away')
  await composer.press('Enter')
  await page.getByTestId('message').filter({ hasText: 'kept while the node is away' }).waitFor()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
