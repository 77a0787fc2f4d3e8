-- 010: what a tenant adds to the tools the prober stores, and their
-- quality scores.
--
-- added_context: Caylex's free-form context appended to a tool's
-- description (PATCH /servers/{server_id}/tools/{tool_id}).
--
-- quality_*: the rubric of modules/common/hub_quality.h, computed when a
-- tool's quality is asked for and kept until its definition (or the
-- rubric) changes: quality_basis is "<rubric>:" || md5(definition::text),
-- so a probe that lists the same definition again keeps the score and its
-- quality_analyzed_at, and one that changes it makes it computed afresh.
ALTER TABLE tools
    ADD COLUMN added_context text CHECK (length(added_context) <= 10000),
    ADD COLUMN quality_score integer
               CHECK (quality_score BETWEEN 0 AND 100),
    ADD COLUMN quality_issues jsonb
               CHECK (jsonb_typeof(quality_issues) = 'array'),
    ADD COLUMN quality_basis text,
    ADD COLUMN quality_analyzed_at timestamptz;
