import { afterEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import { nextTick } from 'vue'
import BaseMenu, { type MenuItem } from './BaseMenu.vue'

const items: MenuItem[] = [
  { id: 'reply', label: 'Reply' },
  { id: 'react', label: 'React' },
  { id: 'edit', label: 'Edit', disabled: true },
  { id: 'copy', label: 'Copy text' },
  { id: 'delete', label: 'Delete', danger: true, separated: true },
]

let wrapper: VueWrapper<InstanceType<typeof BaseMenu>> | undefined

function setup() {
  wrapper = mount(BaseMenu, { props: { label: 'Message actions', items }, slots: { default: '⋯' }, attachTo: document.body })
  return wrapper
}

async function flush() {
  for (let i = 0; i < 3; i++) await nextTick()
}

async function press(k: string) {
  document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }))
  await flush()
}

const focused = () => document.activeElement?.getAttribute('data-menu-item') ?? document.activeElement?.tagName
const button = () => wrapper!.get('button').element

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('BaseMenu', () => {
  it('is a menu button named by its label, collapsed until opened', async () => {
    setup()
    expect(button().getAttribute('aria-label')).toBe('Message actions')
    expect(button().getAttribute('aria-haspopup')).toBe('menu')
    expect(button().getAttribute('aria-expanded')).toBe('false')
    expect(document.querySelector('[role="menu"]')).toBeNull()
    button().focus()
    button().click() // what Enter or Space on a button does
    await flush()
    expect(button().getAttribute('aria-expanded')).toBe('true')
    const menu = document.querySelector('[role="menu"]')!
    expect(menu.getAttribute('aria-labelledby')).toBe(button().id)
    expect([...menu.querySelectorAll('[role="menuitem"]')].map((e) => e.textContent)).toEqual(['Reply', 'React', 'Edit', 'Copy text', 'Delete'])
    expect(menu.querySelector('[data-menu-item="edit"]')!.getAttribute('aria-disabled')).toBe('true')
    expect(focused()).toBe('reply')
  })

  it('moves with the arrows, skipping disabled items and wrapping, and with Home and End', async () => {
    setup()
    button().focus()
    await press('ArrowDown')
    expect(focused()).toBe('reply')
    await press('ArrowDown')
    await press('ArrowDown')
    expect(focused()).toBe('copy') // past the disabled Edit
    await press('ArrowDown')
    await press('ArrowDown')
    expect(focused()).toBe('reply') // wrapped
    await press('ArrowUp')
    expect(focused()).toBe('delete')
    await press('Home')
    expect(focused()).toBe('reply')
    await press('End')
    expect(focused()).toBe('delete')
  })

  it('opens on the last item with ArrowUp', async () => {
    setup()
    button().focus()
    await press('ArrowUp')
    expect(focused()).toBe('delete')
  })

  it('goes to the next item starting with a typed letter', async () => {
    setup()
    button().focus()
    await press('ArrowDown')
    await press('r')
    expect(focused()).toBe('react')
    await press('r')
    expect(focused()).toBe('reply')
    await press('c')
    expect(focused()).toBe('copy')
  })

  it('chooses with Enter, closes and gives the focus back to the button', async () => {
    setup()
    button().focus()
    await press('ArrowDown')
    await press('ArrowDown')
    await press('Enter')
    expect(wrapper!.emitted('select')).toEqual([['react']])
    expect(document.querySelector('[role="menu"]')).toBeNull()
    expect(document.activeElement).toBe(button())
  })

  it('closes on Escape without choosing, focus back on the button', async () => {
    setup()
    button().focus()
    await press('ArrowDown')
    await press('Escape')
    expect(document.querySelector('[role="menu"]')).toBeNull()
    expect(button().getAttribute('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(button())
    expect(wrapper!.emitted('select')).toBeUndefined()
  })

  it('does nothing for a disabled item, and closes on a click outside', async () => {
    setup()
    await wrapper!.get('button').trigger('click')
    await flush()
    ;(document.querySelector('[data-menu-item="edit"]') as HTMLElement).click()
    await flush()
    expect(wrapper!.emitted('select')).toBeUndefined()
    expect(document.querySelector('[role="menu"]')).not.toBeNull()
    document.body.dispatchEvent(new MouseEvent('pointerdown', { bubbles: true }))
    await flush()
    expect(document.querySelector('[role="menu"]')).toBeNull()
  })

  it('opens at a point as a context menu', async () => {
    setup()
    await wrapper!.vm.openAt(40, 60)
    await flush()
    const menu = document.querySelector<HTMLElement>('[role="menu"]')!
    expect(menu.style.position).toBe('fixed')
    expect(focused()).toBe('reply')
  })
})
