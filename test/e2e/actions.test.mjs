// Message actions in the web UI of two connected nodes: a reply chosen from
// the keyboard menu whose quote jumps back to the original, reactions with
// counts and "mine" on both sides, an edit and a delete that both nodes
// show, and copying a message's text and link.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

/** Messages after the original: enough that it is out of view at the bottom. */
const fillers = 60

let a, b, browser, roomId, original

before(async () => {
  a = await startNode()
  b = await startNode({ peers: [a.address] })
  await a.call('SetName', 'Ada')
  await b.call('SetName', 'Bob')
  roomId = (await a.call('CreateRoom', 'actions')).id
  await b.call('JoinRoom', await a.call('Invite', roomId), 'actions')
  original = await a.call('Send', roomId, 'Where do we meet?')
  for (let i = 1; i <= fillers; i++) await a.call('Send', roomId, `filler ${i}`)
  // Bob's node has the whole history (by gossip or sync) before the pages open.
  await until(async () => (await b.call('MessageCount', roomId)) === fillers + 1, 'the history reached Bob')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await b?.stop()
  await a?.stop()
})

/** Waits for check() to be true, polling, for at most 20 s. */
async function until(check, what) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** A page on a node's UI with the room open. */
async function openRoom(node) {
  const page = await openUI(browser, node)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(node.api).origin })
  await page.getByTestId('room').filter({ hasText: 'actions' }).click()
  await page.getByTestId('message').first().waitFor()
  return page
}

const byId = (page, id) => page.locator(`article[data-id="${id}"]`)
const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '')

/** The newest message of the room on a node with this text. */
async function idOf(node, text) {
  let found
  await until(async () => {
    found = (await node.call('History', roomId, '', 50)).findLast((m) => m.text === text)
    return !!found
  }, `"${text}" on the node`)
  return found.id
}

test('reply, react, edit, delete and copy on two nodes, by mouse and by keyboard', async () => {
  const pa = await openRoom(a)
  const pb = await openRoom(b)
  try {
    await actions(pa, pb)
  } catch (err) {
    // What each page showed when it failed.
    await pa.screenshot({ path: `${screenshots}/actions-failed-ada.png` })
    await pb.screenshot({ path: `${screenshots}/actions-failed-bob.png` })
    throw err
  }
  assert.deepEqual([...pa.problems, ...pb.problems], [])
  await pa.context().close()
  await pb.context().close()
})

