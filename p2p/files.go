package p2p

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-msgio"
	"golang.org/x/time/rate"
	"google.golang.org/protobuf/proto"

	"parley/files"
	"parley/identity"
	"parley/lru"
	"parley/wire"
)

// /parley/files/1 carries a file's manifest, which chunks a peer holds,
// and the chunks themselves, checked by the fetcher against the manifest
// (package files). A stream is one file; the fetcher asks as often as it
// likes, each ask answered in order. Only a peer that proved membership of
// a room naming the file is served; anyone else gets a reset, as for a
// file not held, so a stranger learns nothing of what is here.
const filesProtocol = "/parley/files/1"

// FileHolder finds the holding of a file a room names, and what to call
// when done with it; nil when the room names no such file or nothing of
// it is held here.
type FileHolder func(room wire.RoomID, hash files.Hash) (*files.Holding, func())

// Bounds of serving files: streams at once, in all and per peer, and how
// long a stream may wait for its next ask.
const (
	fileStreams        = 16
	fileStreamsPerPeer = 4
	fileIdle           = 30 * time.Second
	fileWriteDeadline  = 30 * time.Second
	// fileBytesPerPeer bounds the bytes a second one peer is served, in
	// bursts of fileBurstPerPeer, so one peer cannot take the disk and
	// the uplink whole (gossip has a bound of its own); the limits of
	// the last maxFilePeers peers are kept, so a peer gains nothing by
	// opening streams anew.
	fileBytesPerPeer = 96 << 20
	fileBurstPerPeer = 8 << 20
	maxFilePeers     = 256
)

type fileServer struct {
	hold    FileHolder
	trust   *trust
	slots   chan struct{}
	mu      sync.Mutex
	perPeer map[peer.ID]int
	rates   *lru.Map[peer.ID, *rate.Limiter]
}

func newFileServer(hold FileHolder, t *trust) *fileServer {
	return &fileServer{
		hold: hold, trust: t, slots: make(chan struct{}, fileStreams), perPeer: map[peer.ID]int{},
		rates: lru.New[peer.ID, *rate.Limiter](maxFilePeers, nil),
	}
}

// rateOf is p's byte budget.
func (fs *fileServer) rateOf(p peer.ID) *rate.Limiter {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l, ok := fs.rates.Get(p)
	if !ok {
		l = rate.NewLimiter(fileBytesPerPeer, fileBurstPerPeer)
		fs.rates.Add(p, l, nil)
	}
	return l
}

