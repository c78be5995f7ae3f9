package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// The phases of a chat run, in order.
const (
	phaseBaseline = iota
	phaseFlood
	phaseSettle
	phases
)

var phaseNames = [phases]string{"baseline", "flood", "settle"}

// node is one honest member as the driver reaches it.
type node struct {
	name, url, token string
	pid              int
	peerID           string

	// Filled in as the run goes: when each honest message arrived here
	// (by its number), and counters of the event stream.
	mu      sync.Mutex
	arrived map[int]time.Time
	// found counts honest messages whose arrival was not announced one by
	// one (a batch of more than a few is one "arrived" event) and was
	// timed by a Search instead.
	found       int
	batches     atomic.Int64
	floodEvents atomic.Int64
	lagged      atomic.Int64
	rssPeak     [phases]int64 // KiB
	rssLast     int64
	cpuAt       [phases + 1]float64 // CPU seconds used when each phase began, and at the end
}

// sent is one honest message.
type sent struct {
	from  int
	phase int
	at    time.Time
	id    string
	err   error
}

// chatReport is what flood chat prints.
type chatReport struct {
	Nodes      []nodeReport           `json:"nodes"`
	Rate       float64                `json:"rate"`
	Phases     map[string]phaseReport `json:"phases"`
	HonestSent int                    `json:"honestSent"`
	SendErrors int                    `json:"sendErrors"`
	// AllDelivered: every honest message is in every honest node's history.
	AllDelivered bool `json:"allDelivered"`
	// SettleSeconds is how long after the flood phase every honest
	// message had reached every node (by events, else by History).
	SettleSeconds float64 `json:"settleSeconds"`
	Error         string  `json:"error,omitempty"`
}

type phaseReport struct {
	Seconds float64 `json:"seconds"`
	Sent    int     `json:"sent"`
	// Samples are (message, receiving node) pairs timed, of Expected;
	// latencies are from the Send call to the event that announced the
	// message, or to the Search that found it after a batch.
	Samples  int     `json:"samples"`
	Expected int     `json:"expected"`
	P50Ms    float64 `json:"p50Ms"`
	P99Ms    float64 `json:"p99Ms"`
	MaxMs    float64 `json:"maxMs"`
}

type nodeReport struct {
	Name   string `json:"name"`
	PeerID string `json:"peerId"`
	// Peak RSS in each phase, and at the end, in MiB.
	RSSBaselineMiB float64 `json:"rssBaselineMiB"`
	RSSFloodMiB    float64 `json:"rssFloodMiB"`
	RSSSettleMiB   float64 `json:"rssSettleMiB"`
	RSSEndMiB      float64 `json:"rssEndMiB"`
	// CPU seconds (user + system) used in each phase.
	CPUBaselineS float64 `json:"cpuBaselineS"`
	CPUFloodS    float64 `json:"cpuFloodS"`
	CPUSettleS   float64 `json:"cpuSettleS"`
	// From its History at the end: messages held, honest ones missing, and
	// messages by authors that are none of the honest nodes (the flooder).
	MessageCount    int `json:"messageCount"`
	Missing         int `json:"missing"`
	FlooderAccepted int `json:"flooderAccepted"`
	// Event stream: flooder messages announced one by one, batches
	// announced as one "arrived" event, lagged events, and honest messages
	// timed by a Search after a batch (not announced one by one).
	FloodEvents int64 `json:"floodEvents"`
	Batches     int64 `json:"batches"`
	Lagged      int64 `json:"lagged"`
	FoundLater  int   `json:"foundLater"`
}

type chatOptions struct {
	nodesFile string
	room      string
	rate      float64
	baseline  time.Duration
	flood     time.Duration
	settle    time.Duration
	startFile string
	size      int
	detail    string
}

