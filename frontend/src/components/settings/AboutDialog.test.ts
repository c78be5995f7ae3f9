import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { copyText: vi.fn() },
}))

import { api } from '@/api'
import AboutDialog from './AboutDialog.vue'

describe('AboutDialog', () => {
  let wrapper: VueWrapper | undefined
  const show = (version: string) => (wrapper = mount(AboutDialog, { props: { version }, attachTo: document.body }))
  beforeEach(() => {
    vi.mocked(api.copyText).mockReset()
    vi.spyOn(console, 'error').mockImplementation(() => {})
  })
  afterEach(() => {
    wrapper?.unmount()
    vi.restoreAllMocks()
  })

  it('names the app, its version, what it is and who made it', async () => {
    const w = show('0.0.0+110.gbe9f173')
    const dialog = w.get('[role="dialog"]')
    expect(dialog.get('h2').text()).toBe('About Parley')
    expect(w.get('[data-testid="about-version"]').text()).toBe('0.0.0+110.gbe9f173')
    expect(dialog.text()).toContain('no server')
    expect(dialog.text()).toContain('© 2026 the Parley developers')
    await nextTick() // the dialog moves the focus in after it renders
    expect(document.activeElement).toBe(w.get('[data-testid="about-close"]').element)
  })

  it('copies "Parley <version>" for a bug report and says so', async () => {
    vi.mocked(api.copyText).mockResolvedValue()
    const w = show('0.4.0')
    await w.get('[data-testid="copy-version"]').trigger('click')
    await flushPromises()
    expect(api.copyText).toHaveBeenCalledWith('Parley 0.4.0')
    expect(w.get('[role="status"]').text()).toBe('Version copied')
  })

  it('says in one sentence what to do when the clipboard refuses', async () => {
    vi.mocked(api.copyText).mockRejectedValue(new Error('The clipboard refused the text'))
    const w = show('0.4.0')
    await w.get('[data-testid="copy-version"]').trigger('click')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toBe('Could not copy the version: select it above and copy it yourself.')
  })

  it('before the version is known, says so and has nothing to copy', () => {
    const w = show('')
    expect(w.text()).toContain('Version not known yet')
    expect(w.get('[data-testid="copy-version"]').attributes('disabled')).toBeDefined()
  })

  it('closes from its button and from Escape', async () => {
    const w = show('0.4.0')
    await w.get('[data-testid="about-close"]').trigger('click')
    await w.get('[role="dialog"]').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('close')).toHaveLength(2)
  })
})
