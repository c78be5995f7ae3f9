package main

import (
	"encoding/json"
	"io"
	"sync"
)

// anchorName marks every line, as each anchor marks its own.
const anchorName = "parley"

// stepLine is one rate step (stderr, kind "step"). Field names and
// meanings are the anchors'; server_* and clients_* are null (no server:
// the members are the clients). The second block is Parley's own.
type stepLine struct {
	Kind              string   `json:"kind"`
	Anchor            string   `json:"anchor"`
	N                 int      `json:"n"`
	Step              int64    `json:"step"`
	RateTarget        float64  `json:"rate_target"`
	RateSent          *float64 `json:"rate_sent"`
	SendFrac          *float64 `json:"send_frac"`
	SendLagMsP99      *float64 `json:"send_lag_ms_p99"`
	MeasureS          float64  `json:"measure_s"`
	Sent              int      `json:"sent"`
	Skipped           int      `json:"skipped"`
	PubErrors         int      `json:"pub_errors"`
	Expected          int      `json:"expected"`
	Delivered         int      `json:"delivered"`
	DeliveryRatio     *float64 `json:"delivery_ratio"`
	DeliveriesPerS    *float64 `json:"deliveries_per_s"`
	LatMsP50          *float64 `json:"lat_ms_p50"`
	LatMsP90          *float64 `json:"lat_ms_p90"`
	LatMsP95          *float64 `json:"lat_ms_p95"`
	LatMsP99          *float64 `json:"lat_ms_p99"`
	LatMsMax          *float64 `json:"lat_ms_max"`
	CPUS              *float64 `json:"cpu_s"`
	ServerCPUS        *float64 `json:"server_cpu_s"`
	ClientsCPUS       *float64 `json:"clients_cpu_s"`
	CPUUsPerDelivery  *float64 `json:"cpu_us_per_delivery"`
	TotalRSSMB        float64  `json:"total_rss_mb"`
	ServerRSSMB       *float64 `json:"server_rss_mb"`
	ClientsRSSMB      *float64 `json:"clients_rss_mb"`
	StepWallS         *float64 `json:"step_wall_s"`
	OtherProcsCPUFrac *float64 `json:"other_procs_cpu_frac"`
	Healthy           bool     `json:"healthy"`
	Reason            *string  `json:"reason"`

	HarnessCPUS             *float64 `json:"harness_cpu_s"`
	CPUUsPerDeliveryHarness *float64 `json:"cpu_us_per_delivery_with_harness"`
	HarnessRSSMB            float64  `json:"harness_rss_mb"`
	RSSMBPerNode            float64  `json:"rss_mb_per_node"`
	SendHTTPMsP50           *float64 `json:"send_http_ms_p50"`
	SendHTTPMsP99           *float64 `json:"send_http_ms_p99"`
	UnsentAtEnd             int      `json:"unsent_at_end"`
	InflightAtEnd           int64    `json:"inflight_at_end"`
	LaggedEvents            int64    `json:"lagged_events"`
	DupEvents               int64    `json:"dup_events"`
	ArrivedEvents           int64    `json:"arrived_events"`
	LastSendError           string   `json:"last_send_error,omitempty"`
	NodesAlive              int      `json:"nodes_alive"`
	MissingSamples          []string `json:"missing_samples,omitempty"`
}

