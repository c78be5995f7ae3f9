export namespace chat {
	
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
	    }
	}
	export class Message {
	    id: string;
	    room: string;
	    author: string;
	    authorShort: string;
	    authorName: string;
	    time: string;
	    sentAt: number;
	    text: string;
	    mine: boolean;
	    replyTo?: string;
	
	    static createFrom(source: any = {}) {
	        return new Message(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.room = source["room"];
	        this.author = source["author"];
	        this.authorShort = source["authorShort"];
	        this.authorName = source["authorName"];
	        this.time = source["time"];
	        this.sentAt = source["sentAt"];
	        this.text = source["text"];
	        this.mine = source["mine"];
	        this.replyTo = source["replyTo"];
	    }
	}
	export class Room {
	    id: string;
	    name: string;
	
	    static createFrom(source: any = {}) {
	        return new Room(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	    }
	}

}

