package p2p

import (
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Peer scoring: a peer that sends invalid messages loses score quickly and,
// past the thresholds, stops receiving gossip, then is ignored. Honest peers
// sit at zero. IP colocation is not penalised: a LAN or a test machine puts
// many honest peers behind one address.
//
// app is the node's own judgement of a peer, added as is: a peer flooding
// the room with its own messages, or passing on more than a peer's share
// (peerlimit.go), gets floodPenalty, below the graylist threshold, so its
// traffic is dropped before any signature is checked.
// (Not a Reject from the validator: GossipSub would also count that against
// every honest peer that passed a copy on within its own budget.)
func peerScoreParams(app func(peer.ID) float64) *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		SkipAtomicValidation:   true,
		AppSpecificScore:       app,
		AppSpecificWeight:      1,
		Topics:                 map[string]*pubsub.TopicScoreParams{}, // filled in as rooms are joined
		BehaviourPenaltyWeight: -1,
		BehaviourPenaltyDecay:  0.9,
		DecayInterval:          time.Second,
		DecayToZero:            0.01,
		RetainScore:            10 * time.Minute,
	}
}

func topicScoreParams() *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		SkipAtomicValidation:           true,
		TopicWeight:                    1,
		TimeInMeshQuantum:              time.Second, // unused (weight 0), but the score divides by it
		InvalidMessageDeliveriesWeight: -1,          // squared: 10 invalid messages = -100
		InvalidMessageDeliveriesDecay:  0.99,
	}
}

// floodPenalty is the app-specific score of a peer flooding a room: well
// below GraylistThreshold.
const floodPenalty = -1000

func peerScoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		SkipAtomicValidation:        true,
		GossipThreshold:             -100,
		PublishThreshold:            -200,
		GraylistThreshold:           -400,
		AcceptPXThreshold:           10,
		OpportunisticGraftThreshold: 5,
	}
}

// graylisted reports whether the node's own judgement puts a peer below
// GossipSub's graylist.
func (ls *limitService) graylisted(id peer.ID) bool {
	return ls.score(id) < peerScoreThresholds().GraylistThreshold
}
