// Helpers for the end-to-end tests: real `parley --headless` processes on
// 127.0.0.1 with --network off, and Debian's Chromium driven by Playwright.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'

export const parley = resolve(process.env.PARLEY_BIN ?? '../../build/bin/parley')

/** A running headless node, with any extra command-line flags. Call stop() when done. */
export async function startNode({ dataDir, peers = [], flags = [] } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'parley-e2e-'))
  const args = ['--headless', '--network', 'off', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', ...flags]
  for (const p of peers) args.push('--peer', p)
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
  // The node prints where its token is, never the token: read it there.
  const token = readFileSync(join(dir, 'api-token'), 'utf8').trim()
  return {
    dir,
    peerId: info['peer id'],
    address: info.address,
    api: info.api,
    /** The page that logs a browser in to the node's web UI. */
    login: `${info.api}/login?token=${token}`,
    /** Calls the node's HTTP API with its token. */
    async call(method, ...args) {
      const resp = await fetch(`${info.api}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify(args),
      })
      const body = await resp.json()
      if (!resp.ok) throw new Error(`${method}: ${body.error}`)
      return body
    },
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.on('exit', ok))
        child.kill('SIGTERM')
        await exited
      }
      // The node's log stays beside the screenshots, for a failure to explain.
      mkdirSync(screenshots, { recursive: true })
      writeFileSync(join(screenshots, `node-${info['peer id'].slice(-8)}.log`), stderr)
      if (!keepData && !dataDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Debian's Chromium, headless, with no traffic of its own. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/**
 * A page logged in to a node's web UI. Fails the test on any dialog or page
 * error. init, if given, is [function, argument] to run in the page before
 * its own scripts.
 */
export async function openUI(browser, node, { colorScheme = 'light', viewport = { width: 1280, height: 800 }, init = null } = {}) {
  const context = await browser.newContext({ colorScheme, viewport })
  if (init) await context.addInitScript(...init)
  const page = await context.newPage()
  page.problems = []
  page.on('dialog', (d) => {
    page.problems.push(`dialog: ${d.message()}`)
    d.dismiss()
  })
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`))
  await page.goto(node.login)
  return page
}

export const screenshots = resolve(process.env.SCREENSHOTS ?? '../../build/test/e2e')
