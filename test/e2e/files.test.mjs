// Files shared between windows: an image pasted into Ada's composer with a
// caption reaches Bob's window as a card with a preview the receiving node
// made; a PDF picked with the paperclip's file input arrives complete and
// Bob's "Save as…" link downloads the very bytes sent; an SVG carrying a
// script is never drawn or run in Bob's window and his node serves it only
// as a sandboxed attachment; a file shared in a private room reaches the
// member let in and nothing of it reaches a connected node that was not
// invited. Screenshots of Bob's window with the image card and the PDF
// card, light and dark, at 800x600 and 1440x900; each card checked to fit
// the window and the page to show no peer ID.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'
import { sizes, until } from './ui.mjs'

/** Long enough for a file to cross between nodes on a busy machine. */
const arrival = 60_000

let a, b, c, browser, pa, pb, publicRoom

before(async () => {
  a = await startNode()
  // Cy is connected to Ada from the start, and shares the public room.
  ;[b, c] = await Promise.all([startNode({ peers: [a.address] }), startNode({ peers: [a.address] })])
  await Promise.all([a.call('SetName', 'Ada'), b.call('SetName', 'Bob'), c.call('SetName', 'Cy'), (browser = await launchBrowser())])

  publicRoom = await a.call('CreateRoom', 'shared files')
  const link = await a.call('Invite', publicRoom.id)
  await Promise.all([b.call('JoinRoom', link, ''), c.call('JoinRoom', link, '')])
  // Everyone online in the room before anything is shared, so it goes out live.
  await until(async () => (await a.call('Members', publicRoom.id)).filter((m) => !m.me && m.online).length === 2, 'Bob and Cy online in the room', arrival)

  pa = await openUI(browser, a)
  pb = await openUI(browser, b)
  await Promise.all([openRoom(pa, 'shared files'), openRoom(pb, 'shared files')])
})

after(async () => {
  await browser?.close()
  await Promise.all([a?.stop(), b?.stop(), c?.stop()])
})

/** Opens a room from the sidebar and waits for its heading. */
async function openRoom(page, name) {
  await page.getByTestId('room').filter({ hasText: name }).click()
  await page.getByRole('heading', { name }).waitFor()
}

/** The history's card of the file called name, in that state if given. */
function fileCard(page, name, state) {
  const card = page.locator(state ? `[data-testid="file-card"][data-state="${state}"]` : '[data-testid="file-card"]')
  return card.filter({ has: page.getByTestId('file-name').filter({ hasText: name }) })
}

/** The message whose card is the file called name. */
const fileMessage = (page, name) => page.getByTestId('message').filter({ has: fileCard(page, name) })

/**
 * A request to a node's API with its token, read where the node keeps it;
 * the raw answer, for its status, headers and bytes.
 */
