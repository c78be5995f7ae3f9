import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, errorText } from '@/api'

/**
 * A file waiting in a room's composer: bytes from a paste or a browser's
 * picker, or a path from the desktop window's picker or a drop.
 */
export interface Attachment {
  key: number
  name: string
  size: number
  blob?: Blob
  path?: string
  /** Over the limit: the sentence that says so; it is never sent. */
  tooLarge?: string
}

export type NewAttachment = Omit<Attachment, 'key' | 'tooLarge'>

/** The node's default largest file, until its own limit is known. */
const defaultMaxMiB = 100

/** A size as the node words its limit: MB of 1,048,576 bytes, rounded. */
function megabytes(n: number): string {
  return `${Math.round(n / 2 ** 20)} MB`
}

/**
 * The files each room's composer holds until sent. Each goes as a message
 * of its own, the caption with the first; one over the limit is refused
 * here, before a byte is sent.
 */
export const useAttachmentsStore = defineStore('attachments', () => {
  const byRoom = ref<Record<string, Attachment[]>>({})
  let nextKey = 1
  let maxMiB = defaultMaxMiB

  function of(roomId: string): readonly Attachment[] {
    return byRoom.value[roomId] ?? []
  }

  async function add(roomId: string, files: readonly NewAttachment[]): Promise<void> {
    if (files.length === 0) return
    maxMiB = await api.fileLimits().then(
      (l) => l.maxFileMiB,
      () => maxMiB,
    )
    const limit = maxMiB * 2 ** 20
    const added = files.map((f) => ({
      ...f,
      key: nextKey++,
      tooLarge: f.size > limit ? `This file is ${megabytes(f.size)}; the limit is ${megabytes(limit)}.` : undefined,
    }))
    byRoom.value[roomId] = [...of(roomId), ...added]
  }

  function remove(roomId: string, key: number): void {
    byRoom.value[roomId] = of(roomId).filter((a) => a.key !== key)
  }

  function clear(roomId: string): void {
    delete byRoom.value[roomId]
  }

  /**
   * Sends the room's files, one message each, the caption with the first;
   * each leaves the composer once sent. A failure stops there, keeps what
   * is left, and rejects with a sentence naming the file. Files over the
 * limit go with the rest, unsent.
   */
  async function send(roomId: string, caption: string): Promise<void> {
    let text = caption
    for (const a of of(roomId).filter((x) => !x.tooLarge)) {
      try {
        if (a.path !== undefined && api.desktop) await api.desktop.shareFile(roomId, a.path, text)
        else if (a.blob) await api.sendFile(roomId, a.blob, a.name, text)
      } catch (err) {
        throw new Error(`${a.name} was not sent: ${errorText(err)}`)
      }
      text = ''
      remove(roomId, a.key)
    }
    clear(roomId) // what is left was over the limit, and was said so
  }

  return { byRoom, of, add, remove, clear, send }
})
