// Message text as Markdown in the web UI: formatting, code blocks with a
// Copy button, links that ask before they open, big emoji, and peer text
// that never becomes markup or script, all under the UI's strict policy.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, screenshots, startNode } from './nodes.mjs'

let node, browser, room, attacksRoom

before(async () => {
  node = await startNode()
  await node.call('SetName', 'Ada')
  room = await node.call('CreateRoom', 'markdown room')
  attacksRoom = await node.call('CreateRoom', 'attacks room')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
})

/**
 * The web UI with the room open. window.open is recorded instead of run (the
 * page asks the browser to open links that way), nothing leaves 127.0.0.1,
 * and policy violations are collected from the first byte.
 */
async function open(roomName, { colorScheme = 'light', viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ colorScheme, viewport })
  await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/])/, (route) => route.abort())
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(node.api).origin })
  await context.addInitScript(() => {
    localStorage.setItem('parley.firstRunSkipped', '1')
    window.__opened = []
    window.open = (...args) => {
      window.__opened.push(args[0])
      return null
    }
    window.__violations = []
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`))
  })
  const page = await context.newPage()
  page.problems = []
  page.on('dialog', (d) => {
    page.problems.push(`dialog: ${d.message()}`)
    d.dismiss()
  })
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`))
  await page.goto(node.login)
  await page.getByTestId('room').filter({ hasText: roomName }).click()
  await page.getByTestId('message-list').waitFor()
  return page
}

/** The rendered text of the message that contains the given string. */
function message(page, hasText) {
  return page.getByTestId('message').filter({ hasText }).locator('.message-text')
}

