import type { Me, Member, Message, Room, Status } from '@/api'

export const me: Me = {
  peerId: '12D3KooWExamplePeerIdentity0000000000000000abcd1234',
  shortId: 'abcd1234',
  name: 'Ada',
  addrs: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExamplePeerIdentity0000000000000000abcd1234'],
}

export const roomId = 'aa'.repeat(32)

let seq = 0

/** A message from peer `author` in the fixture room, later than every earlier one. */
export function message(text: string, author = 'peer-b', mine = false): Message {
  seq++
  return {
    id: seq.toString(16).padStart(64, '0'),
    room: roomId,
    author,
    authorShort: author.slice(-8),
    authorName: mine ? 'Ada' : 'Bob',
    time: String(1_000_000 + seq).padStart(20, '0'),
    sentAt: 1_700_000_000_000 + seq,
    text,
    mine,
    kind: 'text',
    reactions: [],
    edited: false,
    deleted: false,
    mentionsMe: false,
  }
}

export function member(name: string, online: boolean): Member {
  return { peerId: `peer-${name}`, shortId: name.slice(0, 8), name, online, me: false, via: online ? 'lan' : '', transport: online ? 'quic' : '', presence: online ? 'online' : 'offline', lastSeen: 0, role: '' }
}

/** A node's status: LAN mode, nobody connected, unless overridden. */
export function status(over: Partial<Status> = {}): Status {
  return { peerId: me.peerId, network: 'lan', peers: 0, mdns: true, addrs: [], reachability: 'unknown', relays: [], natType: '', helper: false, restricted: false, proxy: { mode: 'system', url: '', credentials: false }, wss: null, rejected: 0, version: '0.4.0', throttled: [], throttledTotal: 0, throttledPeers: [], limits: { authorMessages: 0, peerMessages: 0, peerBytes: 0, syncsLimited: 0, syncsBusy: 0 }, ...over }
}

/** A joined room with nothing unread, unless overridden. */
export function room(over: Partial<Room> = {}): Room {
  return { id: roomId, name: 'r', topic: '', notify: 'all', unread: 0, mentions: 0, undelivered: 0, lastRead: '', lastActivity: 0, nearby: false, legacy: false, private: false, direct: false, myRole: '', pending: false, removed: false, request: false, ...over }
}
