// The web UI runs under the node's Content-Security-Policy without breaking
// it: every response carries the policy, the built page has no inline
// script, and loading the UI and sending a message reports no violation,
// while an injected inline script or eval is refused.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, startNode } from './nodes.mjs'
import { askNewRoom } from './ui.mjs'

let node, browser

before(async () => {
  node = await startNode()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
})

/** The directives of a policy, as a Map from name to its sources. */
function directives(policy) {
  const out = new Map()
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) out.set(name, sources)
  }
  return out
}

function assertStrict(policy, what) {
  const d = directives(policy)
  assert.ok(policy, `${what}: no Content-Security-Policy header`)
  assert.deepEqual(d.get('script-src'), ["'self'"], `${what}: scripts from the node only, no inline, no eval`)
  assert.deepEqual(d.get('connect-src'), ["'self'"], `${what}: connections to the node only`)
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"], `${what}: no framing`)
  assert.deepEqual(d.get('object-src'), ["'none'"], `${what}: no plugins`)
}

test('every response of the UI carries the policy and the built page has no inline script', async () => {
  const html = await (await fetch(`${node.api}/`)).text()
  const inline = [...html.matchAll(/<script\b([^>]*)>/gi)].filter(([, attrs]) => !/\bsrc\s*=/.test(attrs))
  assert.deepEqual(inline, [], 'index.html has an inline script')
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'index.html has an inline event handler')
  assert.doesNotMatch(html, /javascript:/i, 'index.html has a javascript: URL')
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/gi)].map((m) => m[1])
  assert.ok(scripts.length > 0, 'index.html loads a script')
  for (const src of scripts) {
    assert.ok(src.startsWith('/'), `script ${src} comes from the node itself`)
  }

  const context = await browser.newContext()
  const page = await context.newPage()
  const seen = []
  page.on('response', (r) => {
    if (r.url().startsWith(node.api)) seen.push({ url: r.url(), status: r.status(), headers: r.headers() })
  })
  await page.goto(node.login)
  await page.getByTestId('first-run-name').waitFor()
  // The document, its script and style, and the API calls the UI made.
  const kinds = {
    document: seen.filter((r) => new URL(r.url).pathname === '/' && r.status === 200),
    script: seen.filter((r) => r.url.endsWith('.js')),
    style: seen.filter((r) => r.url.endsWith('.css')),
    api: seen.filter((r) => new URL(r.url).pathname.startsWith('/api/')),
  }
  for (const [kind, responses] of Object.entries(kinds)) {
    assert.ok(responses.length > 0, `no ${kind} response seen`)
    for (const r of responses) {
      assertStrict(r.headers['content-security-policy'], `${kind} ${r.url}`)
      assert.equal(r.headers['x-content-type-options'], 'nosniff', `${kind} ${r.url}`)
      assert.equal(r.headers['referrer-policy'], 'no-referrer', `${kind} ${r.url}`)
    }
  }
  await context.close()
})

test('loading the UI and sending a message reports no policy violation; inline script and eval are refused', async () => {
  const context = await browser.newContext()
  // Recorded from the first byte of every document. Scripts added this way
  // run outside the page's policy.
  await context.addInitScript(() => {
    window.__violations = []
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)
    })
  })
  const page = await context.newPage()
  const consoleLines = []
  page.on('console', (m) => {
    if (/content security policy|refused to/i.test(m.text())) consoleLines.push(`${m.type()}: ${m.text()}`)
  })
  const problems = []
  page.on('pageerror', (e) => problems.push(e.message))

  await page.goto(node.login)
  await page.getByTestId('first-run-name').fill('Ada')
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByTestId('first-run-name').waitFor({ state: 'detached' })
  const dialog = await askNewRoom(page, 'policy room')
  await dialog.getByTestId('create-room-submit').click()
  await page.getByRole('heading', { name: '# policy room' }).waitFor()
  await page.getByTestId('composer').fill('Hello under a strict policy')
  await page.getByTestId('composer').press('Enter')
  // Alone in the room, the message is stored until someone joins.
  await page
    .getByTestId('message')
    .filter({ hasText: 'Hello under a strict policy' })
    .getByText('goes out when someone in the room is online')
    .waitFor()
  // Once more after a reload: the WebSocket and history calls again.
  await page.reload()
  await page.getByTestId('message').filter({ hasText: 'Hello under a strict policy' }).waitFor()

  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'violations while the UI ran')
  assert.deepEqual(consoleLines, [], 'policy messages in the console')
  assert.deepEqual(problems, [], 'page errors')

  // The policy is in force: an injected inline script does not run and is
  // reported, and eval throws.
  const injected = await page.evaluate(async () => {
    window.__inlineRan = false
    const s = document.createElement('script')
    s.textContent = 'window.__inlineRan = true'
    document.body.append(s)
    const deadline = Date.now() + 5000
    while (window.__violations.length === 0 && Date.now() < deadline) {
      await new Promise((ok) => requestAnimationFrame(ok))
    }
    let evalResult
    try {
      evalResult = String(window.eval('1 + 1'))
    } catch (e) {
      evalResult = e.name
    }
    return { ran: window.__inlineRan, violations: window.__violations, evalResult }
  })
  assert.equal(injected.ran, false, 'an inline script ran')
  assert.ok(
    injected.violations.some((v) => v.startsWith('script-src')),
    `no violation reported for the inline script: ${injected.violations}`,
  )
  assert.equal(injected.evalResult, 'EvalError', 'eval ran')
  await context.close()
})
