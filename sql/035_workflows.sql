-- 035: mod_hub_workflows's data model, one for all three profiles that
-- run things (Tool Hub's workflows and executions, G4F's sessions, runs
-- and workflows, GoClaw's providers, agents and chat completions).
--
--   llm_providers      an LLM API a tenant configured (GoClaw /v1/providers,
--                      G4F /providers); the key sealed like a secret
--   agents             a model, a prompt and tools (GoClaw /v1/agents)
--   workflows          a graph of nodes and edges (Tool Hub's `nodes` and
--                      `edges`, G4F's `graph`: both kept as one `graph`
--                      object {"nodes": [...], "edges": [...]})
--   executions         one durable run of a graph: a Tool Hub execution,
--                      a G4F run (of a workflow, or of one agent in a
--                      session), a GoClaw agent wake.  Workers in any
--                      httpd host claim them (FOR UPDATE SKIP LOCKED) and
--                      keep a lease while they run one
--   execution_nodes    one node run of an execution (Tool Hub's node
--                      logs); a row whose status is 'completed' is the
--                      checkpoint: a resumed execution never runs it again
--   chat_sessions      G4F's sessions (not `sessions`: those are the
--                      login sessions of sql/004)
--   chat_messages      a session's messages
--   run_events         what happened in a run, in order: G4F's
--                      /runs/{id}/events and the SSE stream of a session
--   llm_calls          every call the hub made to a provider: GoClaw's
--                      traces, usage and costs read them
--
-- Ids are uuids, as everywhere in the hub.  Every row carries its tenant.

CREATE TABLE llm_providers (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- GoClaw's "unique provider slug"; G4F's provider id is this too
    name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$'),
    display_name text CHECK (length(display_name) <= 200),
    provider_type text NOT NULL CHECK (provider_type IN (
                     'anthropic_native', 'openai_compat', 'gemini_native',
                     'groq', 'deepseek', 'mistral', 'xai', 'ollama')),
    api_base     text CHECK (length(api_base) <= 2000),
    -- AES-256-GCM text "v1:..." (hub_secret.h), additional data the
    -- tenant id; never selected by a statement that answers a request
    api_key      text CHECK (api_key LIKE 'v1:%'),
    enabled      boolean NOT NULL DEFAULT true,
    -- the last check (/verify, /test, /scan): 'unknown', 'ok', 'error'
    status       text NOT NULL DEFAULT 'unknown'
                 CHECK (status IN ('unknown', 'ok', 'error')),
    last_error   text CHECK (length(last_error) <= 2000),
    last_checked_at timestamptz,
    -- the model listing the provider gave at its last check
    models       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(models) = 'array'),
    settings     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);

CREATE TABLE agents (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- GoClaw's "unique agent slug"; chat completions' model
    -- `goclaw:<name>` / `agent:<id or name>` names it
    name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$'),
    display_name text CHECK (length(display_name) <= 200),
    agent_type   text NOT NULL DEFAULT 'open'
                 CHECK (agent_type IN ('open', 'predefined')),
    description  text CHECK (length(description) <= 5000),
    provider_id  uuid REFERENCES llm_providers (id) ON DELETE SET NULL,
    model        text CHECK (length(model) <= 200),
    system_prompt text CHECK (length(system_prompt) <= 100000),
    -- which of the hub's tools it may call (server/tool names), and
    -- whatever else an agent is configured with
    tools        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tools) = 'array'),
    settings     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
CREATE INDEX agents_provider_idx ON agents (provider_id);

