// A real MCP server of the stateless 2026-07-28 era, built with the
// official SDK v2 (@modelcontextprotocol/server), for mod_hub's tests.
//
//   HUB_NODE_MODULES=DIR PORT=N TOOLS=N PAGE=N LEGACY=stateless|reject node stateless.mjs
//
// Serves POST /mcp on 127.0.0.1.  TOOLS tools named tool-001, ... are
// listed PAGE at a time (cursor/nextCursor: the SDK does not paginate by
// itself, so tools/list is answered by a handler of ours); PAGE=0 lists all
// at once.  LEGACY=reject makes it a 2026-only endpoint; the default also
// answers 2025-era clients statelessly (initialize, no session).  Stops on
// SIGINT/SIGTERM.
import http from 'node:http';
import path from 'node:path';

// The SDK comes from the test tree's npm install (HUB_NODE_MODULES), not
// from beside this file: ES modules do not look at NODE_PATH.
const nm = process.env.HUB_NODE_MODULES;
const { Server, createMcpHandler } = await import(
    path.join(nm, '@modelcontextprotocol/server/dist/index.mjs'));

const port = Number(process.env.PORT || 0);
const count = Number(process.env.TOOLS || 3);
const page = Number(process.env.PAGE || 0);
const legacy = process.env.LEGACY || 'stateless';

const tools = [];
for (let i = 1; i <= count; i++) {
    const name = `tool-${String(i).padStart(3, '0')}`;
    tools.push({
        name,
        description: `Test tool number ${i}`,
        inputSchema: {
            type: 'object',
            properties: { text: { type: 'string', description: 'Any text' } },
            required: ['text'],
        },
    });
}

function listTools(cursor) {
    if (!page) {
        return { tools };
    }
    const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
    const out = { tools: tools.slice(start, start + page) };
    if (start + page < tools.length) {
        out.nextCursor = Buffer.from(String(start + page)).toString('base64url');
    }
    return out;
}

function factory() {
    const server = new Server(
        { name: 'hub-test-stateless', version: '2.4.0-test' },
        { capabilities: { tools: {} } },
    );
    server.setRequestHandler('tools/list', (req) => listTools(req.params?.cursor));
    // tools/call: "called NAME", the arguments echoed as structured
    // content; the tool "fail" answers as a failed tool (isError)
    server.setRequestHandler('tools/call', (req) => (req.params.name === 'fail' ? {
        content: [{ type: 'text', text: 'the tool failed' }],
        isError: true,
    } : {
        content: [{ type: 'text', text: `called ${req.params.name}` }],
        structuredContent: { arguments: req.params.arguments ?? {} },
    }));
    return server;
}

const handler = createMcpHandler(factory, { legacy });

// node:http in front of the web-standard handler (what @modelcontextprotocol/node
// would do; it is not among the test dependencies).
const httpServer = http.createServer(async (req, res) => {
    if (req.url !== '/mcp') {
        res.writeHead(404).end('not here');
        return;
    }
    const chunks = [];
    for await (const c of req) {
        chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers: req.headers,
        body: ['GET', 'HEAD', 'DELETE'].includes(req.method) ? undefined : body,
    });
    const response = await handler.fetch(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) {
        for await (const c of response.body) {
            res.write(c);
        }
    }
    res.end();
});

httpServer.listen(port, '127.0.0.1', () => {
    console.log(`listening ${httpServer.address().port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => { httpServer.close(); handler.close(); process.exit(0); });
}
