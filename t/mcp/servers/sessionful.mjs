// A real MCP server of the sessionful 2025 era, built with the official
// SDK 1.x (@modelcontextprotocol/sdk), that records what it was sent.
//
//   HUB_NODE_MODULES=DIR PORT=N TOOLS=N PAGE=N JSON=1 LOG=FILE \
//       node sessionful.mjs
//
// POST/GET/DELETE /mcp: Streamable HTTP with sessions (answers as SSE, or
// as application/json when JSON=1).  GET /sse + POST /messages: the legacy
// HTTP+SSE transport.  STDIO=1: the same server on stdin/stdout instead of
// HTTP (LOG then gets a line at each start: {"started": pid}).  TOOLS tools, PAGE a page (0: one page).  LOG gets one
// JSON line per HTTP request: method, path, the MCP headers, the JSON-RPC
// method(s), so a test can check what the client sent (the DELETE of the
// session, the echoed Mcp-Session-Id, MCP-Protocol-Version).  Header values
// other than those are not recorded.
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';

const nm = process.env.HUB_NODE_MODULES;
const sdk = (f) => import(path.join(nm, '@modelcontextprotocol/sdk/dist/esm', f));
const { Server } = await sdk('server/index.js');
const { StreamableHTTPServerTransport } = await sdk('server/streamableHttp.js');
const { SSEServerTransport } = await sdk('server/sse.js');
const { StdioServerTransport } = await sdk('server/stdio.js');
const { ListToolsRequestSchema, CallToolRequestSchema } = await sdk('types.js');

const port = Number(process.env.PORT || 0);
const count = Number(process.env.TOOLS || 3);
const page = Number(process.env.PAGE || 0);
const log = process.env.LOG;

const tools = [];
for (let i = 1; i <= count; i++) {
    tools.push({
        name: `legacy-${String(i).padStart(3, '0')}`,
        description: `Sessionful test tool ${i}`,
        inputSchema: { type: 'object', properties: {} },
    });
}

function makeServer() {
    const server = new Server(
        { name: 'hub-test-sessionful', version: '1.32-test' },
        { capabilities: { tools: {} } },
    );
    server.setRequestHandler(ListToolsRequestSchema, (req) => {
        if (!page) {
            return { tools };
        }
        const start = Number(req.params?.cursor || 0);
        const out = { tools: tools.slice(start, start + page) };
        if (start + page < tools.length) {
            out.nextCursor = String(start + page);
        }
        return out;
    });
    // tools/call: "called NAME", the arguments echoed as structured
    // content; the tool "fail" answers as a failed tool (isError)
    server.setRequestHandler(CallToolRequestSchema, (req) => (req.params.name === 'fail' ? {
        content: [{ type: 'text', text: 'the tool failed' }],
        isError: true,
    } : {
        content: [{ type: 'text', text: `called ${req.params.name}` }],
        structuredContent: { arguments: req.params.arguments ?? {} },
    }));
    return server;
}

function record(req, body) {
    if (!log) {
        return;
    }
    let rpc = null;
    try {
        const j = JSON.parse(body);
        rpc = Array.isArray(j) ? j.map((m) => m.method) : j.method;
    } catch { /* not JSON: recorded as null */ }
    fs.appendFileSync(log, JSON.stringify({
        method: req.method,
        path: req.url,
        session: req.headers['mcp-session-id'] ?? null,
        version: req.headers['mcp-protocol-version'] ?? null,
        mcp_method: req.headers['mcp-method'] ?? null,
        accept: req.headers.accept ?? null,
        rpc,
    }) + '\n');
}

const sessions = new Map();     // Streamable HTTP, by session id
const streams = new Map();      // legacy SSE, by session id

async function streamable(req, res, body) {
    const sid = req.headers['mcp-session-id'];
    let transport = sid && sessions.get(sid);
    if (!transport) {
        if (sid || req.method !== 'POST') {
            res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(
                { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
            return;
        }
        transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            enableJsonResponse: process.env.JSON === '1',
            onsessioninitialized: (id) => sessions.set(id, transport),
            onsessionclosed: (id) => sessions.delete(id),
        });
        await makeServer().connect(transport);
    }
    await transport.handleRequest(req, res, body.length ? JSON.parse(body) : undefined);
}

async function legacySse(req, res, body) {
    if (req.method === 'GET' && req.url === '/sse') {
        const transport = new SSEServerTransport('/messages', res);
        streams.set(transport.sessionId, transport);
        res.on('close', () => streams.delete(transport.sessionId));
        await makeServer().connect(transport);
        return;
    }
    const u = new URL(req.url, 'http://x');
    const transport = streams.get(u.searchParams.get('sessionId'));
    if (!transport) {
        res.writeHead(404).end('no such session');
        return;
    }
    await transport.handlePostMessage(req, res, JSON.parse(body));
}

const httpServer = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) {
        chunks.push(c);
    }
    const body = Buffer.concat(chunks).toString();
    record(req, body);
    try {
        if (req.url === '/mcp') {
            await streamable(req, res, body);
        } else if (req.url === '/sse' || req.url.startsWith('/messages')) {
            await legacySse(req, res, body);
        } else {
            res.writeHead(404).end('not here');
        }
    } catch (e) {
        if (!res.headersSent) {
            res.writeHead(400).end(String(e));
        }
    }
});

if (process.env.STDIO === '1') {
    // over stdio LOG gets one line per start of the process
    if (log) fs.appendFileSync(log, JSON.stringify({ started: process.pid }) + '\n');
    await makeServer().connect(new StdioServerTransport());
} else {
    httpServer.listen(port, '127.0.0.1', () => {
        console.log(`listening ${httpServer.address().port}`);
    });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => process.exit(0));
}
