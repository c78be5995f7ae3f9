import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('@/api', () => ({ api: { openURL: vi.fn(), copyText: vi.fn() } }))

import { api } from '@/api'
import MessageText from './MessageText.vue'

const dialog = () => document.body.querySelector<HTMLElement>('[role="dialog"]')

function button(name: string): HTMLButtonElement {
  const found = [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)
  if (!found) throw new Error(`no button ${name}`)
  return found
}

describe('MessageText', () => {
  beforeEach(() => {
    vi.mocked(api.openURL).mockReset()
    vi.mocked(api.copyText).mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
    vi.useRealTimers()
  })

  it('renders Markdown: bold, code, lists and line breaks', () => {
    const wrapper = mount(MessageText, { props: { text: '**Hi** `x`\nnext line\n\n- a\n- b' } })
    expect(wrapper.get('strong').text()).toBe('Hi')
    expect(wrapper.get('code').text()).toBe('x')
    expect(wrapper.findAll('li').map((l) => l.text())).toEqual(['a', 'b'])
    expect(wrapper.find('br').exists()).toBe(true)
    expect(wrapper.text()).toContain('next line')
  })

  it('asks before opening a link, shows its full target, and opens it only when confirmed', async () => {
    const wrapper = mount(MessageText, { props: { text: 'see [the notes](https://example.org/a?b=1) now' }, attachTo: document.body })
    const link = wrapper.get('a')
    expect(link.attributes('href')).toBe('https://example.org/a?b=1')
    expect(link.attributes('rel')).toBe('noopener noreferrer nofollow')
    expect(wrapper.get('.link-target').text()).toBe('(example.org)')

    const click = new MouseEvent('click', { bubbles: true, cancelable: true })
    link.element.dispatchEvent(click)
    await flushPromises()
    expect(click.defaultPrevented).toBe(true) // the app never navigates
    expect(api.openURL).not.toHaveBeenCalled()
    expect(dialog()?.getAttribute('aria-modal')).toBe('true')
    expect(dialog()?.querySelector('[data-testid="link-confirm-url"]')?.textContent).toBe('https://example.org/a?b=1')

    button('Open in browser').click()
    await flushPromises()
    expect(api.openURL).toHaveBeenCalledExactlyOnceWith('https://example.org/a?b=1')
    expect(dialog()).toBeNull()
    wrapper.unmount()
  })

  it('opens nothing when the dialog is cancelled, by button or by Escape', async () => {
    const wrapper = mount(MessageText, { props: { text: 'https://example.org' }, attachTo: document.body })
    await wrapper.get('a').trigger('click')
    button('Cancel').click()
    await flushPromises()
    expect(dialog()).toBeNull()

    await wrapper.get('a').trigger('click')
    dialog()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(dialog()).toBeNull()
    expect(api.openURL).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('never links javascript: and never renders markup', () => {
    const text = 'javascript:alert(1) <b>bold</b> <a href="x">y</a> [x](javascript:alert(1)) <img src=x onerror=alert(1)>'
    const wrapper = mount(MessageText, { props: { text } })
    expect(wrapper.findAll('a')).toHaveLength(0)
    expect(wrapper.find('b, img').exists()).toBe(false)
    expect(wrapper.get('.message-text').text()).toBe(text)
  })

  it('copies a code block with its Copy button and says so', async () => {
    vi.useFakeTimers()
    vi.mocked(api.copyText).mockResolvedValue()
    const wrapper = mount(MessageText, { props: { text: '```\nmake build\nmake test\n```' } })
    const copy = wrapper.get('button.code-copy')
    await copy.trigger('click')
    await flushPromises()
    expect(api.copyText).toHaveBeenCalledWith('make build\nmake test')
    expect(copy.text()).toBe('Copied')
    expect(wrapper.get('[role="status"]').text()).toBe('Code copied')
    vi.advanceTimersByTime(2000)
    await flushPromises()
    expect(copy.text()).toBe('Copy')
    expect(wrapper.get('[role="status"]').text()).toBe('')
  })

  it('says when the clipboard refuses the code', async () => {
    vi.mocked(api.copyText).mockRejectedValue(new Error('no'))
    const wrapper = mount(MessageText, { props: { text: '```\nx\n```' } })
    await wrapper.get('button.code-copy').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('Could not copy the code; select it and copy it by hand.')
  })

  it('shows an emoji-only message large, and other text at normal size', () => {
    expect(mount(MessageText, { props: { text: ':tada: 👍' } }).get('.message-text').classes()).toContain('emoji-only')
    expect(mount(MessageText, { props: { text: 'yes 👍' } }).get('.message-text').classes()).not.toContain('emoji-only')
  })

  it('shows mentions of room members as pills, the viewer’s own stronger', () => {
    const wrapper = mount(MessageText, {
      props: { text: '@Ada and @Bob, not @Zed', mentionNames: ['Ada', 'Bob', 'Zed Z'], myName: 'Bob' },
    })
    expect(wrapper.findAll('.mention').map((m) => m.text())).toEqual(['@Ada', '@Bob'])
    expect(wrapper.findAll('.mention-me').map((m) => m.text())).toEqual(['@Bob'])
  })

  it('keeps links and Copy buttons in the Tab order unless told not to', () => {
    const text = 'https://example.org\n\n```\nx\n```'
    const tabStops = (props: object) =>
      mount(MessageText, { props: { text, ...props } })
        .findAll('a, button, pre')
        .map((e) => e.attributes('tabindex') ?? '0')
    expect(tabStops({})).toEqual(['0', '0', '0'])
    expect(tabStops({ tabbable: false })).toEqual(['-1', '-1', '-1'])
  })

  it('keeps the same elements when it becomes the current message, so a click or the focus is not lost', async () => {
    vi.mocked(api.copyText).mockResolvedValue()
    const wrapper = mount(MessageText, { props: { text: '```\nx\n```', tabbable: false } })
    const button = wrapper.get('button.code-copy').element
    await wrapper.setProps({ tabbable: true })
    expect(wrapper.get('button.code-copy').element).toBe(button)
    expect(button.getAttribute('tabindex')).toBe('0')
    await wrapper.get('button.code-copy').trigger('click')
    await flushPromises()
    await wrapper.setProps({ tabbable: false })
    expect(wrapper.get('button.code-copy').text()).toBe('Copied')
  })

  it('works with the text alone, as MessageList uses it', () => {
    const wrapper = mount(MessageText, { props: { text: '@Ada hi' } })
    expect(wrapper.find('.mention').exists()).toBe(false)
    expect(wrapper.text()).toBe('@Ada hi')
  })
})
