import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Helper, type Peer, type ProxyMode, type ProxySetting, type Status, type SyncProgress } from '@/api'
import { newestOnly } from './newest'

/**
 * A sync that has said nothing for this long is taken as over: its last
 * event was lost (the event stream lagged or dropped), and a "Syncing…"
 * line must never stay up for good.
 */
export const syncSilenceMs = 10_000

/** What a node from before the proxy setting uses: the system's. */
const systemProxy: ProxySetting = { mode: 'system', url: '', credentials: false }

/**
 * A status with every field set: Go sends an empty relay list as null, and
 * a node from before internet mode sends no reachability at all (nor one
 * from before secure WebSocket a proxy setting).
 */
function withDefaults(s: Status): Status {
  return {
    ...s,
    reachability: s.reachability ?? 'unknown',
    relays: s.relays ?? [],
    natType: s.natType ?? '',
    helper: s.helper ?? false,
    restricted: s.restricted ?? false,
    proxy: s.proxy ?? systemProxy,
    wss: s.wss ?? null,
  }
}

/** The network state the status bar shows. */
export const useStatusStore = defineStore('status', () => {
  const status = ref<Status | null>(null)
  const peers = ref<Peer[]>([])
  const helpers = ref<Helper[]>([])
  /** The web UI lost its node (the event socket closed): nothing on screen is current. */
  const nodeLost = ref(false)

  const load = newestOnly(
    () => Promise.all([api.status(), api.peers(), api.helpers()]),
    ([s, p, h]) => {
      status.value = withDefaults(s)
      peers.value = p
      helpers.value = h.map((x) => ({ ...x, rooms: x.rooms ?? [], roomNames: x.roomNames ?? [] }))
    },
  )

  /** Sessions still running, by room and peer. */
  const syncs = ref<Record<string, SyncProgress>>({})
  /** When each running session last reported, by the same key. */
  const heard = new Map<string, number>()
  let sweep: ReturnType<typeof setTimeout> | undefined

  function syncProgress(p: SyncProgress): void {
    const key = `${p.room}/${p.peerId}`
    if (p.done) {
      delete syncs.value[key]
      heard.delete(key)
      return
    }
    syncs.value[key] = p
    heard.set(key, Date.now())
    sweep ??= setTimeout(dropSilent, syncSilenceMs)
  }

  function dropSilent(): void {
    sweep = undefined
    const now = Date.now()
    for (const [key, at] of heard) {
      if (now - at < syncSilenceMs) continue
      delete syncs.value[key]
      heard.delete(key)
    }
    if (heard.size > 0) sweep = setTimeout(dropSilent, syncSilenceMs / 2)
  }

  /** Forgets every session: after events were missed, running ones report again. */
  function clearSyncs(): void {
    syncs.value = {}
    heard.clear()
    clearTimeout(sweep)
    sweep = undefined
  }

  /**
   * Saves the proxy setting and shows it at once; the status event the
   * node sends after it brings the rest.
   */
  async function setProxy(mode: ProxyMode, url: string): Promise<ProxySetting> {
    const proxy = await api.setProxy(mode, url)
    if (status.value) status.value = { ...status.value, proxy }
    return proxy
  }

  function setNodeLost(lost: boolean): void {
    nodeLost.value = lost
    // Whoever was connected through the node is not, as far as anyone can tell.
    if (lost) peers.value = []
  }

  return {
    status: readonly(status),
    peers: readonly(peers),
    helpers: readonly(helpers),
    syncs: readonly(syncs),
    nodeLost: readonly(nodeLost),
    load,
    syncProgress,
    clearSyncs,
    setNodeLost,
    setProxy,
  }
})
