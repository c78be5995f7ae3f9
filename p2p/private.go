package p2p

import (
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"

	"parley/wire"
)

// AdmitToRoom sets the peers a private room's membership log lists: from
// now on only they count as its members, however many hold its secret. It
// may come before Join (the room is then private from the start) and is
// called again at every change of the log. A peer that stops being a
// member is sent nothing more of the room: its GossipSub streams are
// reset, so that its subscription is refused and it leaves the room's
// mesh. (Its owner tells it of its removal apart: OnOutsider.)
func (n *Node) AdmitToRoom(room wire.RoomID, peers []peer.ID) {
	joined, left, reannounce := n.trust.admit(room, peers)
	for _, p := range joined {
		n.proven(p, []wire.RoomID{room}, nil, slices.Contains(reannounce, p))
		n.hello.Hello(p) // now a fellow member, it may hear who we are
	}
	for _, p := range left {
		n.proven(p, nil, []wire.RoomID{room}, false)
		n.repair.resetGossipStreams(p)
		if n.opts.OnOutsider != nil {
			n.opts.OnOutsider(p, room)
		}
	}
}

// RoomHolders lists the connected peers that prove they hold a joined
// room's secret, whether or not its log admits them: those a newcomer
// holding an invitation asks to let it in.
func (n *Node) RoomHolders(room wire.RoomID) []peer.ID { return n.trust.holders(room) }
