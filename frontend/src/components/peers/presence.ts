// Presence and connections in plain words, shared by the member list, the
// profile card and the connection details.
import type { Member, PeerWhy, Via } from '@/api'

/** How an online peer is connected, in words, and a sentence more for a tooltip. */
export const connections: Record<Exclude<Via, ''>, { text: string; detail: string }> = {
  local: { text: 'On this computer', detail: 'Another Parley running on this computer.' },
  lan: { text: 'On your network', detail: 'Connected over your local network.' },
  direct: { text: 'Direct', detail: 'Connected directly over the internet.' },
  holepunched: {
    text: 'Direct (through your router)',
    detail: 'Connected directly over the internet, through an opening your router made for this connection.',
  },
  relayed: {
    text: 'Through a relay',
    detail: 'Connected through a relay, which passes the encrypted connection on without reading it.',
  },
}

/** Why this node is connected to a peer, in words, and a sentence more for a tooltip. */
export const reasons: Record<PeerWhy, { text: string; detail: string }> = {
  member: { text: 'In a room with you', detail: 'A member of a room you are in.' },
  nearby: { text: 'Found on your network', detail: 'Found on your local network.' },
  helper: { text: 'Helper', detail: 'A helper node this Parley uses to reach others.' },
  kept: { text: 'Remembered from before', detail: 'Someone you were connected to before, from a room or an invite link.' },
  relay: { text: 'Setting up a direct connection', detail: 'Reached you through a relay, to connect directly.' },
  dht: { text: 'Helps find rooms', detail: 'Part of the network that helps Parleys find each other’s rooms.' },
}

/** The connection of a member who is online, or undefined. */
export function connectionOf(m: Member): { text: string; detail: string } | undefined {
  return m.presence !== 'offline' && m.online && m.via ? connections[m.via] : undefined
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or a date. */
export function ago(ms: number, now = Date.now()): string {
  const minutes = Math.floor((now - ms) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.floor(hours / 24)
  if (days === 1) return 'yesterday'
  if (days < 7) return `${days} days ago`
  return `on ${new Date(ms).toLocaleDateString([], { month: 'short', day: 'numeric', year: 'numeric' })}`
}

/** A member's presence in words: "online", "away", "last seen 3 h ago", "offline". */
export function presenceText(m: Member, now = Date.now()): string {
  const presence = m.presence ?? (m.online ? 'online' : 'offline')
  if (presence === 'online') return 'online'
  if (presence === 'away') return 'away'
  return m.lastSeen > 0 ? `last seen ${ago(m.lastSeen, now)}` : 'offline'
}

/** online, away or offline, for a member from a node that may not say. */
export function presenceOf(m: Member): Member['presence'] {
  return m.presence ?? (m.online ? 'online' : 'offline')
}