func runChat(args []string) error {
	fs := flag.NewFlagSet("flood chat", flag.ExitOnError)
	var o chatOptions
	fs.StringVar(&o.nodesFile, "nodes", "", "file with one honest node per line: NAME API-URL TOKEN-FILE PID")
	fs.StringVar(&o.room, "room", "", "room ID (hex), joined on every node")
	fs.Float64Var(&o.rate, "rate", 5, "honest messages per second, all nodes together, in turn")
	fs.DurationVar(&o.baseline, "baseline", 15*time.Second, "length of the phase without a flood")
	fs.DurationVar(&o.flood, "flood", 20*time.Second, "length of the phase with the flood")
	fs.DurationVar(&o.settle, "settle", 30*time.Second, "longest wait after the flood for every honest message to arrive everywhere")
	fs.StringVar(&o.startFile, "start-file", "", "file to create when the flood phase begins (the flooder's signal)")
	fs.IntVar(&o.size, "size", 200, "bytes of text per message")
	fs.StringVar(&o.detail, "detail", "", "file to write each honest message's latencies to, one JSON line per message")
	_ = fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := chat(ctx, o)
	if err != nil {
		rep.Error = err.Error()
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	return err
}

func readNodes(file string) ([]*node, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var nodes []*node
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 4 {
			return nil, fmt.Errorf("%s: want NAME API-URL TOKEN-FILE PID, got %q", file, sc.Text())
		}
		token, err := os.ReadFile(fields[2])
		if err != nil {
			return nil, err
		}
		pid, err := strconv.Atoi(fields[3])
		if err != nil {
			return nil, fmt.Errorf("%s: pid %q: %w", file, fields[3], err)
		}
		nodes = append(nodes, &node{name: fields[0], url: strings.TrimSuffix(fields[1], "/"),
			token: strings.TrimSpace(string(token)), pid: pid, arrived: map[int]time.Time{}})
	}
	if len(nodes) < 2 {
		return nil, fmt.Errorf("%s: want at least 2 nodes", file)
	}
	return nodes, sc.Err()
}

var client = &http.Client{Timeout: 30 * time.Second}

// call posts a method to a node's API and decodes the result into out.
func (n *node) call(ctx context.Context, method string, out any, args ...any) error {
	if args == nil {
		args = []any{} // no arguments is [], not null
	}
	body, err := json.Marshal(args)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url+"/api/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", n.name, method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", n.name, method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", n.name, method, resp.Status, bytes.TrimSpace(data))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// honestPrefix starts every honest message's text, followed by its number.
const honestPrefix = "honest "

var (
	honestMark  = []byte(`"text":"` + honestPrefix)
	floodMark   = []byte(`"text":"flood `)
	laggedMark  = []byte(`"name":"lagged"`)
	arrivedMark = []byte(`"name":"arrived"`)
)

// watch reads a node's event stream until ctx ends, noting when each
// honest message arrives. Only frames that carry a message are decoded.
// A batch announced as one "arrived" event (or a lagged stream) has the
// node searched for honest messages: those found that were not announced
// one by one count as arrived when the search answered, a bound from above.
func (n *node) watch(ctx context.Context, room string, ready chan<- error) {
	lookups := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-lookups:
			}
			var found []struct {
				Text string `json:"text"`
			}
			if n.call(ctx, "Search", &found, strings.TrimSpace(honestPrefix), room, 200) != nil {
				continue
			}
			at := time.Now()
			n.mu.Lock()
			for _, m := range found {
				if seq, ok := honestSeq(m.Text); ok {
					if _, seen := n.arrived[seq]; !seen {
						n.arrived[seq] = at
						n.found++
					}
				}
			}
			n.mu.Unlock()
		}
	}()
	wsURL := "ws" + strings.TrimPrefix(n.url, "http") + "/api/events"
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + n.token}}})
	ready <- err
	if err != nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		at := time.Now()
		switch {
		case bytes.Contains(data, honestMark):
			var ev struct {
				Name string `json:"name"`
				Data struct {
					Text string `json:"text"`
				} `json:"data"`
			}
			if json.Unmarshal(data, &ev) != nil || ev.Name != "message" {
				continue
			}
			if seq, ok := honestSeq(ev.Data.Text); ok {
				n.mu.Lock()
				if _, seen := n.arrived[seq]; !seen {
					n.arrived[seq] = at
				}
				n.mu.Unlock()
			}
		case bytes.Contains(data, floodMark):
			n.floodEvents.Add(1)
		case bytes.Contains(data, arrivedMark), bytes.Contains(data, laggedMark):
			if bytes.Contains(data, laggedMark) {
				n.lagged.Add(1)
			} else {
				n.batches.Add(1)
			}
			select {
			case lookups <- struct{}{}:
			default: // one is due already
			}
		}
	}
}

func honestSeq(text string) (int, bool) {
	rest, ok := strings.CutPrefix(text, honestPrefix)
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, " ")
	seq, err := strconv.Atoi(num)
	return seq, err == nil
}