// enter takes a serving slot for p; false when none is free.
func (fs *fileServer) enter(p peer.ID) bool {
	select {
	case fs.slots <- struct{}{}:
	default:
		return false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.perPeer[p] >= fileStreamsPerPeer {
		<-fs.slots
		return false
	}
	fs.perPeer[p]++
	return true
}

func (fs *fileServer) leave(p peer.ID) {
	fs.mu.Lock()
	if fs.perPeer[p]--; fs.perPeer[p] == 0 {
		delete(fs.perPeer, p)
	}
	fs.mu.Unlock()
	<-fs.slots
}

func (fs *fileServer) serve(s network.Stream) {
	from := s.Conn().RemotePeer()
	// A peer that proved membership of no room takes no slot: strangers
	// cannot hold the streams members fetch over.
	if len(fs.trust.memberRooms(from)) == 0 || !fs.enter(from) {
		s.Reset()
		return
	}
	defer fs.leave(from)
	budget := fs.rateOf(from)
	r := msgio.NewVarintReaderSize(s, files.MaxAskSize)
	w := msgio.NewVarintWriter(s)
	for {
		_ = s.SetReadDeadline(time.Now().Add(fileIdle))
		raw, err := r.ReadMsg()
		if err != nil {
			s.Reset() // idle, gone, or an ask over its bound
			return
		}
		ask, hash, room, err := files.DecodeAsk(raw)
		r.ReleaseMsg(raw)
		if err != nil || !fs.trust.isMember(from, room) {
			s.Reset()
			return
		}
		h, release := fs.hold(room, hash)
		if h == nil {
			s.Reset()
			return
		}
		deadline := time.Now().Add(fileWriteDeadline)
		_ = s.SetWriteDeadline(deadline)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err = answerAsk(ctx, w, h, ask, budget)
		cancel()
		release()
		if err != nil {
			s.Reset()
			return
		}
	}
}

// answerAsk writes an ask's parts, in order, each chunk within the
// asker's byte budget.
func answerAsk(ctx context.Context, w msgio.Writer, h *files.Holding, ask *files.Ask, budget *rate.Limiter) error {
	write := func(p *files.Part) error {
		b, err := proto.Marshal(p)
		if err != nil {
			return err
		}
		return w.WriteMsg(b)
	}
	if ask.Manifest {
		if err := write(&files.Part{Manifest: h.Plan().Encoded}); err != nil {
			return err
		}
	}
	if ask.Have {
		if err := write(&files.Part{Have: h.Bitmap()}); err != nil {
			return err
		}
	}
	for _, i := range ask.Chunks {
		chunk, err := h.Chunk(int(i))
		part := &files.Part{Index: i, Chunk: chunk}
		switch {
		case errors.Is(err, files.ErrNotHeld):
			part = &files.Part{Index: i, Missing: true}
		case err != nil:
			return err
		}
		if err := budget.WaitN(ctx, len(chunk)); err != nil {
			return err
		}
		if err := write(part); err != nil {
			return err
		}
	}
	return nil
}

// FileSource is a member to fetch a file of a room from: a files.Source
// over one stream, opened at the first ask. Close it when done.
func (n *Node) FileSource(p peer.ID, room wire.RoomID, hash files.Hash) *FileSource {
	return &FileSource{n: n, peer: p, room: room, hash: hash}
}

// FileSource asks one peer for one file's parts.
type FileSource struct {
	n    *Node
	peer peer.ID
	room wire.RoomID
	hash files.Hash
	mu   sync.Mutex
	s    network.Stream
	r    msgio.ReadCloser
}

var _ files.Source = (*FileSource)(nil)

// Name is the peer's short ID.
func (fs *FileSource) Name() string { return identity.ShortID(fs.peer) }

// Peer is the peer asked.
func (fs *FileSource) Peer() peer.ID { return fs.peer }

// Manifest asks for the file's manifest, as encoded (the caller checks it
// against the hash with files.DecodeManifest).
func (fs *FileSource) Manifest(ctx context.Context) ([]byte, error) {
	return fs.askFor(ctx, &files.Ask{Manifest: true}, (*files.Part).GetManifest, "the manifest")
}

// Have asks which chunks the peer holds.
func (fs *FileSource) Have(ctx context.Context) ([]byte, error) {
	return fs.askFor(ctx, &files.Ask{Have: true}, (*files.Part).GetHave, "the chunks it holds")
}

// askFor asks for one part and returns what pick finds in it; what names
// it in the error when the peer answers with another part.
func (fs *FileSource) askFor(ctx context.Context, ask *files.Ask, pick func(*files.Part) []byte, what string) ([]byte, error) {
	var got []byte
	err := fs.exchange(ctx, ask, func(p *files.Part) error {
		if got = pick(p); len(got) == 0 {
			return fmt.Errorf("%w: asked for %s, got another part", files.ErrFrame, what)
		}
		return nil
	}, 1)
	return got, err
}

// Get asks for chunks and hands each to got as it comes.
func (fs *FileSource) Get(ctx context.Context, chunks []int, got func(i int, chunk []byte) error) error {
	if len(chunks) > files.MaxAskChunks {
		return fmt.Errorf("ask for %d chunks: at most %d at a time", len(chunks), files.MaxAskChunks)
	}
	ask := &files.Ask{Chunks: make([]uint32, len(chunks))}
	for k, i := range chunks {
		ask.Chunks[k] = uint32(i)
	}
	k := 0
	return fs.exchange(ctx, ask, func(p *files.Part) error {
		i := chunks[k]
		k++
		if int(p.Index) != i || len(p.Manifest) > 0 || len(p.Have) > 0 {
			return fmt.Errorf("%w: asked for chunk %d, got another part", files.ErrFrame, i)
		}
		if p.Missing {
			return got(i, nil)
		}
		return got(i, p.Chunk)
	}, len(chunks))
}

// exchange sends an ask and reads the parts it brings, one at a time, on
// the file's stream (opened at the first ask). Any failure resets the
// stream; the next ask opens a new one.
func (fs *FileSource) exchange(ctx context.Context, ask *files.Ask, each func(*files.Part) error, parts int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.s == nil {
		s, err := fs.n.host.NewStream(ctx, fs.peer, filesProtocol)
		if err != nil {
			return fmt.Errorf("open a file stream to %s: %w", fs.Name(), err)
		}
		fs.s, fs.r = s, msgio.NewVarintReaderSize(s, files.MaxPartSize)
	}
	s := fs.s
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	err := fs.run(ask, each, parts)
	if err != nil {
		fs.s.Reset()
		fs.s, fs.r = nil, nil
		if ctx.Err() != nil {
			err = ctx.Err()
		}
	}
	return err
}

func (fs *FileSource) run(ask *files.Ask, each func(*files.Part) error, parts int) error {
	ask.Hash, ask.Room = fs.hash[:], fs.room[:]
	b, err := proto.Marshal(ask)
	if err != nil {
		return err
	}
	_ = fs.s.SetDeadline(time.Now().Add(fileIdle))
	if err := msgio.NewVarintWriter(fs.s).WriteMsg(b); err != nil {
		return fmt.Errorf("ask %s: %w", fs.Name(), err)
	}
	for range parts {
		_ = fs.s.SetReadDeadline(time.Now().Add(fileIdle))
		raw, err := fs.r.ReadMsg()
		if err != nil {
			return fmt.Errorf("read from %s: %w", fs.Name(), err)
		}
		p, err := files.DecodePart(raw)
		fs.r.ReleaseMsg(raw)
		if err != nil {
			return err
		}
		if err := each(p); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the file's stream.
func (fs *FileSource) Close() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.s == nil {
		return nil
	}
	err := fs.s.Close()
	fs.s, fs.r = nil, nil
	return err
}
