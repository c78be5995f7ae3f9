import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { ProxyMode, ProxySetting } from '@/api'
import { infoMs } from '@/stores/notices'
import ProxySettings from './ProxySettings.vue'

const system: ProxySetting = { mode: 'system', url: '', credentials: false }
const refused = 'That proxy address will not work; give it as http://host:port or socks5://host:port, with user:password@ before the host if it needs them.'

function open(proxy: ProxySetting = system, save = vi.fn(async (mode: ProxyMode, url: string): Promise<ProxySetting> => ({ mode, url, credentials: false }))) {
  const wrapper = mount(ProxySettings, { props: { proxy, save }, attachTo: document.body })
  const radio = (mode: ProxyMode) => wrapper.get<HTMLInputElement>(`[data-testid="proxy-${mode}"]`)
  const field = wrapper.get<HTMLInputElement>('[data-testid="proxy-url"]')
  const saveButton = wrapper.get<HTMLButtonElement>('[data-testid="proxy-save"]')
  return { wrapper, save, radio, field, saveButton }
}

describe('ProxySettings', () => {
  afterEach(() => {
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  it('offers three choices by their labels, the current one checked, and explains the system proxy', () => {
    const { wrapper, radio } = open()
    const labels = wrapper.findAll('label').map((l) => l.text())
    expect(labels[0]).toContain("Use the system's proxy")
    expect(labels[0]).toContain('HTTPS_PROXY')
    expect(labels.slice(1)).toEqual(['No proxy', 'This proxy:'])
    expect(radio('system').element.checked).toBe(true)
    // One group: Tab reaches it once, arrow keys move between the choices.
    expect(new Set(['system', 'none', 'manual'].map((m) => radio(m as ProxyMode).attributes('name'))).size).toBe(1)
    expect(wrapper.get('[role="radiogroup"]').attributes('aria-labelledby')).toBeTruthy()
    expect(wrapper.get('[data-testid="proxy-url"]').attributes('placeholder')).toBe('http://proxy.example.org:3128')
    expect(wrapper.get('[data-testid="proxy-url"]').attributes('aria-label')).toBe('Proxy address')
  })

  it('saves nothing until something changed', async () => {
    const { save, saveButton, radio } = open()
    expect(saveButton.element.disabled).toBe(true)
    await radio('none').setValue(true)
    expect(saveButton.element.disabled).toBe(false)
    await radio('system').setValue(true)
    expect(saveButton.element.disabled).toBe(true)
    expect(save).not.toHaveBeenCalled()
  })

  it('saves "No proxy" without an address, and says it was saved for a while', async () => {
    vi.useFakeTimers()
    const { wrapper, save, radio, saveButton } = open()
    await radio('none').setValue(true)
    await saveButton.trigger('submit')
    await flushPromises()
    expect(save.mock.calls).toEqual([['none', '']])
    const saved = wrapper.get('[data-testid="proxy-saved"]')
    expect(saved.attributes('role')).toBe('status')
    expect(saved.text()).toMatch(/^Saved\./)
    await vi.advanceTimersByTimeAsync(infoMs)
    expect(saved.text()).toBe('')
  })

  it('typing an address chooses "This proxy:", and saving sends it trimmed', async () => {
    const { wrapper, save, radio, field } = open()
    await field.setValue('  socks5://127.0.0.1:1080 ')
    expect(radio('manual').element.checked).toBe(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(save.mock.calls).toEqual([['manual', 'socks5://127.0.0.1:1080']])
  })

  it('shows a refused address under the field, keeps what was typed, and takes the sentence away on the next change', async () => {
    const save = vi.fn().mockRejectedValue(new Error(refused))
    const { wrapper, radio, field } = open(system, save)
    await radio('manual').setValue(true)
    await field.setValue('proxy.example.org:3128')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const error = wrapper.get('[data-testid="field-error"]')
    expect(error.text()).toContain('That proxy address will not work')
    expect(field.element.value).toBe('proxy.example.org:3128')
    expect(field.attributes('aria-invalid')).toBe('true')
    expect(field.attributes('aria-describedby')).toContain(error.attributes('id'))
    // Right under the field, not under Save.
    expect(wrapper.get('.below-url').find('[data-testid="field-error"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="proxy-saved"]').text()).toBe('')
    await field.setValue('http://proxy.example.org:3128')
    expect(wrapper.find('[data-testid="field-error"]').exists()).toBe(false)
    expect(field.attributes('aria-invalid')).toBe('false')
  })

  it('puts a failure of another choice under Save, not under the address', async () => {
    const save = vi.fn().mockRejectedValue(new Error('Your Parley node is not answering: check that it is still running.'))
    const { wrapper, radio } = open(system, save)
    await radio('none').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain('not answering')
    expect(wrapper.get('.below-url').find('[data-testid="field-error"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="proxy-url"]').attributes('aria-invalid')).toBe('false')
  })

  it('never keeps a password in the field: after saving it shows the address the node gives back', async () => {
    const save = vi.fn(async (): Promise<ProxySetting> => ({ mode: 'manual', url: 'http://127.0.0.1:3128', credentials: true }))
    const { wrapper, field } = open(system, save)
    await field.setValue('http://alice:pw-secret-42@127.0.0.1:3128')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(save).toHaveBeenCalledWith('manual', 'http://alice:pw-secret-42@127.0.0.1:3128')
    expect(field.element.value).toBe('http://127.0.0.1:3128')
    expect(wrapper.html()).not.toContain('pw-secret-42')
  })

  it('says a user name and password are saved, without showing them, while this proxy is chosen', async () => {
    const { wrapper, radio, field, saveButton } = open({ mode: 'manual', url: 'http://127.0.0.1:3128', credentials: true })
    expect(radio('manual').element.checked).toBe(true)
    expect(field.element.value).toBe('http://127.0.0.1:3128')
    const note = wrapper.get('[data-testid="proxy-credentials"]')
    expect(note.text()).toContain('A user name and password are saved')
    expect(field.attributes('aria-describedby')).toBe(note.attributes('id'))
    // Saving the address as shown would drop them: nothing changed, nothing to save.
    expect(saveButton.element.disabled).toBe(true)
    await radio('system').setValue(true)
    expect(wrapper.find('[data-testid="proxy-credentials"]').exists()).toBe(false)
    const plain = open({ mode: 'manual', url: 'http://127.0.0.1:3128', credentials: false })
    expect(plain.wrapper.find('[data-testid="proxy-credentials"]').exists()).toBe(false)
  })

  it('follows a setting changed elsewhere, but a reload of the same setting leaves the typing alone', async () => {
    const { wrapper, radio, field } = open()
    await field.setValue('http://typing.example')
    await wrapper.setProps({ proxy: { ...system } })
    expect(field.element.value).toBe('http://typing.example')
    expect(radio('manual').element.checked).toBe(true)
    await wrapper.setProps({ proxy: { mode: 'none', url: '', credentials: false } })
    expect(radio('none').element.checked).toBe(true)
    expect(field.element.value).toBe('')
  })
})
