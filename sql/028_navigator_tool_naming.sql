-- 028: how the gateway names a navigator's tools: 'prefixed' (every tool
-- server__tool, the server's tool_prefix or slug first) or 'bare' (a
-- tool's own name, server__tool only for a name two of the project's
-- servers share, so names stay unambiguous).  A hub extension of
-- Caylex's navigator (tool_naming), beside tool_exposure (026).
ALTER TABLE navigators ADD COLUMN tool_naming text NOT NULL DEFAULT 'prefixed'
    CHECK (tool_naming IN ('prefixed', 'bare'));
