import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('@/api', () => ({ api: { openURL: vi.fn() } }))

import { api } from '@/api'
import LinkConfirm from './LinkConfirm.vue'

const url = 'https://example.org/a/very/long/path?with=query&and=more#fragment'

function tab(shift = false) {
  document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', shiftKey: shift, bubbles: true, cancelable: true }))
}

describe('LinkConfirm', () => {
  let opener: HTMLButtonElement
  beforeEach(() => {
    vi.mocked(api.openURL).mockReset()
    opener = document.createElement('button')
    document.body.append(opener)
    opener.focus()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('is a modal dialog showing the whole target, with Cancel focused', async () => {
    const wrapper = mount(LinkConfirm, { props: { url }, attachTo: document.body })
    await flushPromises()
    const dialog = document.querySelector('[role="dialog"]')!
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    const title = document.getElementById(dialog.getAttribute('aria-labelledby')!)
    expect(title?.textContent).toBe('Open this link?')
    expect(dialog.querySelector('[data-testid="link-confirm-url"]')?.textContent).toBe(url)
    expect(document.activeElement?.textContent).toBe('Cancel')
    wrapper.unmount()
  })

  it('opens the link in the browser only from "Open in browser"', async () => {
    const wrapper = mount(LinkConfirm, { props: { url }, attachTo: document.body })
    expect(api.openURL).not.toHaveBeenCalled()
    document.querySelector<HTMLButtonElement>('[data-testid="link-confirm-open"]')!.click()
    expect(api.openURL).toHaveBeenCalledExactlyOnceWith(url)
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })

  it('cancels with Escape or a click outside, and gives focus back', async () => {
    const wrapper = mount(LinkConfirm, { props: { url }, attachTo: document.body })
    await flushPromises()
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(wrapper.emitted('close')).toHaveLength(1)
    document.querySelector<HTMLElement>('.link-confirm-backdrop')!.click()
    expect(wrapper.emitted('close')).toHaveLength(2)
    expect(api.openURL).not.toHaveBeenCalled()
    wrapper.unmount()
    expect(document.activeElement).toBe(opener)
  })

  it('keeps Tab inside the dialog', async () => {
    const wrapper = mount(LinkConfirm, { props: { url }, attachTo: document.body })
    await flushPromises()
    const open = document.querySelector('[data-testid="link-confirm-open"]')
    const urlBox = document.querySelector('[data-testid="link-confirm-url"]')
    document.querySelector<HTMLElement>('[data-testid="link-confirm-open"]')!.focus()
    tab()
    expect(document.activeElement).toBe(urlBox) // wrapped round to the first
    tab(true)
    expect(document.activeElement).toBe(open) // and back to the last
    wrapper.unmount()
  })

  it('names the mail app for a mail link', () => {
    const wrapper = mount(LinkConfirm, { props: { url: 'mailto:ada@example.org' }, attachTo: document.body })
    expect(document.querySelector('[role="dialog"] h2')?.textContent).toBe('Write an email?')
    expect(document.querySelector('[data-testid="link-confirm-open"]')?.textContent?.trim()).toBe('Open mail app')
    wrapper.unmount()
  })
})
