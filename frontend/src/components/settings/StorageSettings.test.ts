import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: {
    filesUsage: vi.fn(),
    fileLimits: vi.fn(),
    setFileLimits: vi.fn(),
    removeFilesOlderThan: vi.fn(),
  },
}))

import { api, type FileLimits } from '@/api'
import { infoMs } from '@/stores/notices'
import StorageSettings from './StorageSettings.vue'

// The dialog is attached to the page, which the other test files of this
// environment share: none may stay open after its test, passed or failed.
enableAutoUnmount(afterEach)

const MB = 1024 * 1024
const GB = 1024 * MB
const limits: FileLimits = { maxFileMiB: 100, autoMiB: 10, capMiB: 5120 }
const refused = 'The largest file is 1 to 2048 MB, not 0.'

async function open() {
  const wrapper = mount(StorageSettings, { attachTo: document.body })
  await flushPromises()
  const field = (name: 'max' | 'auto' | 'cap') => wrapper.get<HTMLInputElement>(`[data-testid="storage-${name}"]`)
  const saveButton = () => wrapper.get<HTMLButtonElement>('[data-testid="storage-save"]')
  return { wrapper, field, saveButton }
}

describe('StorageSettings', () => {
  beforeEach(() => {
    vi.mocked(api.filesUsage).mockReset().mockResolvedValue({ used: 1.2 * GB, cap: 5 * GB, files: 12 })
    vi.mocked(api.fileLimits).mockReset().mockResolvedValue({ ...limits })
    vi.mocked(api.setFileLimits)
      .mockReset()
      .mockImplementation(async (maxFileMiB, autoMiB, capMiB) => ({ maxFileMiB, autoMiB, capMiB }))
    vi.mocked(api.removeFilesOlderThan).mockReset()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('says "Loading…" until it has the space used and the limits, then shows them', async () => {
    const wrapper = mount(StorageSettings, { attachTo: document.body })
    expect(wrapper.get('[role="dialog"] h2').text()).toBe('Storage')
    expect(wrapper.get('[data-testid="storage-loading"]').text()).toBe('Loading…')
    await flushPromises()
    expect(wrapper.find('[data-testid="storage-loading"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="storage-usage"]').text()).toBe('Files use 1.2 GB of 5 GB')
    const meter = wrapper.get('meter')
    expect(meter.attributes('aria-label')).toBe('Space used by files: 1.2 GB of 5 GB')
    expect(Number(meter.attributes('value'))).toBe(1.2 * GB)
    expect(Number(meter.attributes('max'))).toBe(5 * GB)
    expect(wrapper.get('[data-testid="storage-files"]').text()).toBe('12 files are on this computer.')
    expect(wrapper.find('[data-testid="storage-full"]').exists()).toBe(false)
  })

  it('shows the limits in MB, each field named in plain words, and saves nothing until one changed', async () => {
    const { wrapper, field, saveButton } = await open()
    expect(field('max').element.value).toBe('100')
    expect(field('auto').element.value).toBe('10')
    expect(field('cap').element.value).toBe('5120')
    const label = (name: 'max' | 'auto' | 'cap') => wrapper.get(`label[for="${field(name).attributes('id')}"]`).text()
    expect(label('max')).toBe('Largest file to send or download, in MB')
    expect(label('auto')).toBe('Download files up to this size by themselves, in MB')
    expect(label('cap')).toBe('Space for files, in MB')
    expect(wrapper.get(`#${field('auto').attributes('aria-describedby')}`).text()).toContain('0: nothing downloads')
    expect(wrapper.get(`#${field('cap').attributes('aria-describedby')}`).text()).toContain('About 5 GB.')
    expect(saveButton().element.disabled).toBe(true)
  })

  it('says why when the figures cannot be read', async () => {
    vi.mocked(api.fileLimits).mockRejectedValue(new Error('Your Parley node is not answering: check that it is still running.'))
    const { wrapper } = await open()
    const error = wrapper.get('[data-testid="storage-load-error"]')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toContain('not answering')
    expect(wrapper.find('[data-testid="storage-loading"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="storage-save"]').exists()).toBe(false)
  })

  it('saves the three sizes, says "Saved" for a while, and reads the space used again', async () => {
    vi.useFakeTimers()
    const { wrapper, field, saveButton } = await open()
    await field('auto').setValue('0')
    await field('cap').setValue('2048')
    expect(saveButton().element.disabled).toBe(false)
    vi.mocked(api.filesUsage).mockResolvedValue({ used: 1.5 * GB, cap: 2 * GB, files: 9 })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(vi.mocked(api.setFileLimits).mock.calls).toEqual([[100, 0, 2048]])
    const saved = wrapper.get('[data-testid="storage-saved"]')
    expect(saved.attributes('role')).toBe('status')
    expect(saved.text()).toBe('Saved.')
    expect(wrapper.get('[data-testid="storage-usage"]').text()).toBe('Files use 1.5 GB of 2 GB')
    expect(saveButton().element.disabled).toBe(true)
    await vi.advanceTimersByTimeAsync(infoMs)
    expect(saved.text()).toBe('')
  })

  it('shows a refusal under the form in one sentence, keeps the figures, and drops it on the next change', async () => {
    vi.mocked(api.setFileLimits).mockRejectedValue(new Error(refused))
    const { wrapper, field } = await open()
    await field('max').setValue('0')
    await wrapper.get('[data-testid="storage-save"]').trigger('submit')
    await flushPromises()
    const error = wrapper.get('[data-testid="storage-error"]')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toContain(refused)
    expect(field('max').attributes('aria-describedby')).toBe(error.attributes('id'))
    expect(field('max').element.value).toBe('0')
    expect(wrapper.get('[data-testid="storage-saved"]').text()).toBe('')
    await field('max').setValue('200')
    expect(wrapper.find('[data-testid="storage-error"]').exists()).toBe(false)
  })

  it('asks for a number rather than sending an empty field', async () => {
    const { wrapper, field } = await open()
    await field('cap').setValue('')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.setFileLimits).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="storage-error"]').text()).toContain('whole number of MB')
  })

  it('asks before removing old downloads, then removes them and says how many went', async () => {
    const { wrapper } = await open()
    expect((wrapper.get('[data-testid="storage-age"]').element as HTMLSelectElement).value).toBe('30')
    await wrapper.get('[data-testid="storage-remove"]').trigger('click')
    await nextTick()
    expect(api.removeFilesOlderThan).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="storage-remove-question"]').text()).toContain(
      'Remove downloaded files not opened for 30 days? Their messages stay; you can download them again.',
    )
    const confirm = wrapper.get('[data-testid="storage-remove-confirm"]')
    expect(document.activeElement).toBe(confirm.element) // Enter answers, Tab reaches Cancel
    vi.mocked(api.removeFilesOlderThan).mockResolvedValue({ files: 3, freed: 12 * MB })
    vi.mocked(api.filesUsage).mockResolvedValue({ used: 1.1 * GB, cap: 5 * GB, files: 9 })
    await confirm.trigger('click')
    await flushPromises()
    expect(vi.mocked(api.removeFilesOlderThan).mock.calls).toEqual([[30]])
    const report = wrapper.get('[data-testid="storage-removed"]')
    expect(report.attributes('role')).toBe('status')
    expect(report.text()).toBe('Removed 3 files (12 MB).')
    expect(wrapper.find('[data-testid="storage-remove-question"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="storage-usage"]').text()).toBe('Files use 1.1 GB of 5 GB')
    expect(wrapper.get('[data-testid="storage-files"]').text()).toBe('9 files are on this computer.')
  })

  it('removes nothing on Cancel, and says when nothing was old enough', async () => {
    const { wrapper } = await open()
    await wrapper.get('[data-testid="storage-remove"]').trigger('click')
    await wrapper.get('[data-testid="storage-remove-cancel"]').trigger('click')
    await nextTick()
    expect(wrapper.find('[data-testid="storage-remove-question"]').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get('[data-testid="storage-remove"]').element)
    await wrapper.get('[data-testid="storage-age"]').setValue('365')
    await wrapper.get('[data-testid="storage-remove"]').trigger('click')
    expect(wrapper.get('[data-testid="storage-remove-question"]').text()).toContain('not opened for 1 year?')
    vi.mocked(api.removeFilesOlderThan).mockResolvedValue({ files: 0, freed: 0 })
    await wrapper.get('[data-testid="storage-remove-confirm"]').trigger('click')
    await flushPromises()
    expect(vi.mocked(api.removeFilesOlderThan).mock.calls).toEqual([[365]])
    expect(wrapper.get('[data-testid="storage-removed"]').text()).toBe('Nothing to remove.')
  })

  it('shows a failed removal in one sentence', async () => {
    vi.mocked(api.removeFilesOlderThan).mockRejectedValue(new Error('Could not remove the old files; try again.'))
    const { wrapper } = await open()
    await wrapper.get('[data-testid="storage-remove"]').trigger('click')
    await wrapper.get('[data-testid="storage-remove-confirm"]').trigger('click')
    await flushPromises()
    const error = wrapper.get('[data-testid="storage-remove-error"]')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toContain('Could not remove the old files')
    expect(wrapper.get('[data-testid="storage-removed"]').text()).toBe('')
  })

  it('warns when files take all their space', async () => {
    vi.mocked(api.filesUsage).mockResolvedValue({ used: 5 * GB, cap: 5 * GB, files: 1 })
    const { wrapper } = await open()
    expect(wrapper.get('[data-testid="storage-files"]').text()).toBe('1 file is on this computer.')
    expect(wrapper.get('[data-testid="storage-full"]').text()).toContain('downloads wait')
  })

  it('closes on Done', async () => {
    const { wrapper } = await open()
    await wrapper.get('[data-testid="storage-done"]').trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(1)
  })
})