CREATE TABLE workflows (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- G4F's workflows belong to a project; Tool Hub's to none
    project_id   uuid REFERENCES projects (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description  text CHECK (length(description) <= 5000),
    tags         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
    graph        jsonb NOT NULL DEFAULT '{"nodes": [], "edges": []}'
                 CHECK (jsonb_typeof(graph) = 'object'),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workflows_tenant_idx ON workflows (tenant_id, created_at, id);
CREATE INDEX workflows_project_idx ON workflows (project_id, created_at, id);

CREATE TABLE chat_sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id   uuid REFERENCES projects (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    status       text NOT NULL DEFAULT 'active'
                 CHECK (length(status) BETWEEN 1 AND 50),
    provider_id  text CHECK (length(provider_id) <= 200),
    model_id     text CHECK (length(model_id) <= 200),
    config       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    memory       jsonb NOT NULL DEFAULT '{}',
    tags         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
    -- the last run_events.seq given out in this session (see below)
    event_seq    bigint NOT NULL DEFAULT 0,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_sessions_project_idx ON chat_sessions (project_id, updated_at, id);
CREATE INDEX chat_sessions_tenant_idx ON chat_sessions (tenant_id);

CREATE TABLE chat_messages (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id   uuid NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    role         text NOT NULL
                 CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    -- G4F's `content[]`: parts such as {"type": "text", "text": "..."}
    content      jsonb NOT NULL CHECK (jsonb_typeof(content) = 'array'),
    meta         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(meta) = 'object'),
    -- the run that wrote it, when a run did
    run_id       uuid,
    ts           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_session_idx ON chat_messages (session_id, ts, id);
CREATE INDEX chat_messages_tenant_idx ON chat_messages (tenant_id);

CREATE TABLE executions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- what runs: a workflow's graph, or (kind 'agent') one agent node
    -- built from a G4F run's `agent` or a GoClaw wake.  A workflow
    -- deleted later leaves its executions as history.
    kind         text NOT NULL DEFAULT 'workflow'
                 CHECK (kind IN ('workflow', 'agent')),
    workflow_id  uuid REFERENCES workflows (id) ON DELETE SET NULL,
    session_id   uuid REFERENCES chat_sessions (id) ON DELETE CASCADE,
    agent_id     uuid REFERENCES agents (id) ON DELETE SET NULL,
    project_id   uuid REFERENCES projects (id) ON DELETE CASCADE,
    -- the graph as it was when the run began: editing the workflow
    -- does not change a run under way
    graph        jsonb NOT NULL CHECK (jsonb_typeof(graph) = 'object'),
    mode         text NOT NULL DEFAULT 'full'
                 CHECK (mode IN ('full', 'mock', 'debug')),
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'paused', 'stopped',
                                   'completed', 'failed', 'cancelled')),
    -- what a caller asked for that a worker carries out between nodes
    -- (and by aborting the outbound call in flight)
    requested    text CHECK (requested IN ('stop', 'cancel')),
    trigger_type text NOT NULL DEFAULT 'manual' CHECK (length(trigger_type) <= 50),
    trigger_id   text CHECK (length(trigger_id) <= 200),
    input        jsonb,
    output       jsonb,
    error        text CHECK (length(error) <= 10000),
    -- the checkpoint: every finished node's output, and what control
    -- nodes decided (branches taken, loop counts), written after each node
    context      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(context) = 'object'),
    progress     real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    usage        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(usage) = 'object'),
    -- the worker that holds it, until when; a lease that ran out (its
    -- host died) lets another worker claim the execution
    claimed_by   text CHECK (length(claimed_by) <= 200),
    lease_until  timestamptz,
    claims       integer NOT NULL DEFAULT 0,
    -- the last run_events.seq of a run outside any session
    event_seq    bigint NOT NULL DEFAULT 0,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    completed_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
-- what the workers look for: runnable executions, oldest first
CREATE INDEX executions_claim_idx ON executions (created_at)
    WHERE status IN ('pending', 'running');
CREATE INDEX executions_tenant_idx ON executions (tenant_id, created_at, id);
CREATE INDEX executions_workflow_idx ON executions (workflow_id, created_at);
CREATE INDEX executions_session_idx ON executions (session_id, created_at);
CREATE INDEX executions_agent_idx ON executions (agent_id);
CREATE INDEX executions_project_idx ON executions (project_id);

