// The official MCP client of the 2025 era (@modelcontextprotocol/sdk 1.x,
// Client + StreamableHTTPClientTransport), run by the gateway's tests
// against the hub: what an agent built on the SDK does.
//
//   HUB_NODE_MODULES=DIR node sdk-client.mjs PLAN
//
// PLAN is JSON: { "url": "...", "headers": {...}, "session": "id" (to
// continue one another process began), "keep": true (do not end the
// session), "steps": [ {"op": "list"} (every page, following
// nextCursor), {"op": "list_page", "cursor": "..."}, {"op": "call",
// "name": "...", "arguments": {...}}, {"op": "ping"}, {"op": "wait_changed",
// "ready": FILE, "timeout_ms": N} (once the server's GET stream is open,
// write FILE, then wait for notifications/tools/list_changed) ] }.  Prints one JSON
// object: the negotiated protocol version, the session id, and each
// step's result or its error ({ "error": { "code", "message" } }).
import path from 'node:path';

const nm = process.env.HUB_NODE_MODULES;
const sdk = (f) => import(path.join(nm, '@modelcontextprotocol/sdk/dist/esm', f));
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { ToolListChangedNotificationSchema } = await sdk('types.js');
import { writeFileSync } from 'node:fs';

const plan = JSON.parse(process.argv[2]);
const out = { steps: [] };
// the SDK opens the server's GET stream by itself after initialize:
// know when it has, and count the list_changed notifications
let streamOpen, changes = 0, changed;
const streamOpened = new Promise((resolve) => { streamOpen = resolve; });
const transport = new StreamableHTTPClientTransport(new URL(plan.url), {
    requestInit: { headers: plan.headers || {} },
    sessionId: plan.session,
    fetch: async (url, init) => {
        const r = await fetch(url, init);
        if (init?.method === 'GET' && r.ok) streamOpen();
        return r;
    },
});
const client = new Client({ name: 'hub-test-sdk-client', version: '1.0.0' });
client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
    if (changed) changed();
});

// wait up to ms for the stream, then for a change: what happened
async function waitChanged(s) {
    const timer = (ms) => new Promise((r) => setTimeout(() => r('timeout'), ms));
    const t0 = Date.now(), ms = s.timeout_ms || 20000;
    if (await Promise.race([streamOpened.then(() => 'open'), timer(ms)]) !== 'open') {
        return { stream: false, changed: false };
    }
    const before = changes;
    writeFileSync(s.ready, 'open\n');
    const got = new Promise((r) => { changed = () => r('changed'); });
    const how = changes > before ? 'changed'
        : await Promise.race([got, timer(ms - (Date.now() - t0))]);
    changed = undefined;
    return { stream: true, changed: how === 'changed', changes };
}

function failure(e) {
    return { error: { code: e.code ?? null, message: String(e.message || e) } };
}

try {
    // with a session begun elsewhere the SDK skips initialize, as a
    // client that reconnects does
    if (plan.version) transport.setProtocolVersion(plan.version);
    await client.connect(transport);
    out.protocol_version = transport.protocolVersion ?? null;
    out.session = transport.sessionId ?? null;
    out.server = client.getServerVersion() ?? null;
    for (const s of plan.steps || []) {
        try {
            if (s.op === 'list') {
                const tools = [];
                let cursor, pages = 0;
                do {
                    const r = await client.listTools(cursor ? { cursor } : {});
                    tools.push(...r.tools);
                    cursor = r.nextCursor;
                    pages++;
                } while (cursor && pages < 100);
                out.steps.push({ tools, pages });
            } else if (s.op === 'list_page') {
                out.steps.push(await client.listTools(s.cursor ? { cursor: s.cursor } : {}));
            } else if (s.op === 'call') {
                out.steps.push(await client.callTool({ name: s.name, arguments: s.arguments || {} }));
            } else if (s.op === 'ping') {
                out.steps.push(await client.ping());
            } else if (s.op === 'wait_changed') {
                out.steps.push(await waitChanged(s));
            }
        } catch (e) {
            out.steps.push(failure(e));
        }
    }
    if (!plan.keep) {
        await transport.terminateSession();
        out.ended = true;
    }
    await client.close();
} catch (e) {
    out.connect_error = failure(e).error;
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