async function actions(pa, pb) {
  // Bob, who opened the room at the first unread message, answers it with
  // the keyboard: a message focused, arrows to the first, Shift+F10 for the
  // menu, arrows, Enter.
  await pb.getByTestId('message-list').getByText('filler 2', { exact: true }).click()
  await pb.keyboard.press('ArrowUp')
  await until(async () => (await pb.evaluate(() => document.activeElement?.textContent)).includes('filler 1'), 'the message above focused')
  await pb.keyboard.press('ArrowUp')
  await until(async () => (await pb.evaluate(() => document.activeElement?.dataset?.id)) === original.id, 'the first message focused')
  await pb.keyboard.press('Shift+F10')
  const menu = pb.getByRole('menu', { name: 'Message actions' })
  await menu.waitFor()
  assert.equal(await focusedText(pb), 'Reply', 'the menu opens on its first item')
  await pb.keyboard.press('ArrowDown')
  assert.equal(await focusedText(pb), 'React')
  await pb.keyboard.press('Escape')
  await menu.waitFor({ state: 'detached' })
  assert.equal(await pb.evaluate(() => document.activeElement?.dataset?.id), original.id, 'Escape goes back to the message')
  await pb.keyboard.press('Shift+F10')
  await menu.waitFor()
  assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Reply', 'React', 'Copy text', 'Copy link'], "no edit or delete on another's message")
  await pb.screenshot({ path: `${screenshots}/actions-menu-keyboard.png` })
  await pb.keyboard.press('Enter')
  await pb.getByTestId('composer-reply').waitFor()
  await pb.getByTestId('composer').fill('At the station')
  await pb.getByTestId('composer').press('Enter')
  const replyId = await idOf(b, 'At the station')

  // Ada sees the quote at the bottom and jumps from it to the original, far up.
  const reply = byId(pa, replyId)
  const quote = reply.getByTestId('reply-quote')
  await quote.getByText('Where do we meet?').waitFor()
  await quote.getByText('Ada').waitFor()
  assert.equal(await byId(pa, original.id).count(), 0, 'the original is out of view before the jump')
  await quote.click()
  await pa.locator(`article.flash[data-id="${original.id}"]`).waitFor()
  await until(async () => {
    const list = await pa.getByTestId('message-list').boundingBox()
    const box = await byId(pa, original.id).boundingBox()
    return box && box.y >= list.y && box.y + box.height <= list.y + list.height
  }, 'the original scrolled into view')
  await pa.screenshot({ path: `${screenshots}/actions-jump.png` })

  // Up there, Ada learns how many new messages wait below, and goes down to them.
  await b.call('Send', roomId, 'Are you there?')
  await pa.getByTestId('new-below').getByText('1 new message', { exact: true }).waitFor()
  await pa.getByTestId('new-below').click()
  await pa.getByTestId('message-list').getByText('Are you there?', { exact: true }).waitFor()

  // Ada reacts to Bob's reply from the toolbar and the picker; Bob adds his
  // with a click on the chip. Both see the count; each sees whether it is theirs.
  await reply.hover()
  await reply.locator('[data-action="react"]').click()
  const picker = pa.getByTestId('emoji-picker')
  await picker.waitFor()
  await pa.screenshot({ path: `${screenshots}/actions-picker.png` })
  await picker.getByRole('button', { name: 'thumbs up' }).click()
  await picker.waitFor({ state: 'detached' })
  const chip = (page, pressed, count) =>
    byId(page, replyId).locator(`[data-testid="reaction"][data-emoji="👍"][aria-pressed="${pressed}"]`).filter({ hasText: String(count) })
  await chip(pa, true, 1).waitFor()
  await chip(pb, false, 1).waitFor()
  assert.equal(await chip(pb, false, 1).getAttribute('title'), 'Ada', 'who reacted, on hover')
  await chip(pb, false, 1).click()
  await chip(pb, true, 2).waitFor()
  await chip(pa, true, 2).waitFor()
  assert.equal(await chip(pa, true, 2).getAttribute('title'), 'Ada, Bob')
  await pa.screenshot({ path: `${screenshots}/actions-reactions.png` })

  // Ada corrects her message: both nodes show the new text and "(edited)",
  // and Bob's quote of it follows.
  await pa.getByTestId('message-list').getByText(`filler ${fillers}`, { exact: true }).click()
  await pa.keyboard.press('Home')
  await until(async () => (await pa.evaluate(() => document.activeElement?.dataset?.id)) === original.id, 'Ada focused her message')
  const mine = byId(pa, original.id)
  await mine.hover()
  await mine.locator('[data-action="edit"]').click()
  await pa.getByTestId('composer-edit').waitFor()
  await pa.getByTestId('composer').fill('Where do we meet tomorrow?')
  await pa.getByTestId('composer').press('Enter')
  await byId(pa, original.id).locator('.message-text').getByText('Where do we meet tomorrow?').waitFor()
  await byId(pa, original.id).getByTestId('edited').waitFor()
  // Bob, at the bottom, sees the quote change, and the message itself once he jumps to it.
  await byId(pb, replyId).getByTestId('reply-quote').getByText('Where do we meet tomorrow?').waitFor()
  await byId(pb, replyId).getByTestId('reply-quote').click()
  await byId(pb, original.id).locator('.message-text').getByText('Where do we meet tomorrow?').waitFor()
  await byId(pb, original.id).getByTestId('edited').waitFor()
  await pb.getByTestId('new-below').click()

  // Ada deletes a message of hers from the right-click menu, after confirming:
  // a stub stays on both nodes.
  await pa.getByTestId('new-below').click()
  await pa.getByTestId('composer').fill('a note to take back')
  await pa.getByTestId('composer').press('Enter')
  const noteId = await idOf(a, 'a note to take back')
  await byId(pb, noteId).waitFor()
  await byId(pa, noteId).click({ button: 'right' })
  await pa.getByRole('menuitem', { name: 'Delete' }).click()
  const dialog = pa.getByTestId('confirm-dialog')
  await dialog.waitFor()
  await pa.screenshot({ path: `${screenshots}/actions-delete-confirm.png` })
  await dialog.getByRole('button', { name: 'Delete' }).click()
  for (const page of [pa, pb]) {
    await byId(page, noteId).getByText('This message was deleted').waitFor()
    assert.equal(await byId(page, noteId).locator('.message-text').count(), 0, 'the text is gone')
  }

  // Copy text and copy link, read back from the clipboard.
  await byId(pa, replyId).click({ button: 'right' })
  await pa.getByRole('menuitem', { name: 'Copy text' }).click()
  await pa.getByTestId('action-notice').getByText('Text copied').waitFor()
  assert.equal(await pa.evaluate(() => navigator.clipboard.readText()), 'At the station')
  await byId(pa, replyId).click({ button: 'right' })
  await pa.getByRole('menuitem', { name: 'Copy link' }).click()
  await pa.getByTestId('action-notice').getByText('Link copied').waitFor()
  assert.equal(await pa.evaluate(() => navigator.clipboard.readText()), `parley://message/${roomId}/${replyId}`)

  await pa.screenshot({ path: `${screenshots}/actions-ada.png` })
  await pb.screenshot({ path: `${screenshots}/actions-bob.png` })
}
