-- 041: an agent's memory and knowledge graph (mod_hub_workflows,
-- hub_wf_memory_store.c; GoClaw's /v1/memory/documents,
-- /v1/agents/{agentID}/memory/search and /v1/agents/{agentID}/kg/*).
--
--   memory_documents   what an agent remembers: one text per path (GoClaw's
--                      MEMORY.md, memory/2026-01-01.md, ...), searched with
--                      PostgreSQL's full-text search (tsv, GIN); no
--                      embeddings: the hub has no embedding model
--   kg_entities        the knowledge graph's nodes: one per agent, name and
--                      entity_type (an upsert updates it)
--   kg_relations       its edges, source -[relation_type]-> target, both of
--                      the same agent; one per source, type and target

CREATE TABLE memory_documents (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    agent_id    uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    path        text NOT NULL CHECK (length(path) BETWEEN 1 AND 500),
    title       text CHECK (length(title) <= 500),
    content     text NOT NULL DEFAULT '' CHECK (length(content) <= 1000000),
    -- GoClaw's `hash`: tells a client whether the text changed
    hash        text GENERATED ALWAYS AS (md5(content)) STORED,
    -- the title weighs most, then the path, then the text
    tsv         tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english'::regconfig,
                                          coalesce(title, '')), 'A')
                    || setweight(to_tsvector('english'::regconfig,
                                             replace(path, '/', ' ')), 'B')
                    || setweight(to_tsvector('english'::regconfig, content),
                                 'D')) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, path)
);
CREATE INDEX memory_documents_tsv_idx ON memory_documents USING gin (tsv);
CREATE INDEX memory_documents_tenant_idx
    ON memory_documents (tenant_id, updated_at DESC);

CREATE TABLE kg_entities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    agent_id    uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    -- the caller's own id for it (GoClaw's external_id), optional here
    external_id text CHECK (length(external_id) <= 200),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    entity_type text NOT NULL CHECK (length(entity_type) BETWEEN 1 AND 100),
    description text CHECK (length(description) <= 10000),
    properties  jsonb NOT NULL DEFAULT '{}'
                CHECK (jsonb_typeof(properties) = 'object'),
    confidence  double precision NOT NULL DEFAULT 1
                CHECK (confidence > 0 AND confidence <= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, name, entity_type)
);
CREATE INDEX kg_entities_tenant_idx ON kg_entities (tenant_id, agent_id);

CREATE TABLE kg_relations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    agent_id         uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    source_entity_id uuid NOT NULL REFERENCES kg_entities (id) ON DELETE CASCADE,
    relation_type    text NOT NULL
                     CHECK (length(relation_type) BETWEEN 1 AND 100),
    target_entity_id uuid NOT NULL REFERENCES kg_entities (id) ON DELETE CASCADE,
    confidence       double precision NOT NULL DEFAULT 1
                     CHECK (confidence > 0 AND confidence <= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_entity_id, relation_type, target_entity_id)
);
CREATE INDEX kg_relations_target_idx ON kg_relations (target_entity_id);
