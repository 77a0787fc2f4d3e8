// A local LLM provider for mod_hub's tests: no LLM is reachable from the
// test machines, so this speaks the providers' wire protocols itself, with
// node's built-in modules only.
//
//   PORT=N KEY=secret LOG=file SLOW_MS=ms node llm-server.mjs
//
// OpenAI's chat API (what openai_compat, groq, deepseek, mistral, xai and
// ollama speak):
//   POST /v1/chat/completions   plain, or `stream: true` as SSE chunks
//                               ending with `data: [DONE]`; the usage chunk
//                               when stream_options.include_usage asks
//   GET  /v1/models             {object: list, data: [...]}
// Anthropic's Messages API (anthropic_native):
//   POST /v1/messages           plain, or the stream of message_start,
//                               content_block_*, message_delta, message_stop
//   GET  /v1/models             {data, has_more, ...} when the request
//                               carries x-api-key / anthropic-version
//
// Answers are derived from the input, so tests can predict them:
//   - the content is "echo: " + the last user message's text, prefixed by
//     "[system: <system prompt>] " when there is one;
//   - when the request offers tools and the last user message says
//     "use tool" (or "call <tool name>"), the answer is a call of that tool
//     (the first one by default) with arguments {"text": <message>};
//   - usage counts words: every message's words in, the answer's out.
// The model name switches failures on:
//   rate-limited  429 with Retry-After: 7, in the provider's error shape
//   broken        500
//   slow          the answer after SLOW_MS (default 3000) milliseconds
// KEY set: the API key must come (Authorization: Bearer KEY, or x-api-key
// for Anthropic), else 401 (OpenAI's quoting the key it was given, as a
// careless provider might: the hub must not pass that on).  LOG set: one JSON line per request
// ({method, path, headers, body}).  Stops on SIGINT/SIGTERM.
import http from 'node:http';
import fs from 'node:fs';

const port = Number(process.env.PORT || 0);
const key = process.env.KEY || '';
const logFile = process.env.LOG || '';
const slowMs = Number(process.env.SLOW_MS || 3000);
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'llm-small', 'rate-limited', 'broken', 'slow'];
const CLAUDE = ['claude-3-5-haiku-20241022', 'claude-sonnet-4-20250514'];
let seq = 0;

function words(s) {
    return String(s || '').split(/\s+/).filter((w) => w.length).length;
}

// the text of an OpenAI or Anthropic content (a string or parts)
function text(content) {
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
        return content.map((p) => (p && typeof p.text === 'string' ? p.text : '')).join('');
    }
    return '';
}

function send(res, status, body, headers = {}) {
    const data = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(data);
}

// What to answer a conversation: {content, tool, args, in, out}
function answer(system, messages, tools) {
    const users = messages.filter((m) => m.role === 'user');
    const last = users.length ? text(users[users.length - 1].content) : '';
    let inWords = words(system);
    for (const m of messages) inWords += words(text(m.content));
    const names = (tools || []).map((t) => (t.function ? t.function.name : t.name));
    let tool = null;
    if (names.length) {
        const called = names.find((n) => last.includes(`call ${n}`));
        if (called) tool = called;
        else if (/use tool/i.test(last)) tool = names[0];
    }
    // a tool's result coming back is answered by its text
    const lastMsg = messages[messages.length - 1] || {};
    if (lastMsg.role === 'tool') {
        tool = null;
    }
    const content = tool
        ? ''
        : (system ? `[system: ${system}] ` : '') + 'echo: '
          + (lastMsg.role === 'tool' ? `tool said ${text(lastMsg.content)}` : last);
    return {
        content,
        tool,
        args: JSON.stringify({ text: last }),
        in: Math.max(inWords, 1),
        out: tool ? 5 : words(content),
    };
}

function openaiError(res, status, message, type, code, headers = {}) {
    send(res, status, { error: { message, type, param: null, code } }, headers);
}

