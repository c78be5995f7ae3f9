import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { FileInfo } from '@/api'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { fetchFile: vi.fn(), cancelFetch: vi.fn(), removeFile: vi.fn(), fileURL: vi.fn((hash: string) => `/api/files/${hash}`) },
}))

import { api } from '@/api'
import FileCard from './FileCard.vue'

const file = (over: Partial<FileInfo> = {}): FileInfo => ({
  hash: 'ab'.repeat(32),
  name: 'report.pdf',
  size: 5 * 1024 * 1024,
  mime: 'application/pdf',
  width: 0,
  height: 0,
  state: 'missing',
  have: 0,
  ...over,
})

describe('FileCard', () => {
  enableAutoUnmount(afterEach)
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.fetchFile).mockReset()
    vi.mocked(api.cancelFetch).mockReset()
  })

  it('offers a file not here yet for download, and says why it failed', async () => {
    vi.mocked(api.fetchFile).mockRejectedValue(new Error('No room you are in shares that file.'))
    const w = mount(FileCard, { props: { file: file(), tabbable: true } })
    expect(w.get('[data-testid="file-name"]').text()).toBe('report.pdf')
    expect(w.text()).toContain('5 MB')
    await w.get('[data-testid="file-download"]').trigger('click')
    await flushPromises()
    expect(api.fetchFile).toHaveBeenCalledWith('ab'.repeat(32))
    expect(w.get('[role="alert"]').text()).toBe('No room you are in shares that file.')
  })

  it('shows a download under way, and stops it', async () => {
    const w = mount(FileCard, { props: { file: file({ state: 'fetching', have: 1024 * 1024 }), tabbable: true } })
    expect(w.get('progress').attributes('value')).toBe('20')
    expect(w.text()).toContain('1 MB of 5 MB')
    await w.get('button').trigger('click')
    expect(api.cancelFetch).toHaveBeenCalled()
  })

  it('opens and saves a complete file, and says when one is too large to download', async () => {
    const opened = vi.spyOn(window, 'open').mockReturnValue(null)
    const done = mount(FileCard, { props: { file: file({ state: 'complete', have: 5 * 1024 * 1024 }), tabbable: false } })
    const save = done.get('[data-testid="file-save"]')
    expect(save.attributes('href')).toBe(`/api/files/${'ab'.repeat(32)}`)
    expect(save.attributes('download')).toBe('report.pdf')
    expect(save.attributes('tabindex')).toBe('-1')
    await done.get('[data-testid="file-open"]').trigger('click')
    expect(opened).toHaveBeenCalledWith(`/api/files/${'ab'.repeat(32)}`, '_blank', 'noopener,noreferrer')
    opened.mockRestore()
    const big = mount(FileCard, { props: { file: file({ state: 'tooLarge' }), tabbable: true } })
    expect(big.text()).toContain('Too large to download on this computer')
    expect(big.find('[data-testid="file-download"]').exists()).toBe(false)
  })

  it("shows an image's preview, sized to its shape and never past its own size", () => {
    const w = mount(FileCard, { props: { file: file({ mime: 'image/png', width: 1200, height: 600, preview: 'data:image/jpeg;base64,AAAA' }), tabbable: true } })
    const img = w.get('[data-testid="file-preview"]')
    expect(img.attributes('src')).toBe('data:image/jpeg;base64,AAAA')
    expect([img.attributes('width'), img.attributes('height')]).toEqual(['240', '120'])
    const small = mount(FileCard, { props: { file: file({ mime: 'image/png', width: 64, height: 48, preview: 'data:image/jpeg;base64,AAAA' }), tabbable: true } })
    const own = small.get('[data-testid="file-preview"]')
    expect([own.attributes('width'), own.attributes('height')]).toEqual(['64', '48']) // never blown up
  })

  it('asks before opening a program, and opens it only when told to', async () => {
    const opened = vi.spyOn(window, 'open').mockReturnValue(null)
    const w = mount(FileCard, { props: { file: file({ name: 'setup.exe', mime: 'application/x-msdownload', state: 'complete' }), tabbable: true } })
    await w.get('[data-testid="file-open"]').trigger('click')
    expect(opened).not.toHaveBeenCalled()
    expect(w.get('[data-testid="file-ask"]').text()).toContain('setup.exe is a program or script')
    await w.get('[data-testid="file-open-anyway"]').trigger('click')
    expect(opened).toHaveBeenCalledTimes(1)
    opened.mockRestore()
  })

  it('keeps a removed file\'s message with Download again, and says when storage is full', async () => {
    const gone = mount(FileCard, { props: { file: file({ removed: true }), tabbable: true } })
    expect(gone.get('[data-testid="file-removed"]').text()).toContain('File removed from this computer')
    expect(gone.get('[data-testid="file-download"]').text()).toBe('Download again')
    const full = mount(FileCard, { props: { file: file({ state: 'paused', have: 1024, full: true }), tabbable: true } })
    expect(full.get('[data-testid="file-full"]').text()).toContain('all the space allowed')
    const here = mount(FileCard, { props: { file: file({ state: 'complete' }), tabbable: true } })
    await here.get('[data-testid="file-remove"]').trigger('click')
    expect(api.removeFile).toHaveBeenCalledWith('ab'.repeat(32))
  })
})