CREATE TABLE execution_nodes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    execution_id uuid NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    node_id      text NOT NULL CHECK (length(node_id) BETWEEN 1 AND 200),
    -- a node inside a feedback loop runs once per iteration
    iteration    integer NOT NULL DEFAULT 0 CHECK (iteration >= 0),
    status       text NOT NULL
                 CHECK (status IN ('running', 'completed', 'failed',
                                   'skipped', 'cancelled', 'waiting')),
    input        jsonb,
    output       jsonb,
    error        text CHECK (length(error) <= 10000),
    retry_count  integer NOT NULL DEFAULT 0,
    started_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    duration_ms  integer,
    UNIQUE (execution_id, node_id, iteration)
);
CREATE INDEX execution_nodes_tenant_idx ON execution_nodes (tenant_id);

-- Events carry a seq that only grows in the order they commit, per
-- session (or per run outside a session), so that a reader that saw
-- seq N and asks for "after N" misses nothing: the seq is given out by
-- an UPDATE of the session's (or run's) row, whose lock makes a second
-- writer wait until the first commits.  A global sequence would not:
-- its numbers commit out of order.
CREATE TABLE run_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    run_id       uuid NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    session_id   uuid REFERENCES chat_sessions (id) ON DELETE CASCADE,
    seq          bigint NOT NULL,
    type         text NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    data         jsonb NOT NULL DEFAULT '{}',
    ts           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX run_events_session_seq_idx ON run_events (session_id, seq)
    WHERE session_id IS NOT NULL;
CREATE INDEX run_events_run_idx ON run_events (run_id, seq);
CREATE INDEX run_events_tenant_idx ON run_events (tenant_id);

-- Append one event to a run and return its seq: the one way events are
-- written (the engine, the runs' API, the chat completions).
CREATE FUNCTION hub_run_event_append(p_tenant uuid, p_run uuid,
                                     p_type text, p_data jsonb)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_session uuid;
    v_seq     bigint;
BEGIN
    SELECT session_id INTO v_session FROM executions
     WHERE id = p_run AND tenant_id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no run % in tenant %', p_run, p_tenant
            USING ERRCODE = 'no_data_found';
    END IF;
    IF v_session IS NOT NULL THEN
        UPDATE chat_sessions SET event_seq = event_seq + 1
         WHERE id = v_session RETURNING event_seq INTO v_seq;
    ELSE
        UPDATE executions SET event_seq = event_seq + 1
         WHERE id = p_run RETURNING event_seq INTO v_seq;
    END IF;
    INSERT INTO run_events (tenant_id, run_id, session_id, seq, type, data)
    VALUES (p_tenant, p_run, v_session, v_seq, p_type,
            coalesce(p_data, '{}'));
    RETURN v_seq;
END $$;

CREATE TABLE llm_calls (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- a trace is one request to the hub (a chat completion) or one
    -- execution; its calls are its spans
    trace_id      uuid NOT NULL,
    execution_id  uuid REFERENCES executions (id) ON DELETE SET NULL,
    node_id       text CHECK (length(node_id) <= 200),
    agent_id      uuid REFERENCES agents (id) ON DELETE SET NULL,
    provider_id   uuid REFERENCES llm_providers (id) ON DELETE SET NULL,
    provider_type text CHECK (length(provider_type) <= 50),
    model         text CHECK (length(model) <= 200),
    streamed      boolean NOT NULL DEFAULT false,
    status        text NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
    error         text CHECK (length(error) <= 2000),
    http_status   integer,
    input_tokens  integer NOT NULL DEFAULT 0,
    output_tokens integer NOT NULL DEFAULT 0,
    -- in US dollars, from the model's pricing where the hub knows it
    cost          numeric(14, 8) NOT NULL DEFAULT 0,
    started_at    timestamptz NOT NULL DEFAULT now(),
    duration_ms   integer NOT NULL DEFAULT 0
);
CREATE INDEX llm_calls_tenant_idx ON llm_calls (tenant_id, started_at);
CREATE INDEX llm_calls_trace_idx ON llm_calls (trace_id, started_at);
CREATE INDEX llm_calls_execution_idx ON llm_calls (execution_id);
CREATE INDEX llm_calls_agent_idx ON llm_calls (agent_id);
CREATE INDEX llm_calls_provider_idx ON llm_calls (provider_id);
