// Steps through the main window that many tests share.

/** Picks an item of the sidebar's "+" menu ("New room…", "Join with a link…"). */
export async function addRoomMenu(page, label) {
  await page.getByRole('button', { name: 'Add a room' }).click()
  await page.getByRole('menuitem', { name: label }).click()
}

/** Opens "Join with a link…" and pastes the link; returns the dialog, not yet submitted. */
export async function openJoinLink(page, link) {
  await addRoomMenu(page, 'Join with a link…')
  const dialog = page.getByRole('dialog', { name: 'Join a room' })
  await dialog.getByTestId('join-link').fill(link)
  return dialog
}

/** Joins with a pasted link by Enter; returns the dialog, which closes once joined. */
export async function joinWithLink(page, link) {
  const dialog = await openJoinLink(page, link)
  await dialog.getByTestId('join-link').press('Enter')
  return dialog
}

/** Opens "New room…" with the name typed; returns the create dialog. */
export async function askNewRoom(page, name) {
  await addRoomMenu(page, 'New room…')
  const dialog = page.getByRole('dialog', { name: 'Create a room' })
  await dialog.getByTestId('create-room-name').fill(name)
  return dialog
}

/** Waits for check() to give something truthy, polling, for at most ms; returns it. */
export async function until(check, what, ms = 20_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const got = await check()
    if (got) return got
    if (Date.now() >= deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** The screenshot sizes every dialog is looked at in: theme, width, height. */
export const sizes = [
  ['light', 1440, 900],
  ['dark', 1440, 900],
  ['light', 800, 600],
  ['dark', 800, 600],
]