// scenarioLine is one scenario (stdout). The first block has the anchors'
// names and meanings; the rest is Parley's own.
type scenarioLine struct {
	Kind                  string             `json:"kind"`
	Anchor                string             `json:"anchor"`
	Stack                 string             `json:"stack"`
	Transport             string             `json:"transport"`
	Topology              string             `json:"topology"`
	N                     int                `json:"n"`
	PayloadBytes          int                `json:"payload_bytes"`
	MsgBytes              int                `json:"msg_bytes"`
	Health                health             `json:"health"`
	BaseRate              float64            `json:"base_rate_msgs_per_s"`
	LatMsP50              *float64           `json:"lat_ms_p50"`
	LatMsP90              *float64           `json:"lat_ms_p90"`
	LatMsP95              *float64           `json:"lat_ms_p95"`
	LatMsP99              *float64           `json:"lat_ms_p99"`
	LatMsMax              *float64           `json:"lat_ms_max"`
	DeliveryRatio         *float64           `json:"delivery_ratio"`
	BaseCPUUsPerDelivery  *float64           `json:"base_cpu_us_per_delivery"`
	SatRate               *float64           `json:"sat_rate_msgs_per_s"`
	SatDeliveriesPerS     *float64           `json:"sat_deliveries_per_s"`
	SatDeliveryRatio      *float64           `json:"sat_delivery_ratio"`
	SatLatMsP50           *float64           `json:"sat_lat_ms_p50"`
	SatLatMsP90           *float64           `json:"sat_lat_ms_p90"`
	SatLatMsP95           *float64           `json:"sat_lat_ms_p95"`
	SatLatMsP99           *float64           `json:"sat_lat_ms_p99"`
	SatLatMsMax           *float64           `json:"sat_lat_ms_max"`
	SatCPUUsPerDelivery   *float64           `json:"sat_cpu_us_per_delivery"`
	BreakRate             *float64           `json:"break_rate_msgs_per_s"`
	BreakReason           string             `json:"break_reason"`
	BreakDeliveriesPerS   *float64           `json:"break_deliveries_per_s"`
	BreakDeliveryRatio    *float64           `json:"break_delivery_ratio"`
	BreakLatMsP99         *float64           `json:"break_lat_ms_p99"`
	MaxDeliveriesPerSSeen *float64           `json:"max_deliveries_per_s_seen"`
	IdleCPUCores          *float64           `json:"idle_cpu_cores"`
	IdleTotalRSSMB        float64            `json:"idle_total_rss_mb"`
	TotalRSSMB            float64            `json:"total_rss_mb"`
	ServerRSSMB           *float64           `json:"server_rss_mb"`
	IdleServerRSSMB       *float64           `json:"idle_server_rss_mb"`
	ClientsRSSMB          *float64           `json:"clients_rss_mb"`
	CPUS                  *float64           `json:"cpu_s"`
	ServerCPUS            *float64           `json:"server_cpu_s"`
	ClientsCPUS           *float64           `json:"clients_cpu_s"`
	Steps                 int                `json:"steps"`
	Cores                 int                `json:"cores"`
	Loadavg1m             *float64           `json:"loadavg_1m"`
	SetupS                *float64           `json:"setup_s"`
	OtherProcsCPUFracMean *float64           `json:"other_procs_cpu_frac_mean"`
	Graph                 map[string]float64 `json:"graph"`

	Parley                   map[string]string `json:"parley"`
	StartS                   *float64          `json:"start_s"`
	MeshReadyS               *float64          `json:"mesh_ready_s"`
	MeshWaitTimedOut         bool              `json:"mesh_wait_timed_out"`
	IdleS                    float64           `json:"idle_s"`
	IdleRSSMBPerNode         float64           `json:"idle_rss_mb_per_node"`
	IdleRSSMBNodes           []float64         `json:"idle_rss_mb_nodes"`
	IdleHarnessRSSMB         float64           `json:"idle_harness_rss_mb"`
	RSSMBPerNode             float64           `json:"rss_mb_per_node"`
	HarnessCPUS              *float64          `json:"harness_cpu_s"`
	HarnessRSSMB             float64           `json:"harness_rss_mb"`
	SatCPUUsPerDeliveryHarn  *float64          `json:"sat_cpu_us_per_delivery_with_harness"`
	BaseCPUUsPerDeliveryHarn *float64          `json:"base_cpu_us_per_delivery_with_harness"`
	SendWorkersPerNode       int               `json:"send_workers_per_node"`
	MsgsSent                 int64             `json:"msgs_sent_total"`
	SendErrors               int64             `json:"send_errors_total"`
	LastSendError            string            `json:"last_send_error,omitempty"`
	LaggedEvents             int64             `json:"lagged_events_total"`
	DupEvents                int64             `json:"dup_events_total"`
	ArrivedEvents            int64             `json:"arrived_events_total"`
	LateDeliveries           int64             `json:"late_deliveries"`
	LateMaxMs                *float64          `json:"late_lat_ms_max"`
	LateSamples              []string          `json:"late_samples,omitempty"`
	EndDeliveryRatio         *float64          `json:"end_delivery_ratio"`
	EventualDeliveryRatio    *float64          `json:"eventual_delivery_ratio"`
	EventualConvergeS        *float64          `json:"eventual_converge_s"`
	EventualWaitS            float64           `json:"eventual_wait_s"`
	EventualMissing          int64             `json:"eventual_missing_deliveries"`
	EventualEventRatio       *float64          `json:"eventual_event_delivery_ratio"`
	EndCounts                []int             `json:"end_message_counts"`
	EventualCounts           []int             `json:"eventual_message_counts"`
	// Memory after the sweep: the nodes' summed RSS after-s seconds after
	// the last step ended, per node and as a multiple of idle, and how
	// long after the sweep the sum first fell within 1.5x of idle.
	AfterS            float64   `json:"rss_after_overload_s"`
	RSSAfterMBPerNode *float64  `json:"rss_after_overload_mb_per_node"`
	RSSAfterMBNodes   []float64 `json:"rss_after_overload_mb_nodes,omitempty"`
	RSSAfterVsIdle    *float64  `json:"rss_after_overload_vs_idle"`
	RSSWithin15xIdleS *float64  `json:"rss_within_1_5x_idle_after_s"`
	NodesAliveAtEnd   int       `json:"nodes_alive_at_end"`
	LogWarnLines      int       `json:"node_log_warn_lines"`
	LogErrorLines     int       `json:"node_log_error_lines"`
	LogSamples        []string  `json:"node_log_samples,omitempty"`
	WSErrors          []string  `json:"ws_errors,omitempty"`
	DataDir           string    `json:"data_dir,omitempty"`
	ProfileDir        string    `json:"profile_dir,omitempty"`
	// -hosts, -seed-msgs and -late-join (bench/scale.sh)
	NetworkNamespaces bool          `json:"network_namespaces"`
	SeededMsgs        int           `json:"seeded_msgs"`
	LateJoin          *lateJoinLine `json:"late_join,omitempty"`
}

// emitter writes JSON lines: scenarios to out, everything else to log.
type emitter struct {
	mu  sync.Mutex
	out io.Writer
	log io.Writer
}

func (e *emitter) write(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"kind": "error", "anchor": anchorName, "error": err.Error()})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = w.Write(append(b, '\n'))
}

func (e *emitter) scenario(s *scenarioLine) { e.write(e.out, s) }
func (e *emitter) step(s *stepLine)         { e.write(e.log, s) }

// note writes a line of the given kind (setup, eventual, warning, error) to log.
func (e *emitter) note(kind string, n int, fields map[string]any) {
	fields["kind"], fields["anchor"], fields["n"] = kind, anchorName, n
	e.write(e.log, fields)
}