test('formatting, code blocks, links, mentions and big emoji render as a chat would show them', async () => {
  await node.call('Send', room.id, '**Bold** *italic* ~~gone~~ `inline` and a list:\n- one\n- two\n> quoted')
  const long = `echo ${'very-long-argument '.repeat(40)}`
  await node.call('Send', room.id, `\`\`\`sh\n${long}\nmake test\n\`\`\``)
  await node.call('Send', room.id, 'Notes: [the plan](https://example.org/plan?id=7) and https://example.com')
  await node.call('Send', room.id, ':tada: :rocket:')
  await node.call('Send', room.id, '# Heading stays small')
  await node.call('Send', room.id, '@Ada please review, not @Adam')

  const page = await open('markdown room')
  const formatted = message(page, 'Bold')
  await formatted.locator('strong', { hasText: 'Bold' }).waitFor()
  assert.equal(await formatted.locator('em').innerText(), 'italic')
  assert.equal(await formatted.locator('s').innerText(), 'gone')
  assert.equal(await formatted.locator('code').innerText(), 'inline')
  assert.deepEqual(await formatted.locator('li').allInnerTexts(), ['one', 'two'])
  assert.equal((await formatted.locator('blockquote').innerText()).trim(), 'quoted')

  // A heading is no bigger than bold text.
  const heading = message(page, 'Heading stays small').locator('strong')
  const body = formatted.locator('strong').first()
  assert.equal(await message(page, 'Heading stays small').locator('h1, h2, h3').count(), 0)
  assert.equal(
    await heading.evaluate((e) => getComputedStyle(e).fontSize),
    await body.evaluate((e) => getComputedStyle(e).fontSize),
  )

  // A mention of your own name is a pill; a name nobody has is text.
  const mention = message(page, 'please review')
  assert.deepEqual(await mention.locator('.mention').allInnerTexts(), ['@Ada'])
  assert.equal(await mention.locator('.mention-me').count(), 1)

  // A long line scrolls inside its block; the page never scrolls sideways.
  const code = message(page, 'make test')
  const pre = code.locator('pre')
  assert.ok(await pre.evaluate((e) => e.scrollWidth > e.clientWidth), 'the long line scrolls inside the block')
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
  await code.getByRole('button', { name: 'Copy' }).click()
  await code.getByRole('button', { name: 'Copied' }).waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${long}\nmake test`)

  // Emoji alone are shown large.
  const emoji = message(page, '🎉')
  assert.equal(await emoji.innerText(), '🎉 🚀')
  const emojiSize = parseFloat(await emoji.evaluate((e) => getComputedStyle(e).fontSize))
  const textSize = parseFloat(await formatted.evaluate((e) => getComputedStyle(e).fontSize))
  assert.ok(emojiSize >= 2 * textSize, `emoji at ${emojiSize}px, text at ${textSize}px`)

  // A link asks first, shows where it really goes, and opens only when told.
  const links = message(page, 'Notes:')
  const link = links.getByRole('link', { name: 'the plan' })
  assert.equal(await link.getAttribute('title'), 'https://example.org/plan?id=7')
  await links.getByText('(example.org)').waitFor()
  await link.click()
  const dialog = page.getByRole('dialog', { name: 'Open this link?' })
  await dialog.getByText('https://example.org/plan?id=7', { exact: true }).waitFor()
  await page.screenshot({ path: `${screenshots}/markdown-link.png` })
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })
  assert.deepEqual(await page.evaluate(() => window.__opened), [], 'nothing opened before confirming')

  // From the keyboard: focus the link, Enter, Tab to "Open in browser", Enter.
  await link.focus()
  await page.keyboard.press('Enter')
  await dialog.waitFor()
  await page.keyboard.press('Tab')
  await page.keyboard.press('Enter')
  await dialog.waitFor({ state: 'detached' })
  assert.deepEqual(await page.evaluate(() => window.__opened), ['https://example.org/plan?id=7'])
  assert.equal(page.url().startsWith(node.api), true, 'the UI itself never navigated')

  await page.screenshot({ path: `${screenshots}/markdown-light.png` })
  const dark = await open('markdown room', { colorScheme: 'dark', viewport: { width: 800, height: 600 } })
  await message(dark, 'make test').locator('pre').waitFor()
  await dark.screenshot({ path: `${screenshots}/markdown-dark-800.png` })
  const darkOverflow = await dark.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(darkOverflow <= 0, `at 800x600 the page scrolls sideways by ${darkOverflow}px`)

  for (const p of [page, dark]) {
    assert.deepEqual(await p.evaluate(() => window.__violations), [], 'policy violations')
    assert.deepEqual(p.problems, [])
    await p.context().close()
  }
})

test('peer text in Markdown clothing stays text: no element, no script, no unsafe link', async () => {
  const attacks = [
    '<img src=x onerror=alert(1)> **after html**',
    '<script>alert(2)</script>',
    '[click me](javascript:alert(3)) and [again](JaVaScRiPt:alert(4))',
    '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)',
    '![pic](data:image/svg+xml,<svg onload=alert(6)>)',
    '```\n</code></pre><img src=x onerror=alert(7)>\n```',
    '[<img src=x onerror=alert(8)>](https://example.org "x\\" onmouseover=\\"alert(9)")',
    'the last attack',
  ]
  for (const text of attacks) await node.call('Send', attacksRoom.id, text)

  const page = await open('attacks room')
  const list = page.getByTestId('message-list')
  await message(page, 'the last attack').waitFor()
  await list.getByText('<img src=x onerror=alert(1)>').waitFor()
  await list.getByText('<script>alert(2)</script>').waitFor()
  await list.getByText('[click me](javascript:alert(3))', { exact: false }).waitFor()
  assert.equal(await message(page, 'after html').locator('strong').innerText(), 'after html')
  assert.equal(await list.locator('img, script, svg, iframe, object, embed').count(), 0, 'no element made from peer text')
  const hrefs = await list.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  for (const href of hrefs) assert.match(href, /^(https?:|mailto:)/, `unsafe link ${href}`)
  const handlers = await list.evaluate((l) =>
    [...l.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith('on'))),
  )
  assert.deepEqual(handlers, [], 'no event handler attribute')
  // Hovering and clicking what looks like a link runs nothing either.
  await list.getByText('<img src=x onerror=alert(8)>').hover()
  await page.screenshot({ path: `${screenshots}/markdown-xss.png` })
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'policy violations')
  assert.deepEqual(page.problems, [], 'a dialog fired or a script ran')
  await page.context().close()
})
