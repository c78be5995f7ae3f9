// The composer between two people: a reply from the message's action, an
// edit with Up arrow, a mention picked from the autocomplete, the typing
// indicator, and the note that nobody is online; then a mention in a room
// that is not open, shown in the sidebar.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let a, b, browser, room, restartedDir

/** Waits until check() returns something truthy, asking every 100 ms; fails after ms. */
async function until(check, what, ms = 30_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  room = await a.call('CreateRoom', 'composer room')
  await b.call('JoinRoom', await a.call('Invite', room.id), 'composer room')
  await until(async () => (await a.call('Members', room.id)).some((m) => m.name === 'Bob' && m.online), 'Bob online in the room')
  await b.call('Send', room.id, 'Lunch at noon?')
  await until(async () => (await a.call('History', room.id, '', 10)).some((m) => m.text === 'Lunch at noon?'), "Bob's message at Ada's")
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
  if (restartedDir) rmSync(restartedDir, { recursive: true, force: true })
})

/** Ada's or Bob's window, with the test room open. */
async function window(node) {
  const page = await openUI(browser, node)
  await page.getByTestId('room').filter({ hasText: 'composer room' }).click()
  await page.getByRole('heading', { name: '# composer room' }).waitFor()
  return page
}

test('reply, edit, mention, typing and the nobody-online note, between two windows', async () => {
  const pa = await window(a)
  const pb = await window(b)
  const composerA = pa.getByTestId('composer')
  const composerB = pb.getByTestId('composer')
  const messageA = (text) => pa.getByTestId('message').filter({ hasText: text })
  const messageB = (text) => pb.getByTestId('message').filter({ hasText: text })

  // Reply from the message's own action; Enter sends it as a reply.
  const question = messageA('Lunch at noon?')
  await question.hover()
  await question.getByRole('button', { name: 'Reply' }).click()
  const replyBar = pa.getByTestId('composer-reply')
  await replyBar.getByText('Replying to Bob: Lunch at noon?').waitFor()
  assert.ok(await composerA.evaluate((el) => el === document.activeElement), 'the Reply action leads into the composer')
  await pa.screenshot({ path: `${screenshots}/composer-reply.png` })
  await composerA.fill('Yes, see you there')
  await composerA.press('Enter')
  await replyBar.waitFor({ state: 'detached' })
  assert.equal(await composerA.inputValue(), '', 'the composer was cleared')
  await messageB('Yes, see you there').getByTestId('reply-quote').filter({ hasText: 'Lunch at noon?' }).waitFor()

  // Up arrow in the empty composer edits that reply; both windows show the new text, marked edited.
  await composerA.press('ArrowUp')
  await pa.getByTestId('composer-edit').getByText('Editing message').waitFor()
  assert.equal(await composerA.inputValue(), 'Yes, see you there')
  await composerA.fill('Yes, see you at 12:30')
  await pa.screenshot({ path: `${screenshots}/composer-edit.png` })
  await composerA.press('Enter')
  await pa.getByTestId('composer-edit').waitFor({ state: 'detached' })
  for (const edited of [messageA('see you at 12:30'), messageB('see you at 12:30')]) {
    await edited.getByTestId('edited').waitFor()
  }
  assert.equal(await messageB('see you there').count(), 0, 'the old text is gone')

  // A mention picked from the list: Bob's window marks the message as mentioning him.
  await composerA.pressSequentially('@Bo')
  const picker = pa.getByRole('listbox', { name: 'Members to mention' })
  await picker.getByRole('option', { name: /Bob/ }).waitFor()
  await pa.screenshot({ path: `${screenshots}/composer-mention.png` })
  await composerA.press('Enter')
  await picker.waitFor({ state: 'detached' })
  assert.equal(await composerA.inputValue(), '@Bob ')
  await composerA.pressSequentially('have a look')
  await composerA.press('Enter')
  const mention = messageB('@Bob have a look')
  await mention.getByTestId('mention-badge').waitFor()
  assert.match((await mention.getAttribute('class')) ?? '', /mentions-me/)
  await pb.screenshot({ path: `${screenshots}/composer-mentioned.png` })

  // Bob types: Ada sees it while he does, and not once he has stopped.
  const typing = pa.getByTestId('typing-indicator').getByText('Bob is typing…')
  await composerB.pressSequentially('thinking about it')
  await typing.waitFor()
  await pa.screenshot({ path: `${screenshots}/composer-typing.png` })
  await composerB.fill('')
  await typing.waitFor({ state: 'detached', timeout: 15_000 })

  // Bob goes away: Ada's composer says so before she sends.
  const note = pa.getByTestId('nobody-online')
  assert.equal(await note.count(), 0, 'no note while Bob is online')
  await pb.context().close()
  await b.stop({ keepData: true })
  await note.getByText('Nobody is online; your message goes out when someone comes back.').waitFor()
  await pa.screenshot({ path: `${screenshots}/composer-nobody-online.png` })

  assert.deepEqual([...pa.problems, ...pb.problems], [])
  await pa.context().close()
})

test('a mention in another room shows on that room in the sidebar until it is read', async () => {
  // Bob's node is back (the test before stopped it), with its history.
  restartedDir = b.dir
  b = await startNode({ dataDir: restartedDir, peers: [a.address] })
  await until(async () => (await a.call('Members', room.id)).some((m) => m.name === 'Bob' && m.online), 'Bob back in the room')
  await b.call('CreateRoom', 'elsewhere')
  const pb = await openUI(browser, b)
  await pb.getByTestId('room').filter({ hasText: 'elsewhere' }).click()
  await pb.getByRole('heading', { name: '# elsewhere' }).waitFor()
  await a.call('Send', room.id, '@Bob the numbers are in')
  const badge = pb.getByTestId('room').filter({ hasText: 'composer room' }).getByTestId('room-mention-badge')
  await badge.waitFor()
  assert.equal(await badge.innerText(), '@1')
  await pb.screenshot({ path: `${screenshots}/composer-mention-badge.png` })
  await pb.getByTestId('room').filter({ hasText: 'composer room' }).click()
  await pb.getByTestId('message').filter({ hasText: 'the numbers are in' }).waitFor()
  await badge.waitFor({ state: 'detached' })
  assert.deepEqual(pb.problems, [])
  await pb.context().close()
})

