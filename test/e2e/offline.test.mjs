// Changes made while a member was offline, and changes nobody may make.
// Ada edits, deletes and reacts while Bob's node is stopped; when Bob comes
// back, sync brings him the same view as Ada's, in the window, and the
// deleted text is gone from his node. Then a third key, holding the room's
// invite link and so a member as far as the nodes can tell, publishes a
// well-signed edit and delete of Ada's message: both nodes take them in
// (every member keeps the same history) but never apply them, and no
// window shows anything of them.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let a, b, bDir, browser, roomId, link, plan, secret, forgeBin, forgeDir

before(async () => {
  forgeDir = mkdtempSync(join(tmpdir(), 'parley-forge-'))
  forgeBin = join(forgeDir, 'forge')
  execFileSync('go', ['build', '-o', forgeBin, '../forge'], { stdio: ['ignore', 'ignore', 'inherit'] })
  bDir = mkdtempSync(join(tmpdir(), 'parley-e2e-bob-'))
  a = await startNode()
  b = await startNode({ dataDir: bDir, peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  roomId = (await a.call('CreateRoom', 'offline')).id
  link = await a.call('Invite', roomId)
  await b.call('JoinRoom', link, 'offline')
  plan = await a.call('Send', roomId, 'The plan: ship on Friday')
  secret = await a.call('Send', roomId, 'the door code is 4711')
  await until(async () => (await b.call('MessageCount', roomId)) === 2, 'Bob has both messages')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
  rmSync(bDir, { recursive: true, force: true })
  rmSync(forgeDir, { recursive: true, force: true })
})

/** Waits for check() to be true, polling, for at most 30 s. */
async function until(check, what) {
  const deadline = Date.now() + 30_000
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

async function openRoom(node) {
  const page = await openUI(browser, node)
  await page.getByTestId('room').filter({ hasText: 'offline' }).click()
  await page.getByTestId('message').first().waitFor()
  return page
}

const row = (page, id) => page.locator(`article[data-id="${id}"]`)

/** What a window shows of the two messages. */
async function shown(page) {
  const planRow = row(page, plan.id)
  const secretRow = row(page, secret.id)
  return {
    plan: (await planRow.locator('.message-text').innerText()).trim(),
    edited: await planRow.getByTestId('edited').isVisible(),
    reactions: (await planRow.getByTestId('reaction').allInnerTexts()).map((t) => t.replace(/\s+/g, '')),
    deleted: await secretRow.getByTestId('deleted-stub').isVisible(),
    secretVisible: (await page.getByText('4711').count()) > 0,
  }
}

test('an edit, a delete and a reaction made while Bob was offline reach his window through sync', async () => {
  await b.stop({ keepData: true })
  await a.call('Edit', roomId, plan.id, 'The plan: ship on Monday')
  await a.call('Delete', roomId, secret.id)
  await a.call('React', roomId, plan.id, '👍')
  b = await startNode({ dataDir: bDir, peers: [a.address] })

  const want = { plan: 'The plan: ship on Monday', edited: true, reactions: ['👍1'], deleted: true, secretVisible: false }
  const bobPage = await openRoom(b)
  await until(async () => JSON.stringify(await shown(bobPage)) === JSON.stringify(want), "Bob's window shows Ada's changes")
  const adaPage = await openRoom(a)
  await until(async () => JSON.stringify(await shown(adaPage)) === JSON.stringify(want), "Ada's window shows the same")
  await bobPage.screenshot({ path: `${screenshots}/offline-bob.png` })

  // The deleted text left Bob's node, not only his window.
  assert.deepEqual(await b.call('Search', '4711', '', 10), [])
  const history = await b.call('History', roomId, '', 10)
  assert.ok(!JSON.stringify(history).includes('4711'), 'the deleted text is in the history Bob serves')
  assert.deepEqual([...bobPage.problems, ...adaPage.problems], [])
  await bobPage.context().close()
  await adaPage.context().close()
})

test('an edit or delete of Ada’s message by anyone else, a member too, is never applied nor shown', async () => {
  await assert.rejects(b.call('Edit', roomId, plan.id, 'Bob was here'), /Only the person who wrote a message can edit or delete it/)
  await assert.rejects(b.call('Delete', roomId, plan.id), /Only the person who wrote a message can edit or delete it/)

  for (const kind of ['edit', 'delete']) {
    // The forger says something of its own after the forged change: once
    // both nodes show that, the change has reached them.
    const after = `the forger is done with its ${kind}`
    const forger = spawn(
      forgeBin,
      ['--to', a.address, '--invite', link, '--target', plan.id, '--kind', kind, '--text', 'ship never', '--then-say', after],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    const exited = new Promise((ok) => forger.on('exit', ok))
    try {
      for (const [node, who] of [
        [a, 'Ada'],
        [b, 'Bob'],
      ]) {
        await until(async () => (await node.call('History', roomId, '', 20)).some((m) => m.text === after), `the forged ${kind} reaches ${who}'s node`)
      }
    } finally {
      forger.stdin.end()
      await exited
    }
  }
  for (const node of [a, b]) {
    const [m] = (await node.call('History', roomId, '', 10)).filter((x) => x.id === plan.id)
    assert.equal(m.text, 'The plan: ship on Monday')
    assert.equal(m.deleted, false)
  }
  const page = await openRoom(b)
  await until(async () => (await shown(page)).plan === 'The plan: ship on Monday', "Bob's window keeps Ada's words")
  assert.equal(await page.getByText('ship never').count(), 0)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