function failures(model, res, anthropic) {
    if (model === 'rate-limited') {
        if (anthropic) {
            send(res, 429, { type: 'error', error: { type: 'rate_limit_error',
                message: 'Number of requests has exceeded your rate limit' } },
                 { 'Retry-After': '7' });
        } else {
            openaiError(res, 429, 'Rate limit reached for requests', 'requests',
                        'rate_limit_exceeded', { 'Retry-After': '7' });
        }
        return true;
    }
    if (model === 'broken') {
        if (anthropic) {
            send(res, 500, { type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
        } else {
            openaiError(res, 500, 'The server had an error while processing your request.',
                        'server_error', null);
        }
        return true;
    }
    return false;
}

function sse(res) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
}

function chatCompletions(req, res, body) {
    if (!Array.isArray(body.messages) || !body.messages.length) {
        return openaiError(res, 400, "'messages' is a required property", 'invalid_request_error', null);
    }
    const model = body.model || 'gpt-4o-mini';
    if (failures(model, res, false)) return;
    const sys = body.messages.filter((m) => m.role === 'system').map((m) => text(m.content)).join('\n');
    const rest = body.messages.filter((m) => m.role !== 'system');
    const a = answer(sys, rest, body.tools);
    const id = `chatcmpl-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const call = a.tool ? { id: `call_${seq}`, type: 'function',
                            function: { name: a.tool, arguments: a.args } } : null;
    const finish = call ? 'tool_calls' : 'stop';
    const usage = { prompt_tokens: a.in, completion_tokens: a.out, total_tokens: a.in + a.out };
    if (!body.stream) {
        return send(res, 200, {
            id, object: 'chat.completion', created, model,
            choices: [{ index: 0, finish_reason: finish,
                        message: { role: 'assistant', content: call ? null : a.content,
                                   ...(call ? { tool_calls: [call] } : {}) } }],
            usage,
        });
    }
    sse(res);
    const chunk = (delta, fin = null, extra = {}) => res.write(`data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model,
        choices: [{ index: 0, delta, finish_reason: fin }], ...extra })}\n\n`);
    chunk({ role: 'assistant', content: '' });
    if (call) {
        chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function',
                               function: { name: a.tool, arguments: '' } }] });
        const half = Math.floor(a.args.length / 2);
        chunk({ tool_calls: [{ index: 0, function: { arguments: a.args.slice(0, half) } }] });
        chunk({ tool_calls: [{ index: 0, function: { arguments: a.args.slice(half) } }] });
    } else {
        // one piece per word, the space kept with it
        for (const piece of a.content.match(/\S+\s*/g) || []) chunk({ content: piece });
    }
    chunk({}, finish);
    if (body.stream_options && body.stream_options.include_usage) {
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model,
                                            choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
}

function messages(req, res, body) {
    if (!req.headers['anthropic-version']) {
        return send(res, 400, { type: 'error', error: { type: 'invalid_request_error',
            message: 'anthropic-version: header is required' } });
    }
    if (!Array.isArray(body.messages) || !body.messages.length || !body.max_tokens) {
        return send(res, 400, { type: 'error', error: { type: 'invalid_request_error',
            message: 'messages and max_tokens are required' } });
    }
    const model = body.model || CLAUDE[0];
    if (failures(model, res, true)) return;
    // Anthropic's tool results are user messages of tool_result parts
    const conv = body.messages.map((m) => {
        if (Array.isArray(m.content) && m.content.some((p) => p.type === 'tool_result')) {
            const r = m.content.find((p) => p.type === 'tool_result');
            return { role: 'tool', content: text(r.content) };
        }
        return m;
    });
    const sys = typeof body.system === 'string' ? body.system : text(body.system);
    const a = answer(sys, conv, body.tools);
    const id = `msg_${++seq}`;
    const use = a.tool ? { type: 'tool_use', id: `toolu_${seq}`, name: a.tool,
                           input: JSON.parse(a.args) } : null;
    const stop = use ? 'tool_use' : 'end_turn';
    if (!body.stream) {
        return send(res, 200, {
            id, type: 'message', role: 'assistant', model,
            content: use ? [use] : [{ type: 'text', text: a.content }],
            stop_reason: stop, stop_sequence: null,
            usage: { input_tokens: a.in, output_tokens: a.out },
        });
    }
    sse(res);
    const ev = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    ev('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [],
                                     stop_reason: null, stop_sequence: null,
                                     usage: { input_tokens: a.in, output_tokens: 1 } } });
    ev('ping', {});
    if (use) {
        ev('content_block_start', { index: 0, content_block: { ...use, input: {} } });
        const half = Math.floor(a.args.length / 2);
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: a.args.slice(0, half) } });
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: a.args.slice(half) } });
    } else {
        ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
        for (const piece of a.content.match(/\S+\s*/g) || []) {
            ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
        }
    }
    ev('content_block_stop', { index: 0 });
    ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: a.out } });
    ev('message_stop', {});
    res.end();
}

function models(req, res) {
    if (req.headers['anthropic-version'] || req.headers['x-api-key']) {
        const data = CLAUDE.map((id) => ({ type: 'model', id, display_name: id,
                                           created_at: '2025-01-01T00:00:00Z' }));
        return send(res, 200, { data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id });
    }
    send(res, 200, { object: 'list', data: MODELS.map((id) => ({
        id, object: 'model', created: 1700000000, owned_by: 'hub-tests' })) });
}

function authorized(req, anthropic) {
    if (!key) return true;
    return anthropic ? req.headers['x-api-key'] === key
                     : req.headers.authorization === `Bearer ${key}`;
}

const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
        let body = {};
        if (raw.length) {
            try { body = JSON.parse(raw); } catch (e) {
                return openaiError(res, 400, 'We could not parse the JSON body of your request.',
                                   'invalid_request_error', null);
            }
        }
        const path = req.url.split('?')[0];
        if (logFile) {
            fs.appendFileSync(logFile, JSON.stringify({ method: req.method, path,
                                                        headers: req.headers, body }) + '\n');
        }
        const anthropic = path === '/v1/messages'
            || (path === '/v1/models' && (req.headers['anthropic-version'] || req.headers['x-api-key']));
        if (!authorized(req, anthropic)) {
            return anthropic
                ? send(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })
                : openaiError(res, 401,
                              // as a careless provider might: the key it got, quoted
                              `Incorrect API key provided: ${(req.headers.authorization || '').replace(/^Bearer /, '')}`,
                              'invalid_request_error', 'invalid_api_key');
        }
        const go = () => {
            if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletions(req, res, body);
            if (req.method === 'POST' && path === '/v1/messages') return messages(req, res, body);
            if (req.method === 'GET' && path === '/v1/models') return models(req, res);
            return openaiError(res, 404, `Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url');
        };
        if (body.model === 'slow') setTimeout(go, slowMs);
        else go();
    });
});
server.listen(port, '127.0.0.1');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); process.exit(0); });
