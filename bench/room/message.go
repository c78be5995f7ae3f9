package main

import "strings"

// bodyBytes is the size of the filler every message carries, as in the anchors.
const bodyBytes = 200

// body is the filler: 200 bytes of plain ASCII.
var body = strings.Repeat("parley room benchmark filler text, ", 8)[:bodyBytes]

// Phases of a step: warm-up messages are sent but not counted.
const (
	phaseWarmup  = 0
	phaseMeasure = 1
)

// chatMsg is the text of every message sent: the sender's index, a sequence
// number unique over the run, the step, the phase, the send time (ns on the
// harness clock, taken just before the Send call) and the filler. The field
// names are the anchors'.
type chatMsg struct {
	S  int    `json:"s"`
	Q  int64  `json:"q"`
	St int64  `json:"st"`
	Ph int    `json:"ph"`
	T  int64  `json:"t"`
	B  string `json:"b"`
}