function request(node, path, init = {}) {
  const token = readFileSync(join(node.dir, 'api-token'), 'utf8').trim()
  return fetch(`${node.api}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } })
}

/** The error code a call answers with (none if it succeeds). */
async function refusal(node, method, ...args) {
  const resp = await request(node, `/api/${method}`, { method: 'POST', body: JSON.stringify(args) })
  return resp.ok ? null : (await resp.json()).code
}

/** The message of a room on a node that shares the file called name, once there is one that passes check. */
async function sharedFile(node, roomId, name, check = () => true) {
  const has = async () => (await node.call('Files', roomId, 50)).find((m) => m.file?.name === name && check(m.file))
  return until(has, `${name} on the node`, arrival)
}

/**
 * Pictures of what part() finds in each theme and size. The part must fit
 * the window and the page show no peer ID.
 */
async function capture(page, name, part) {
  const ids = [a.peerId, b.peerId, c.peerId]
  // Pointer and focus off the history (the last click left them on a
  // card), so that no message shows its toolbar.
  await page.mouse.move(0, 0)
  await page.evaluate(() => document.activeElement?.blur())
  for (const [colorScheme, width, height] of sizes) {
    await page.emulateMedia({ colorScheme })
    await page.setViewportSize({ width, height })
    // The page hears of the new scheme a moment later: its theme follows.
    await page.waitForFunction((scheme) => document.documentElement.dataset.theme === scheme, colorScheme, { timeout: 5000 })
    const el = part(page)
    await el.waitFor()
    const box = await el.boundingBox()
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5, `${name} fits ${width}x${height}`)
    const text = await page.locator('body').innerText()
    for (const id of ids) assert.ok(!text.includes(id), `${name} shows a peer ID`)
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
    await page.screenshot({ path: `${screenshots}/files-${name}-${colorScheme}-${width}x${height}.png`, animations: 'disabled', caret: 'hide' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1280, height: 800 })
}

test('an image pasted with a caption reaches the other window as a card with a preview', async () => {
  // A real PNG drawn in the page, pasted as a browser pastes a screenshot.
  await pa.getByTestId('composer').evaluate(async (box) => {
    const canvas = document.createElement('canvas')
    canvas.width = 64
    canvas.height = 48
    const g = canvas.getContext('2d')
    g.fillStyle = '#2a6fdb'
    g.fillRect(0, 0, 64, 48)
    g.fillStyle = '#f5c518'
    g.fillRect(16, 12, 32, 24)
    const png = await new Promise((ok) => canvas.toBlob(ok, 'image/png'))
    const dt = new DataTransfer()
    dt.items.add(new File([png], 'image.png', { type: 'image/png' }))
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }))
  })
  await pa.getByTestId('attachment').filter({ hasText: 'image.png' }).waitFor()
  await pa.getByTestId('composer').fill('The new logo, first sketch')
  await pa.getByTestId('composer').press('Enter')
  // Sent: the chip leaves the composer.
  await pa.getByTestId('attachment').waitFor({ state: 'detached' })

  const message = fileMessage(pb, 'image.png')
  await message.getByText('The new logo, first sketch').waitFor({ timeout: arrival })
  const card = fileCard(pb, 'image.png', 'complete')
  await card.waitFor({ timeout: arrival })
  const preview = card.locator('img[data-testid="file-preview"]')
  assert.match(await preview.getAttribute('src'), /^data:image\/jpeg/)
  // The preview is drawn, not a broken image.
  await until(() => preview.evaluate((img) => img.complete && img.naturalWidth > 0), 'preview decoded')

  const sent = await sharedFile(b, publicRoom.id, 'image.png')
  assert.equal(sent.text, 'The new logo, first sketch')
  assert.equal(sent.file.mime, 'image/png')
  assert.deepEqual([sent.file.width, sent.file.height], [64, 48])
  // An image that decodes is served inline as its type.
  const got = await pb.request.get(`${b.api}/api/files/${sent.file.hash}`)
  assert.equal(got.status(), 200)
  assert.equal(got.headers()['content-type'], 'image/png')

  await capture(pb, 'image-card', () => message)
  assert.deepEqual([...pa.problems, ...pb.problems], [])
})

test('a PDF picked with the file input arrives complete and downloads with the same bytes', async () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300 * 1024)])
  await pa.setInputFiles('[data-testid="attach-input"]', { name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf })
  await pa.getByTestId('attachment').filter({ hasText: 'report.pdf' }).waitFor()
  await pa.getByTestId('composer').press('Enter')
  await pa.getByTestId('attachment').waitFor({ state: 'detached' })

  const card = fileCard(pb, 'report.pdf', 'complete')
  await card.waitFor({ timeout: arrival })
  assert.equal(await card.locator('img').count(), 0, 'a PDF has no preview')

  const [download] = await Promise.all([pb.waitForEvent('download', { timeout: arrival }), card.getByTestId('file-save').click()])
  assert.equal(download.suggestedFilename(), 'report.pdf')
  const saved = readFileSync(await download.path())
  assert.ok(saved.equals(pdf), `saved ${saved.length} bytes, sent ${pdf.length}`)

  await capture(pb, 'pdf-card', () => fileMessage(pb, 'report.pdf'))
  assert.deepEqual([...pa.problems, ...pb.problems], [])
})

test('an SVG with a script is never drawn or run in the other window, only offered as a sandboxed download', async () => {
  const svg = Buffer.from(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
      '<script>alert("the SVG ran")</script><rect width="100" height="100" fill="red"/></svg>\n',
  )
  await pa.setInputFiles('[data-testid="attach-input"]', { name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: svg })
  await pa.getByTestId('attachment').filter({ hasText: 'drawing.svg' }).waitFor()
  await pa.getByTestId('composer').press('Enter')
  await pa.getByTestId('attachment').waitFor({ state: 'detached' })

  const card = fileCard(pb, 'drawing.svg', 'complete')
  await card.waitFor({ timeout: arrival })
  const { file } = await sharedFile(b, publicRoom.id, 'drawing.svg')
  assert.equal(await card.getByTestId('file-preview').count(), 0, 'no preview of an SVG')
  // Nothing on the page loads it as a picture or a document.
  const url = `/api/files/${file.hash}`
  const embedded = await pb.evaluate(
    (path) =>
      [...document.querySelectorAll('img, object, embed, iframe, image, use')]
        .map((el) => el.getAttribute('src') ?? el.getAttribute('data') ?? el.getAttribute('href') ?? el.getAttribute('xlink:href') ?? '')
        .filter((src) => src.includes(path)),
    url,
  )
  assert.deepEqual(embedded, [])

  // The node gives it out only as a download, sandboxed, with the window's cookie.
  const got = await pb.request.get(`${b.api}${url}`)
  assert.equal(got.status(), 200)
  const headers = got.headers()
  assert.equal(headers['content-type'], 'application/octet-stream')
  assert.match(headers['content-disposition'], /^attachment/)
  assert.match(headers['content-security-policy'], /\bsandbox\b/)
  assert.ok((await got.body()).equals(svg), 'the bytes as sent')

  // Open, in a browser, gives a tab that the download closes again: the
  // SVG is never shown there either.
  const context = pb.context()
  const watchDialogs = (tab) =>
    tab.on('dialog', (d) => {
      pb.problems.push(`dialog in an opened tab: ${d.message()}`)
      d.dismiss()
    })
  context.on('page', watchDialogs)
  const [tab] = await Promise.all([context.waitForEvent('page'), card.getByTestId('file-open').click()])
  await until(() => tab.isClosed(), 'the opened tab closes', arrival)
  context.off('page', watchDialogs)

  // No alert, nor any other dialog, came up in either window.
  assert.deepEqual([...pa.problems, ...pb.problems], [])
})

test('a file in a private room reaches the member let in, and nothing of it a connected node not invited', async () => {
  const room = await a.call('CreatePrivateRoom', 'board')
  // One link, for Bob alone.
  const invite = await a.call('CreateInvite', room.id, 24, 1)
  const joined = await b.call('JoinRoom', invite.link, '')
  assert.equal(joined.pending, true)
  await until(async () => (await b.call('Rooms')).find((r) => r.id === room.id && !r.pending && r.myRole === 'member'), 'Bob let in', arrival)
  // Cy stays connected to Ada all along.
  assert.ok((await a.call('Peers')).some((p) => p.peerId === c.peerId), 'Cy is connected to Ada')

  const minutes = Buffer.concat([Buffer.from('Board minutes, confidential\n'), randomBytes(400 * 1024)])
  const put = await request(a, `/api/files/${room.id}?name=${encodeURIComponent('minutes.bin')}&text=${encodeURIComponent('Minutes of the meeting')}`, {
    method: 'PUT',
    body: minutes,
  })
  assert.equal(put.status, 200, await put.clone().text())
  const { file } = await put.json()

  // Bob's node fetches it by itself, and his window shows it complete.
  await sharedFile(b, room.id, 'minutes.bin', (f) => f.state === 'complete')
  const got = await request(b, `/api/files/${file.hash}`)
  assert.equal(got.status, 200)
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(minutes), 'Bob has the bytes as shared')
  await openRoom(pb, 'board')
  await fileCard(pb, 'minutes.bin', 'complete').waitFor({ timeout: arrival })

  // Cy knows nothing of it: no room, no file, no message, and asking for it is refused.
  assert.equal((await c.call('Rooms')).some((r) => r.id === room.id), false)
  const asked = await request(c, `/api/files/${file.hash}`)
  assert.equal(asked.status, 404)
  assert.equal((await asked.json()).code, 'unknownFile')
  assert.equal(await refusal(c, 'FetchFile', file.hash), 'unknownFile')
  assert.equal(await refusal(c, 'Files', room.id, 50), 'notJoined')
  const cyFiles = await c.call('Files', publicRoom.id, 50)
  assert.equal(cyFiles.some((m) => m.file?.hash === file.hash), false)
  const cyHistory = await c.call('History', publicRoom.id, '', 500)
  assert.equal(cyHistory.some((m) => m.file?.hash === file.hash || m.text === 'Minutes of the meeting'), false)

  assert.deepEqual([...pa.problems, ...pb.problems], [])
})

test('a file over the limit is refused in the composer, and Storage shows what files take', async () => {
  await openRoom(pa, 'shared files')
  await a.call('SetFileLimits', 1, 1, 64)
  try {
    await pa.setInputFiles('[data-testid="attach-input"]', { name: 'recording.wav', mimeType: 'audio/wav', buffer: randomBytes(3 * 1024 * 1024) })
    const refused = pa.getByTestId('attachment-too-large')
    await refused.waitFor()
    assert.equal(await refused.innerText(), 'This file is 3 MB; the limit is 1 MB.')
    assert.ok(await pa.locator('button[type="submit"]').isDisabled(), 'nothing to send')
    await capture(pa, 'composer-too-large', (page) => page.getByTestId('attachments'))
    await pa.getByRole('button', { name: 'Remove recording.wav' }).click()
    await pa.getByTestId('attachments').waitFor({ state: 'detached' })
    assert.equal((await a.call('Files', publicRoom.id, 50)).some((m) => m.file?.name === 'recording.wav'), false)
  } finally {
    await a.call('SetFileLimits', 100, 10, 5120)
  }

  await pb.getByTestId('you-menu').click()
  await pb.getByTestId('open-storage').click()
  const usage = pb.getByTestId('storage-usage')
  await until(async () => /Files use .+ of 5 GB/.test(await usage.innerText()), 'Bob sees what files take', arrival)
  await capture(pb, 'storage', (page) => page.getByRole('dialog'))
  await pb.getByTestId('storage-done').click()
  assert.deepEqual([...pa.problems, ...pb.problems], [])
})
