// Accessibility of the web UI, in both themes: axe-core finds no serious or
// critical violation in the main window (a room with messages), the quick
// switcher, the search panel, the message menu, the emoji picker, the
// settings dialog or the first-run question; the theme follows
// the system, and the theme switch works by keyboard and holds over a reload. Screenshots of the main window, light and dark, at 800x600
// and 1440x900.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { violations } from './axe.mjs'
import { launchBrowser, openUI, screenshots, startNode } from './nodes.mjs'

let node, browser, room

before(async () => {
  node = await startNode()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await node?.stop()
})

/** The theme the page shows: data-theme on <html> and the page's background. */
function shownTheme(page) {
  return page.evaluate(() => ({ theme: document.documentElement.dataset.theme, background: getComputedStyle(document.body).backgroundColor }))
}

test('the first-run question has no serious accessibility violation, light or dark', async () => {
  const found = []
  for (const colorScheme of ['light', 'dark']) {
    const page = await openUI(browser, node, { colorScheme, viewport: { width: 1440, height: 900 } })
    await page.getByTestId('first-run-name').waitFor()
    assert.equal((await shownTheme(page)).theme, colorScheme, 'the theme follows the system')
    found.push(...(await violations(page, `first run, ${colorScheme}`)))
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})

test('the main window has no serious accessibility violation, light or dark, and is captured at 800x600 and 1440x900', async () => {
  await node.call('SetName', 'Ada Lovelace')
  room = await node.call('CreateRoom', 'design review')
  for (const text of [
    'Morning all! The new palette is in.',
    'Does the **dark theme** read well? Here is the check:\n\n```\nnpx vitest run src/theme.contrast.test.ts\n```',
    'Notes are at https://example.org/notes and `style.css` has the variables.',
    'One more, so the list has a few messages to look at.',
  ]) {
    await node.call('Send', room.id, text)
  }

  const found = []
  for (const colorScheme of ['light', 'dark']) {
    const page = await openUI(browser, node, { colorScheme, viewport: { width: 1440, height: 900 } })
    await page.getByTestId('message').filter({ hasText: 'One more, so the list' }).waitFor()
    assert.equal((await shownTheme(page)).theme, colorScheme, 'the theme follows the system')
    found.push(...(await violations(page, `main window, ${colorScheme}`)))
    await page.screenshot({ path: `${screenshots}/main-${colorScheme}-1440x900.png` })
    // The quick switcher, a dialog over the window.
    await page.keyboard.press('Control+k')
    await page.getByTestId('switcher-input').waitFor()
    found.push(...(await violations(page, `quick switcher, ${colorScheme}`)))
    await page.keyboard.press('Escape')
    await page.getByTestId('switcher-input').waitFor({ state: 'detached' })
    await page.setViewportSize({ width: 800, height: 600 })
    // The narrow layout comes a frame after the resize: checked before it,
    // the wide one squeezed into 800 px has a cramped header and code block.
    await page.locator('.panes.narrow').waitFor()
    await page.getByTestId('message').filter({ hasText: 'One more, so the list' }).waitFor()
    found.push(...(await violations(page, `main window 800x600, ${colorScheme}`)))
    await page.screenshot({ path: `${screenshots}/main-${colorScheme}-800x600.png` })
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})

test('the search panel, the message menu and the emoji picker have no serious accessibility violation, light or dark', async () => {
  if (!room) {
    room = await node.call('CreateRoom', 'design review')
    await node.call('Send', room.id, 'Morning all! The new palette is in.')
  }
  const found = []
  for (const colorScheme of ['light', 'dark']) {
    const page = await openUI(browser, node, { colorScheme, viewport: { width: 1440, height: 900 } })
    const morning = page.getByTestId('message').filter({ hasText: 'Morning all!' })
    await morning.waitFor()

    // Search, with a result and its marked match.
    await page.keyboard.press('Control+f')
    const panel = page.getByTestId('search-panel')
    await panel.getByTestId('search-input').fill('palette')
    await panel.getByTestId('search-result').first().locator('mark').waitFor()
    found.push(...(await violations(page, `search panel, ${colorScheme}`)))
    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })

    // The message menu, opened from the keyboard on a focused message.
    await morning.getByText('Morning all!').click()
    await page.keyboard.press('Shift+F10')
    const menu = page.getByRole('menu', { name: 'Message actions' })
    await menu.waitFor()
    found.push(...(await violations(page, `message menu, ${colorScheme}`)))

    // The emoji picker, from the menu's React.
    await menu.getByRole('menuitem', { name: 'React' }).focus()
    await page.keyboard.press('Enter')
    const picker = page.getByTestId('emoji-picker')
    await picker.waitFor()
    found.push(...(await violations(page, `emoji picker, ${colorScheme}`)))
    await page.keyboard.press('Escape')
    await picker.waitFor({ state: 'detached' })
    assert.deepEqual(page.problems, [])
    await page.context().close()
  }
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)
})

test('the theme switch works by keyboard, wins over the system, holds over a reload, and its dialog passes axe', async () => {
  const page = await openUI(browser, node, { colorScheme: 'light', viewport: { width: 1440, height: 900 } })
  await page.getByTestId('message').first().waitFor()
  const light = await shownTheme(page)
  assert.equal(light.theme, 'light')

  // Settings, by keyboard: the checked choice takes the focus, arrows move it.
  const found = []
  await page.getByTestId('you-menu').click()
  const group = page.getByRole('radiogroup', { name: 'Theme' })
  await group.waitFor()
  found.push(...(await violations(page, 'settings, light')))
  await group.getByRole('radio', { name: 'System' }).focus()
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  assert.equal(await group.getByRole('radio', { name: 'Dark' }).isChecked(), true)
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
  found.push(...(await violations(page, 'settings, dark')))
  await page.screenshot({ path: `${screenshots}/settings-dark.png` })
  assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`)

  await page.reload()
  await page.getByTestId('message').first().waitFor()
  const dark = await shownTheme(page)
  assert.equal(dark.theme, 'dark', 'the choice is applied at start')
  assert.notEqual(dark.background, light.background, 'the page changed colour')

  // Back to following the system, which turns dark while the window is open.
  await page.getByTestId('you-menu').click()
  await page.getByRole('radiogroup', { name: 'Theme' }).getByText('System', { exact: true }).click()
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
  assert.equal((await shownTheme(page)).background, dark.background)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
