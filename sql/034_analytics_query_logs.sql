-- 034: what Caylex's query logs, traces and user analytics read of the
-- gateway's call records (mcp_calls, sql/023 and sql/030) quickly.
--
-- A query is the record of a compact navigator's search_tools call (its
-- `query` text set, a new query_id); the tool calls that follow it in
-- the same session carry its query_id.  The rollups (sql/030) keep
-- neither the id nor the caller, so these endpoints read raw rows:
--
-- - a query's record and its tool calls by query_id, from every day's
--   partition (a query's calls may run past midnight): one probe of a
--   small partial index per partition, not a scan;
-- - a project's queries, newest first, for its query log.
--
-- (A project user's calls are found by sql/027's mcp_calls_user_idx.)
-- Both are partial: most records carry no query id nor query text.  Indexes on the partitioned table are
-- made on every partition, the ones to come too.
CREATE INDEX mcp_calls_query_idx ON mcp_calls (query_id, at)
    WHERE query_id IS NOT NULL;
-- (with what the log's count and filters read: an index-only scan)
CREATE INDEX mcp_calls_project_queries_idx
    ON mcp_calls (tenant_id, project_id, at)
    INCLUDE (query_id, navigator_instance_id, method)
    WHERE query IS NOT NULL;
