// The official MCP client of the stateless 2026 era
// (@modelcontextprotocol/client 2.x, Client + StreamableHTTPClientTransport,
// pinned to revision 2026-07-28), run by the gateway's tests against the
// hub: what an agent built on the v2 SDK does.
//
//   HUB_NODE_MODULES=DIR node sdk2-client.mjs PLAN
//
// PLAN is JSON: { "url": "...", "headers": {...}, "steps": [ {"op":
// "list"} (every page, following nextCursor), {"op": "list_page",
// "cursor": "..."}, {"op": "call", "name": "...", "arguments": {...}},
// {"op": "discover"} (a fresh server/discover, its raw result),
// {"op": "wait_changed", "ready": FILE, "timeout_ms": N} (listen() for
// toolsListChanged, write FILE once acknowledged, wait for
// notifications/tools/list_changed, close the subscription) ] }.
// Prints one JSON object: the protocol version in use, the server's
// serverInfo, and each step's result or its error ({ "error": { "code",
// "message" } }).  There are no sessions in this era: connect() sends
// server/discover, not initialize, and every request carries the _meta
// envelope and the MCP-Protocol-Version / Mcp-Method / Mcp-Name headers.
import path from 'node:path';

const nm = process.env.HUB_NODE_MODULES;
const { Client, StreamableHTTPClientTransport } = await import(
    path.join(nm, '@modelcontextprotocol/client/dist/index.mjs'));

// the SDK console.debug()s (to stdout) e.g. when a server lists no tools
// capability: keep stdout to the one JSON line
console.log = console.info = console.debug = console.error;
import { writeFileSync } from 'node:fs';

const plan = JSON.parse(process.argv[2]);
const out = { protocol_version: null, server: null, steps: [] };
// listTools() walks the pages itself: count the tools/list POSTs it makes
let listPosts = 0;
const transport = new StreamableHTTPClientTransport(new URL(plan.url), {
    requestInit: { headers: plan.headers || {} },
    fetch: (url, init) => {
        try {
            if (JSON.parse(init?.body).method === 'tools/list') listPosts++;
        } catch { /* not a JSON body */ }
        return fetch(url, init);
    },
});
// the default is 'legacy' (a plain 2025 initialize) and 'auto' falls back
// to it silently, so pin the 2026 revision: anything else fails to connect
const client = new Client({ name: 'hub-test-sdk2-client', version: '2.0.0' }, {
    versionNegotiation: { mode: { pin: '2026-07-28' } },
});

let changes = 0, changed;
client.setNotificationHandler('notifications/tools/list_changed', () => {
    changes++;
    if (changed) changed();
});

async function waitChanged(s) {
    const timer = (ms) => new Promise((r) => setTimeout(() => r('timeout'), ms));
    const sub = await client.listen({ toolsListChanged: true });
    const before = changes;
    writeFileSync(s.ready, 'open\n');
    const got = new Promise((r) => { changed = () => r('changed'); });
    const how = changes > before ? 'changed' : await Promise.race([got, timer(s.timeout_ms || 20000)]);
    changed = undefined;
    await sub.close();
    return { honored: sub.honoredFilter, changed: how === 'changed', changes };
}

function failure(e) {
    return { error: { code: e.code ?? null, message: String(e.message || e) } };
}

try {
    await client.connect(transport);
    // pinned, so a connect that succeeded is 'modern'; report what it says
    out.protocol_version = client.getProtocolEra() === 'modern'
        ? client.getNegotiatedProtocolVersion() ?? null : null;
    out.server = client.getServerVersion() ?? null;
    for (const s of plan.steps || []) {
        try {
            if (s.op === 'list') {
                // 'refresh': never answered from the client's cache (ttlMs)
                const before = listPosts;
                const r = await client.listTools(undefined, { cacheMode: 'refresh' });
                out.steps.push({ tools: r.tools, pages: listPosts - before });
            } else if (s.op === 'list_page') {
                // with a cursor listTools() returns that one page; without
                // one it would walk them all, so ask for page one directly
                out.steps.push(s.cursor
                    ? await client.listTools({ cursor: s.cursor })
                    : await client.request({ method: 'tools/list', params: {} }));
            } else if (s.op === 'call') {
                out.steps.push(await client.callTool({ name: s.name, arguments: s.arguments || {} }));
            } else if (s.op === 'discover') {
                out.steps.push(await client.discover());
            } else if (s.op === 'wait_changed') {
                out.steps.push(await waitChanged(s));
            }
        } catch (e) {
            out.steps.push(failure(e));
        }
    }
    await client.close();
} catch (e) {
    out.connect_error = failure(e).error;
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
