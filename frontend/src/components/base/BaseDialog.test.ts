import { afterEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import { defineComponent, nextTick, ref } from 'vue'
import BaseDialog from './BaseDialog.vue'

/** A page with a button that opens a dialog holding a field and two buttons. */
const Page = defineComponent({
  components: { BaseDialog },
  props: { dismissible: { type: Boolean, default: true } },
  setup() {
    const open = ref(false)
    const closes = ref(0)
    return { open, closes }
  },
  template: `
    <button type="button" data-testid="opener" @click="open = true">Rename</button>
    <BaseDialog v-if="open" title="Rename room" description="Everyone in the room sees the new name."
      :dismissible="dismissible" @close="closes++; open = false">
      <input data-testid="name" aria-label="Name" />
      <template #actions>
        <button type="button" data-testid="cancel" @click="open = false">Cancel</button>
        <button type="button" class="primary" data-testid="save">Save</button>
      </template>
    </BaseDialog>`,
})

let wrapper: VueWrapper | undefined

async function openDialog(props: { dismissible?: boolean } = {}) {
  wrapper = mount(Page, { props, attachTo: document.body })
  const opener = wrapper.get<HTMLButtonElement>('[data-testid="opener"]')
  opener.element.focus()
  await opener.trigger('click')
  await flush()
  return { opener: opener.element, dialog: () => document.querySelector<HTMLElement>('[role="dialog"]') }
}

async function flush() {
  for (let i = 0; i < 3; i++) await nextTick()
}

function key(el: Element | null, k: string, shiftKey = false): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true })
  el!.dispatchEvent(e)
  return e
}

const testid = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('BaseDialog', () => {
  it('is a modal dialog named by its title and described by its description', async () => {
    const { dialog } = await openDialog()
    const d = dialog()!
    expect(d.getAttribute('aria-modal')).toBe('true')
    expect(document.getElementById(d.getAttribute('aria-labelledby')!)!.textContent).toBe('Rename room')
    expect(document.getElementById(d.getAttribute('aria-describedby')!)!.textContent).toBe('Everyone in the room sees the new name.')
  })

  it('moves the focus into its body when it opens', async () => {
    await openDialog()
    expect(document.activeElement).toBe(testid('name'))
  })

  it('keeps Tab and Shift+Tab inside', async () => {
    const { dialog } = await openDialog()
    const close = dialog()!.querySelector<HTMLElement>('button[aria-label="Close"]')!
    testid('save').focus()
    expect(key(document.activeElement, 'Tab').defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(close) // first in the dialog: the × in its header
    key(document.activeElement, 'Tab', true)
    expect(document.activeElement).toBe(testid('save'))
    // In the middle, Tab is left to the browser.
    testid('name').focus()
    expect(key(document.activeElement, 'Tab').defaultPrevented).toBe(false)
  })

  it('closes on Escape and gives the focus back to the button that opened it', async () => {
    const { opener, dialog } = await openDialog()
    key(document.activeElement, 'Escape')
    await flush()
    expect(dialog()).toBeNull()
    expect(document.activeElement).toBe(opener)
  })

  it('gives the focus back when its own button closes it too', async () => {
    const { opener } = await openDialog()
    testid('cancel').click()
    await flush()
    expect(document.activeElement).toBe(opener)
  })

  it('closes on the × button and on the backdrop, not on a click inside', async () => {
    const { dialog } = await openDialog()
    testid('name').dispatchEvent(new MouseEvent('pointerdown', { bubbles: true }))
    testid('name').click()
    await flush()
    expect(dialog()).not.toBeNull()
    dialog()!.dispatchEvent(new MouseEvent('pointerdown', { bubbles: true }))
    dialog()!.click()
    await flush()
    expect(dialog()).toBeNull()

    wrapper!.get('[data-testid="opener"]').element.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    await flush()
    dialog()!.querySelector<HTMLElement>('button[aria-label="Close"]')!.click()
    await flush()
    expect(dialog()).toBeNull()
  })

  it('stays open on Escape and backdrop when it is not dismissible', async () => {
    const { dialog } = await openDialog({ dismissible: false })
    key(document.activeElement, 'Escape')
    dialog()!.dispatchEvent(new MouseEvent('pointerdown', { bubbles: true }))
    dialog()!.click()
    await flush()
    expect(dialog()).not.toBeNull()
    expect(dialog()!.querySelector('button[aria-label="Close"]')).toBeNull()
  })
})
