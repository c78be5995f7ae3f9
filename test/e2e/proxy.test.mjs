// The proxy setting in Connection details, against a real node: an address
// that is not a proxy URL is refused under its field, which keeps it; one
// with a user name and password is saved, and after a reload shows without
// the password, with a note that one is saved; the password reaches
// neither the page nor Status; back to the system's proxy by keyboard.
// Screenshots light and dark at 800x600 and 1440x900 of the section, its
// error, the status bar's note for a network that lets only web traffic out
// and a helper's secure WebSocket part. The last two come from a Status
// rewritten in the browser: a node here never reaches a helper over WSS
// (everything stays on 127.0.0.1 with --network off).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

const secret = 'pw-secret-42'
const withSecret = `http://alice:${secret}@127.0.0.1:3128`
const shown = 'http://127.0.0.1:3128'
const malformed = 'proxy.example.org:3128'

let node, browser

const sizes = [
  ['light', 1440, 900],
  ['dark', 1440, 900],
  ['light', 800, 600],
  ['dark', 800, 600],
]

before(async () => {
  node = await startNode()
  await node.call('SetName', 'Ada')
  await node.call('CreateRoom', 'design')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
})

/** Waits for check() to be true, polling, for at most 20 s. */
async function until(check, what) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** Opens Connection details from the status bar once the room is open; returns its proxy form. */
async function openProxy(page) {
  await page.getByRole('heading', { name: '# design' }).waitFor()
  await page.getByTestId('connection-details-button').click()
  const details = page.getByRole('dialog', { name: 'Connection details' })
  await details.waitFor()
  const proxy = details.getByTestId('proxy-settings')
  await proxy.waitFor()
  return {
    details,
    proxy,
    system: proxy.getByRole('radio', { name: /Use the system's proxy/ }),
    none: proxy.getByRole('radio', { name: 'No proxy' }),
    manual: proxy.getByRole('radio', { name: 'This proxy:' }),
    field: proxy.getByRole('textbox', { name: 'Proxy address' }),
    save: proxy.getByRole('button', { name: 'Save' }),
  }
}

/** Clicks Save (or runs press) and waits for the form to say it saved. */
async function saved(p, press = () => p.save.click()) {
  // Watched from before the click: the confirmation goes after a few seconds.
  const said = p.proxy.getByTestId('proxy-saved').filter({ hasText: /^Saved\./ }).waitFor()
  await press()
  await said
}

/** The text a person could read or copy from the page: its text and every field's value. */
async function everythingShown(page) {
  const text = await page.locator('body').innerText()
  const values = await page.locator('input, textarea').evaluateAll((els) => els.map((e) => e.value))
  return [text, ...values].join('\n')
}

test('a proxy is refused under its field, saved with a password that never shows, kept over a reload, and set back by keyboard', async () => {
  const page = await openUI(browser, node, { viewport: { width: 1440, height: 900 } })
  /** Every Status answer the page was given, as text. */
  const answers = []
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/Status') answers.push(r.text().catch(() => ''))
  })
  let p = await openProxy(page)
  assert.equal(await p.system.isChecked(), true, 'the system proxy is the default')

  // A URL without its scheme: the node's sentence under the field, the text kept.
  await p.manual.check()
  await p.field.fill(malformed)
  await p.save.click()
  const error = p.proxy.getByTestId('field-error')
  await error.waitFor()
  assert.match(await error.innerText(), /proxy address will not work/)
  assert.equal(await p.field.inputValue(), malformed)
  assert.equal(await p.field.getAttribute('aria-invalid'), 'true')
  assert.ok((await p.field.getAttribute('aria-describedby')).split(' ').includes(await error.getAttribute('id')), 'the field is described by the error')
  const [f, e, s] = await Promise.all([p.field.boundingBox(), error.boundingBox(), p.save.boundingBox()])
  assert.ok(e.y >= f.y + f.height - 1 && e.y + e.height <= s.y + 1, 'the error is between the field and Save')
  assert.equal((await node.call('Status')).proxy.mode, 'system', 'nothing was saved')

  // With a user name and password: saved, and the field drops the password at once.
  await p.field.fill(withSecret)
  assert.equal(await p.proxy.getByTestId('field-error').count(), 0, 'typing takes the old sentence away')
  await saved(p)
  await page.screenshot({ path: `${screenshots}/proxy-confirmed-light-1440x900.png`, animations: 'disabled', caret: 'hide' })
  assert.equal(await p.field.inputValue(), shown)
  await p.proxy.getByTestId('proxy-credentials').waitFor()
  const status = await node.call('Status')
  assert.deepEqual(status.proxy, { mode: 'manual', url: shown, credentials: true })
  assert.ok(!JSON.stringify(status).includes(secret), 'Status never carries the password')

  // After a reload: this proxy, its address without the password, and the note.
  await page.reload()
  p = await openProxy(page)
  await until(async () => await p.manual.isChecked(), '"This proxy:" is chosen after the reload')
  assert.equal(await p.field.inputValue(), shown)
  assert.match(await p.proxy.getByTestId('proxy-credentials').innerText(), /user name and password are saved/)
  assert.equal(await p.save.isDisabled(), true, 'nothing to save: saving the address as shown would drop the password')
  assert.ok(!(await everythingShown(page)).includes(secret), 'the page never shows the password')
  const bodies = await Promise.all(answers)
  assert.ok(bodies.length >= 2, 'the page asked for Status before and after the reload')
  for (const body of bodies) assert.ok(!body.includes(secret), 'no Status answer carries the password')
  assert.equal(JSON.parse(bodies.at(-1)).proxy.credentials, true)

  // Back to the system's proxy by keyboard: arrows in the group, Tab to Save, Enter.
  await p.manual.focus()
  await page.keyboard.press('ArrowUp')
  await page.keyboard.press('ArrowUp')
  assert.equal(await p.system.isChecked(), true)
  await page.keyboard.press('Tab') // the address field
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'proxy-save')
  await saved(p, () => page.keyboard.press('Enter'))
  assert.equal(await p.proxy.getByTestId('proxy-credentials').count(), 0)
  assert.deepEqual((await node.call('Status')).proxy, { mode: 'system', url: '', credentials: false })
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

/** Screenshot of the window after two frames, so that what was just drawn is in it. */
async function shot(page, name) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
  await page.screenshot({ path: `${screenshots}/${name}.png`, animations: 'disabled', caret: 'hide' })
}

