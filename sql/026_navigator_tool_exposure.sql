-- 026: how a navigator shows its tools to agents (the MCP gateway):
-- 'all' lists every aggregated tool; 'compact' lists two meta tools,
-- search_tools and call_tool, so an agent facing hundreds of upstream
-- tools spends a few hundred tokens of context on them, not tens of
-- thousands.  A hub extension of Caylex's navigator (tool_exposure).
-- (025 is left to the project auth links.)
ALTER TABLE navigators ADD COLUMN tool_exposure text NOT NULL DEFAULT 'all'
    CHECK (tool_exposure IN ('all', 'compact'));
