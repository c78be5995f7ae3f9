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
func peerScoreParams() *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		SkipAtomicValidation:   true,
		AppSpecificScore:       func(peer.ID) float64 { return 0 },
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