test('the proxy section, saved and refused, fits light and dark at 800x600 and 1440x900 and passes axe', async () => {
  await node.call('SetProxy', 'manual', withSecret)
  const found = []
  for (const [colorScheme, width, height] of sizes) {
    const size = `${colorScheme}-${width}x${height}`
    const page = await openUI(browser, node, { colorScheme, viewport: { width, height } })
    const p = await openProxy(page)
    await p.proxy.getByTestId('proxy-credentials').waitFor()
    await p.save.scrollIntoViewIfNeeded()
    const box = await p.proxy.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= width, `the proxy section fits the window's width, ${size}`)
    assert.equal(await p.field.evaluate((el) => el.getBoundingClientRect().width > 150), true, `the address field has room, ${size}`)
    await shot(page, `proxy-saved-${size}`)
    found.push(...(await violations(page, `proxy section, ${size}`)))

    await p.field.fill(malformed)
    await p.save.click()
    await p.proxy.getByTestId('field-error').waitFor()
    await p.save.scrollIntoViewIfNeeded()
    await shot(page, `proxy-error-${size}`)
    found.push(...(await violations(page, `proxy error, ${size}`)))
    assert.ok(!(await everythingShown(page)).includes(secret))
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  await node.call('SetProxy', 'system', '')
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})

const helperId = '12D3KooWHe1perExamp1eNodeIdentity0000000000000000'