// procStat reads a process's RSS (KiB) and CPU seconds used.
func procStat(pid int) (rssKiB int64, cpu float64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rssKiB, _ = strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the command name (which may hold spaces): state is 3,
	// utime 14, stime 15.
	_, after, ok := bytes.Cut(stat, []byte(") "))
	if !ok {
		return 0, 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(after))
	if len(f) < 13 {
		return 0, 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return rssKiB, (ut + st) / 100, nil // USER_HZ is 100 on Linux
}

func chat(ctx context.Context, o chatOptions) (chatReport, error) {
	rep := chatReport{Rate: o.rate, Phases: map[string]phaseReport{}}
	if o.rate <= 0 {
		return rep, errors.New("--rate must be above 0")
	}
	nodes, err := readNodes(o.nodesFile)
	if err != nil {
		return rep, err
	}
	honest := map[string]bool{}
	for _, n := range nodes {
		var me struct {
			PeerID string `json:"peerId"`
		}
		if err := n.call(ctx, "Me", &me); err != nil {
			return rep, err
		}
		n.peerID = me.PeerID
		honest[me.PeerID] = true
	}

	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	ready := make(chan error, len(nodes))
	for _, n := range nodes {
		go n.watch(watchCtx, o.room, ready)
	}
	for range nodes {
		if err := <-ready; err != nil {
			return rep, fmt.Errorf("event stream: %w", err)
		}
	}

	// Resource samples, four times a second, into the current phase.
	var phase atomic.Int32
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	sampled := make(chan struct{})
	sample := func() {
		p := phase.Load()
		for _, n := range nodes {
			if rss, _, err := procStat(n.pid); err == nil {
				n.rssPeak[p] = max(n.rssPeak[p], rss)
				n.rssLast = rss
			}
		}
	}
	markCPU := func(p int) {
		for _, n := range nodes {
			if _, cpu, err := procStat(n.pid); err == nil {
				n.cpuAt[p] = cpu
			}
		}
	}
	markCPU(phaseBaseline)
	go func() {
		defer close(sampled)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-sampleCtx.Done():
				return
			case <-t.C:
			}
		}
	}()

	var (
		msgsMu sync.Mutex
		msgs   []*sent
		sends  sync.WaitGroup
	)
	pad := strings.Repeat("x", o.size)
	interval := time.Duration(float64(time.Second) / o.rate)
	runPhase := func(p int, length time.Duration) {
		start := time.Now()
		for i := 0; ; i++ {
			at := start.Add(time.Duration(i) * interval)
			if at.Sub(start) >= length {
				break
			}
			if pause(ctx, time.Until(at)) != nil {
				return
			}
			msgsMu.Lock()
			seq := len(msgs)
			s := &sent{from: seq % len(nodes), phase: p, at: time.Now()}
			msgs = append(msgs, s)
			msgsMu.Unlock()
			sends.Add(1)
			go func() {
				defer sends.Done()
				head := fmt.Sprintf("%s%d ", honestPrefix, seq)
				var m struct {
					ID string `json:"id"`
				}
				err := nodes[s.from].call(ctx, "Send", &m, o.room, head+pad[:max(0, o.size-len(head))])
				msgsMu.Lock()
				s.id, s.err = m.ID, err
				msgsMu.Unlock()
			}()
		}
		rep.Phases[phaseNames[p]] = phaseReport{Seconds: time.Since(start).Seconds()}
	}

	runPhase(phaseBaseline, o.baseline)
	phase.Store(phaseFlood)
	markCPU(phaseFlood)
	if o.startFile != "" {
		if err := os.WriteFile(o.startFile, nil, 0o644); err != nil {
			return rep, err
		}
	}
	runPhase(phaseFlood, o.flood)
	phase.Store(phaseSettle)
	markCPU(phaseSettle)
	settleFrom := time.Now()
	sends.Wait()

	// Settle: every honest message at every node, by the event streams.
	arrivedAll := func() bool {
		for _, n := range nodes {
			n.mu.Lock()
			got := len(n.arrived)
			n.mu.Unlock()
			if got < len(msgs) {
				return false
			}
		}
		return true
	}
	deadline := settleFrom.Add(o.settle)
	for !arrivedAll() && time.Now().Before(deadline) {
		if pause(ctx, 100*time.Millisecond) != nil {
			break
		}
	}

	// Then what each node holds, from its History; again until deadline
	// while anything is missing (events can be lagged, History cannot).
	rep.HonestSent = len(msgs)
	for _, s := range msgs {
		if s.err != nil {
			rep.SendErrors++
		}
	}
	holdings := make([]holding, len(nodes))
	for {
		missing := 0
		for i, n := range nodes {
			if holdings[i].read && holdings[i].missing == 0 {
				continue
			}
			h, err := n.holding(ctx, o.room, honest, len(msgs))
			if err != nil {
				return rep, err
			}
			holdings[i] = h
			missing += h.missing
		}
		if missing == 0 || !time.Now().Before(deadline) || ctx.Err() != nil {
			rep.AllDelivered = missing == 0 && rep.SendErrors == 0
			break
		}
		_ = pause(ctx, time.Second)
	}
	rep.SettleSeconds = time.Since(settleFrom).Seconds()
	stopWatching()
	stopSampling()
	<-sampled
	markCPU(phases)

	// Latencies per phase, by when each message was sent.
	lat := [phases][]float64{}
	var detail *json.Encoder
	if o.detail != "" {
		f, err := os.Create(o.detail)
		if err != nil {
			return rep, err
		}
		defer f.Close()
		detail = json.NewEncoder(f)
	}
	for seq, s := range msgs {
		if detail != nil {
			// Milliseconds from the Send call to each node; -1: never timed.
			ms := make([]float64, len(nodes))
			for i, n := range nodes {
				n.mu.Lock()
				at, ok := n.arrived[seq]
				n.mu.Unlock()
				ms[i] = -1
				if ok {
					ms[i] = float64(at.Sub(s.at).Milliseconds())
				}
			}
			_ = detail.Encode(map[string]any{"seq": seq, "from": nodes[s.from].name, "phase": phaseNames[s.phase],
				"sentMs": s.at.Sub(msgs[0].at).Milliseconds(), "id": s.id, "latencyMs": ms})
		}
		pr := rep.Phases[phaseNames[s.phase]]
		pr.Sent++
		for i, n := range nodes {
			if i == s.from {
				continue
			}
			pr.Expected++
			n.mu.Lock()
			at, ok := n.arrived[seq]
			n.mu.Unlock()
			if ok {
				lat[s.phase] = append(lat[s.phase], float64(at.Sub(s.at).Microseconds())/1000)
			}
		}
		rep.Phases[phaseNames[s.phase]] = pr
	}
	for p := range phaseFlood + 1 {
		pr := rep.Phases[phaseNames[p]]
		l := lat[p]
		slices.Sort(l)
		pr.Samples = len(l)
		if len(l) > 0 {
			pr.P50Ms = l[len(l)*50/100]
			pr.P99Ms = l[min(len(l)-1, len(l)*99/100)]
			pr.MaxMs = l[len(l)-1]
		}
		rep.Phases[phaseNames[p]] = pr
	}
	mib := func(kib int64) float64 { return float64(kib*10/1024) / 10 }
	for i, n := range nodes {
		rep.Nodes = append(rep.Nodes, nodeReport{
			Name: n.name, PeerID: n.peerID,
			RSSBaselineMiB: mib(n.rssPeak[phaseBaseline]), RSSFloodMiB: mib(n.rssPeak[phaseFlood]),
			RSSSettleMiB: mib(n.rssPeak[phaseSettle]), RSSEndMiB: mib(n.rssLast),
			CPUBaselineS: n.cpuAt[phaseFlood] - n.cpuAt[phaseBaseline],
			CPUFloodS:    n.cpuAt[phaseSettle] - n.cpuAt[phaseFlood],
			CPUSettleS:   n.cpuAt[phases] - n.cpuAt[phaseSettle],
			MessageCount: holdings[i].total, Missing: holdings[i].missing, FlooderAccepted: holdings[i].others,
			FloodEvents: n.floodEvents.Load(), Batches: n.batches.Load(), Lagged: n.lagged.Load(), FoundLater: n.found,
		})
	}
	return rep, nil
}

// holding is what a node's history holds.
type holding struct {
	read    bool
	total   int // messages in the history
	missing int // honest messages (of those sent) not there
	others  int // messages by authors that are none of the honest nodes
}

// holding pages through the node's whole history of the room.
func (n *node) holding(ctx context.Context, room string, honest map[string]bool, sent int) (holding, error) {
	h := holding{read: true}
	have := make([]bool, sent)
	after := ""
	for {
		var page []struct {
			ID     string `json:"id"`
			Author string `json:"author"`
			Text   string `json:"text"`
		}
		if err := n.call(ctx, "HistoryAfter", &page, room, after, 500); err != nil {
			return h, err
		}
		for _, m := range page {
			h.total++
			if !honest[m.Author] {
				h.others++
			} else if seq, ok := honestSeq(m.Text); ok && seq < sent {
				have[seq] = true
			}
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	for _, ok := range have {
		if !ok {
			h.missing++
		}
	}
	return h, nil
}
