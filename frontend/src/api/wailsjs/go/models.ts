export namespace chat {
	
	export class Me {
	    peerId: string;
	    shortId: string;
	
	    static createFrom(source: any = {}) {
	        return new Me(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.peerId = source["peerId"];
	        this.shortId = source["shortId"];
	    }
	}

}