/** Rewrites the node's Status (and Peers) in this page only, as change(status) says. */
async function fakeStatus(page, change, peers) {
  await page.route('**/api/Status', async (route) => {
    const resp = await route.fetch()
    await route.fulfill({ response: resp, json: change(await resp.json()) })
  })
  if (peers) await page.route('**/api/Peers', (route) => route.fulfill({ json: peers }))
  await page.reload()
}

test('the status bar says when the network lets only web traffic out, light and dark, at 800x600 and 1440x900', async () => {
  const words = 'This network only lets web traffic out: connected through your helper over HTTPS'
  const found = []
  for (const [colorScheme, width, height] of sizes) {
    const size = `${colorScheme}-${width}x${height}`
    const page = await openUI(browser, node, { colorScheme, viewport: { width, height } })
    await page.getByRole('heading', { name: '# design' }).waitFor()
    assert.equal(await page.getByTestId('restricted').count(), 0, 'nothing on a network that lets everything out')
    await fakeStatus(
      page,
      (s) => ({ ...s, network: 'internet', reachability: 'private', relays: [helperId], restricted: true }),
      [{ peerId: helperId, shortId: 'Help1234', name: '', lan: false, via: 'direct', transport: 'wss', why: 'helper' }],
    )
    const notice = page.getByTestId('restricted')
    await notice.waitFor()
    assert.equal(await notice.innerText(), words)
    const bar = page.getByTestId('status-bar')
    const fits = await bar.evaluate((el) => [...el.children].every((c) => c.scrollWidth <= c.clientWidth + 1 && c.getBoundingClientRect().right <= window.innerWidth))
    assert.ok(fits, `nothing in the status bar is cut off, ${size}`)
    await page.getByTestId('connection-details-button').waitFor({ state: 'visible' })
    await shot(page, `status-restricted-${size}`)
    found.push(...(await violations(page, `status bar, restricted, ${size}`)))
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})

test("a helper's secure WebSocket part shows its certificate and what needs the admin, light and dark, at 800x600 and 1440x900", async () => {
  const expiresAt = Date.now() + 9 * 24 * 3600 * 1000
  const wss = {
    addrs: [`/ip4/127.0.0.1/tcp/443/tls/sni/127-0-0-1.k51qzi5uqu5dh9ihz8y3bhzqmfg1ztz4ey1trdpy0aomyc7nflrfb8wqk1vvwd.libp2p.direct/ws/p2p/${helperId}`],
    cert: 'autotls',
    names: ['*.k51qzi5uqu5dh9ihz8y3bhzqmfg1ztz4ey1trdpy0aomyc7nflrfb8wqk1vvwd.libp2p.direct'],
    expiresAt,
    error: 'The certificate ends in 9 days and was not renewed: check that this helper can reach libp2p.direct.',
  }
  const found = []
  for (const [colorScheme, width, height] of sizes) {
    const size = `${colorScheme}-${width}x${height}`
    const page = await openUI(browser, node, { colorScheme, viewport: { width, height } })
    await page.getByRole('heading', { name: '# design' }).waitFor()
    await fakeStatus(page, (s) => ({ ...s, helper: true, wss }))
    await page.getByRole('heading', { name: '# design' }).waitFor()
    await page.getByTestId('connection-details-button').click()
    const part = page.getByTestId('wss')
    await part.waitFor()
    assert.equal(await part.getByTestId('wss-error').innerText(), wss.error)
    assert.equal(await part.getByTestId('wss-cert').innerText(), 'Automatic (libp2p.direct)')
    const end = await page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(at), expiresAt)
    assert.equal(await part.getByTestId('wss-ends').innerText(), end)
    await part.scrollIntoViewIfNeeded()
    const box = await part.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= width, `the part fits the window's width, ${size}`)
    await shot(page, `details-wss-${size}`)
    found.push(...(await violations(page, `secure WebSocket part, ${size}`)))
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})
