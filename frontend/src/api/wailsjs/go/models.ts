export namespace chat {
	
	export class File {
	    hash: string;
	    name: string;
	    size: number;
	    mime: string;
	    width: number;
	    height: number;
	    preview?: string;
	    state: string;
	    have: number;
	    full?: boolean;
	    removed?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new File(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.hash = source["hash"];
	        this.name = source["name"];
	        this.size = source["size"];
	        this.mime = source["mime"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.preview = source["preview"];
	        this.state = source["state"];
	        this.have = source["have"];
	        this.full = source["full"];
	        this.removed = source["removed"];
	    }
	}
	export class FileLimits {
	    maxFileMiB: number;
	    autoMiB: number;
	    capMiB: number;
	
	    static createFrom(source: any = {}) {
	        return new FileLimits(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.maxFileMiB = source["maxFileMiB"];
	        this.autoMiB = source["autoMiB"];
	        this.capMiB = source["capMiB"];
	    }
	}
	export class FilesUsage {
	    used: number;
	    cap: number;
	    files: number;
	
	    static createFrom(source: any = {}) {
	        return new FilesUsage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.used = source["used"];
	        this.cap = source["cap"];
	        this.files = source["files"];
	    }
	}
	export class Helper {
	    peerId: string;
	    shortId: string;
	    name: string;
	    rooms: string[];
	    roomNames: string[];
	    connected: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Helper(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.rooms = source["rooms"];
	        this.roomNames = source["roomNames"];
	        this.connected = source["connected"];
	    }
	}
	export class Invitation {
	    id: string;
	    link: string;
	    expiresAt: number;
	    uses: number;
	    used: number;
	    by: string;
	
	    static createFrom(source: any = {}) {
	        return new Invitation(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.link = source["link"];
	        this.expiresAt = source["expiresAt"];
	        this.uses = source["uses"];
	        this.used = source["used"];
	        this.by = source["by"];
	    }
	}
	export class InvitePreview {
	    link: string;
	    roomId: string;
	    name: string;
	    joined: boolean;
	
	    static createFrom(source: any = {}) {
	        return new InvitePreview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.link = source["link"];
	        this.roomId = source["roomId"];
	        this.name = source["name"];
	        this.joined = source["joined"];
	    }
	}
	export class InviteStatus {
	    ready: boolean;
	    why: string;
	
	    static createFrom(source: any = {}) {
	        return new InviteStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ready = source["ready"];
	        this.why = source["why"];
	    }
	}
	export class Limits {
	    authorMessages: number;
	    peerMessages: number;
	    peerBytes: number;
	    syncsLimited: number;
	    syncsBusy: number;
	
	    static createFrom(source: any = {}) {
	        return new Limits(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.authorMessages = source["authorMessages"];
	        this.peerMessages = source["peerMessages"];
	        this.peerBytes = source["peerBytes"];
	        this.syncsLimited = source["syncsLimited"];
	        this.syncsBusy = source["syncsBusy"];
	    }
	}
	export class Me {
	    peerId: string;
	    shortId: string;
	    name: string;
	    addrs: string[];
	
	    static createFrom(source: any = {}) {
	        return new Me(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.addrs = source["addrs"];
	    }
	}
	export class Member {
	    peerId: string;
	    shortId: string;
	    name: string;
	    online: boolean;
	    me: boolean;
	    via: string;
	    transport: string;
	    presence: string;
	    lastSeen: number;
	    role: string;
	
	    static createFrom(source: any = {}) {
	        return new Member(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.online = source["online"];
	        this.me = source["me"];
	        this.via = source["via"];
	        this.transport = source["transport"];
	        this.presence = source["presence"];
	        this.lastSeen = source["lastSeen"];
	        this.role = source["role"];
	    }
	}
	export class Reaction {
	    emoji: string;
	    count: number;
	    mine: boolean;
	    by: string[];
	
	    static createFrom(source: any = {}) {
	        return new Reaction(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.emoji = source["emoji"];
	        this.count = source["count"];
	        this.mine = source["mine"];
	        this.by = source["by"];
	    }
	}
	export class ReplyPreview {
	    id: string;
	    authorName: string;
	    authorShort: string;
	    text: string;
	    deleted: boolean;
	    missing: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ReplyPreview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.authorName = source["authorName"];
	        this.authorShort = source["authorShort"];
	        this.text = source["text"];
	        this.deleted = source["deleted"];
	        this.missing = source["missing"];
	    }
	}
	export class Message {
	    id: string;
	    room: string;
	    kind: string;
	    author: string;
	    authorShort: string;
	    authorName: string;
	    time: string;
	    sentAt: number;
	    text: string;
	    mine: boolean;
	    replyTo?: string;
	    replyPreview?: ReplyPreview;
	    reactions: Reaction[];
	    edited: boolean;
	    deleted: boolean;
	    removed?: boolean;
	    removedBy?: string;
	    mentionsMe: boolean;
	    highlight?: search.Part[];
	    state?: string;
	    file?: File;
	
	    static createFrom(source: any = {}) {
	        return new Message(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.room = source["room"];
	        this.kind = source["kind"];
	        this.author = source["author"];
	        this.authorShort = source["authorShort"];
	        this.authorName = source["authorName"];
	        this.time = source["time"];
	        this.sentAt = source["sentAt"];
	        this.text = source["text"];
	        this.mine = source["mine"];
	        this.replyTo = source["replyTo"];
	        this.replyPreview = this.convertValues(source["replyPreview"], ReplyPreview);
	        this.reactions = this.convertValues(source["reactions"], Reaction);
	        this.edited = source["edited"];
	        this.deleted = source["deleted"];
	        this.removed = source["removed"];
	        this.removedBy = source["removedBy"];
	        this.mentionsMe = source["mentionsMe"];
	        this.highlight = this.convertValues(source["highlight"], search.Part);
	        this.state = source["state"];
	        this.file = this.convertValues(source["file"], File);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class NearbyRoom {
	    id: string;
	    name: string;
	    joined: boolean;
	    legacy: boolean;
	
	    static createFrom(source: any = {}) {
	        return new NearbyRoom(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.joined = source["joined"];
	        this.legacy = source["legacy"];
	    }
	}
	export class NearbyPeer {
	    peerId: string;
	    shortId: string;
	    name: string;
	    connected: boolean;
	    lan: boolean;
	    rooms: NearbyRoom[];
	
	    static createFrom(source: any = {}) {
	        return new NearbyPeer(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.connected = source["connected"];
	        this.lan = source["lan"];
	        this.rooms = this.convertValues(source["rooms"], NearbyRoom);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Peer {
	    peerId: string;
	    shortId: string;
	    name: string;
	    lan: boolean;
	    via: string;
	    transport: string;
	    why: string;
	
	    static createFrom(source: any = {}) {
	        return new Peer(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.lan = source["lan"];
	        this.via = source["via"];
	        this.transport = source["transport"];
	        this.why = source["why"];
	    }
	}
	export class Profile {
	    peerId: string;
	    shortId: string;
	    name: string;
	
	    static createFrom(source: any = {}) {
	        return new Profile(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	    }
	}
	export class ProxySetting {
	    mode: string;
	    url: string;
	    credentials: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ProxySetting(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.url = source["url"];
	        this.credentials = source["credentials"];
	    }
	}
	
	export class RemovedFiles {
	    files: number;
	    freed: number;
	
	    static createFrom(source: any = {}) {
	        return new RemovedFiles(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.files = source["files"];
	        this.freed = source["freed"];
	    }
	}
	
	export class Room {
	    id: string;
	    name: string;
	    topic: string;
	    notify: string;
	    unread: number;
	    mentions: number;
	    undelivered: number;
	    lastRead: string;
	    lastActivity: number;
	    nearby: boolean;
	    legacy: boolean;
	    private: boolean;
	    direct: boolean;
	    myRole: string;
	    pending: boolean;
	    refused?: string;
	    removed: boolean;
	    request: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Room(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.topic = source["topic"];
	        this.notify = source["notify"];
	        this.unread = source["unread"];
	        this.mentions = source["mentions"];
	        this.undelivered = source["undelivered"];
	        this.lastRead = source["lastRead"];
	        this.lastActivity = source["lastActivity"];
	        this.nearby = source["nearby"];
	        this.legacy = source["legacy"];
	        this.private = source["private"];
	        this.direct = source["direct"];
	        this.myRole = source["myRole"];
	        this.pending = source["pending"];
	        this.refused = source["refused"];
	        this.removed = source["removed"];
	        this.request = source["request"];
	    }
	}
	export class ThrottledPeer {
	    peerId: string;
	    shortId: string;
	    name: string;
	    dropped: number;
	    droppedBytes: number;
	
	    static createFrom(source: any = {}) {
	        return new ThrottledPeer(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.dropped = source["dropped"];
	        this.droppedBytes = source["droppedBytes"];
	    }
	}
	export class ThrottledAuthor {
	    peerId: string;
	    shortId: string;
	    name: string;
	    room: string;
	    dropped: number;
	
	    static createFrom(source: any = {}) {
	        return new ThrottledAuthor(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	        this.name = source["name"];
	        this.room = source["room"];
	        this.dropped = source["dropped"];
	    }
	}
	export class WSSStatus {
	    addrs: string[];
	    cert: string;
	    names: string[];
	    expiresAt: number;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new WSSStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.addrs = source["addrs"];
	        this.cert = source["cert"];
	        this.names = source["names"];
	        this.expiresAt = source["expiresAt"];
	        this.error = source["error"];
	    }
	}
	export class Status {
	    peerId: string;
	    network: string;
	    peers: number;
	    mdns: boolean;
	    addrs: string[];
	    reachability: string;
	    relays: string[];
	    natType: string;
	    helper: boolean;
	    restricted: boolean;
	    proxy: ProxySetting;
	    wss?: WSSStatus;
	    rejected: number;
	    version: string;
	    throttled: ThrottledAuthor[];
	    throttledTotal: number;
	    throttledPeers: ThrottledPeer[];
	    limits: Limits;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.network = source["network"];
	        this.peers = source["peers"];
	        this.mdns = source["mdns"];
	        this.addrs = source["addrs"];
	        this.reachability = source["reachability"];
	        this.relays = source["relays"];
	        this.natType = source["natType"];
	        this.helper = source["helper"];
	        this.restricted = source["restricted"];
	        this.proxy = this.convertValues(source["proxy"], ProxySetting);
	        this.wss = this.convertValues(source["wss"], WSSStatus);
	        this.rejected = source["rejected"];
	        this.version = source["version"];
	        this.throttled = this.convertValues(source["throttled"], ThrottledAuthor);
	        this.throttledTotal = source["throttledTotal"];
	        this.throttledPeers = this.convertValues(source["throttledPeers"], ThrottledPeer);
	        this.limits = this.convertValues(source["limits"], Limits);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	

}

export namespace main {
	
	export class LocalFile {
	    path: string;
	    name: string;
	    size: number;
	
	    static createFrom(source: any = {}) {
	        return new LocalFile(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.name = source["name"];
	        this.size = source["size"];
	    }
	}

}

export namespace search {
	
	export class Part {
	    text: string;
	    match: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Part(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.match = source["match"];
	    }
	}

}

