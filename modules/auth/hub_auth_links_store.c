/* Auth links and project users: the one store of auth_links,
 * auth_link_instances, auth_link_users, project_users and
 * project_user_servers (sql/006, sql/027), behind Caylex's
 * /projects/{project_id}/auth-links, .../users and
 * .../authenticate-servers (hub_auth_links.c, hub_auth_project_users.c)
 * and the /invite endpoints (hub_auth_caylex_access.c).
 *
 * Every statement names the caller's tenant, except the /invite ones:
 * there a link's id and token are the capability, so they find the link
 * by both, in whichever tenant it is.  Every change of many rows is one
 * statement, so one transaction. */
#include <apr_strings.h>
#include "hub_auth_links.h"

/* clang-format off */
/* the project of the path, in the caller's tenant */
#define PROJECT_CTE \
    "p AS (SELECT id, tenant_id FROM projects" \
    "       WHERE id = %s::uuid AND tenant_id = %s::uuid)"

/* a server instance of the tenant and its server, from alias a (a row
 * with server_instance_id and tenant_id) */
#define INSTANCE_JOIN \
    " JOIN server_instances si ON si.id = a.server_instance_id" \
    "  AND si.tenant_id = a.tenant_id" \
    " JOIN servers s ON s.id = si.server_id AND s.tenant_id = si.tenant_id"

/* Caylex's InviteLinkResponse and AuthLinkDetailsResponse of link l.
 * users: a project link's addresses, and whoever completed the link,
 * each with the times of their completion (null: not yet). */
#define LINK_COLS(l) \
    l ".id, " l ".link_type, iso8601(" l ".expires_at) AS expires_at," \
    " iso8601(" l ".created_at) AS created_at," \
    " (SELECT coalesce(json_agg(json_build_object('id', si.id," \
    "         'name', s.name, 'logo_url', s.logo_url," \
    "         'valid_for', a.valid_for) ORDER BY a.position), '[]')" \
    "    FROM auth_link_instances a" INSTANCE_JOIN \
    "   WHERE a.auth_link_id = " l ".id) AS server_instances," \
    " (SELECT coalesce(json_agg(json_build_object(" \
    "         'email', coalesce(u.email, e.email)," \
    "         'first_authenticated', iso8601(c.first_completed_at)," \
    "         'last_authenticated', iso8601(c.completed_at))" \
    "         ORDER BY c.first_completed_at NULLS LAST, e.email), '[]')" \
    "    FROM (SELECT a.valid_for AS email FROM auth_link_instances a" \
    "           WHERE a.auth_link_id = " l ".id" \
    "             AND " l ".link_type = 'project' AND a.valid_for IS NOT NULL" \
    "          UNION" \
    "          SELECT lower(u.email) FROM auth_link_users c" \
    "            JOIN users u ON u.id = c.user_id" \
    "           WHERE c.auth_link_id = " l ".id) e" \
    "    LEFT JOIN users u ON lower(u.email) = e.email" \
    "    LEFT JOIN auth_link_users c ON c.auth_link_id = " l ".id" \
    "     AND c.user_id = u.id) AS users," \
    " (SELECT count(*) FROM auth_link_users c" \
    "   WHERE c.auth_link_id = " l ".id) AS user_count"

/* want (id, valid_for, position) checked against the tenant's server
 * instances: unknown ones, and those of another project than pid */
#define VERDICT_CTES(pid) \
    " found AS (SELECT w.id, si.project_id = " pid " AS here FROM want w" \
    "   LEFT JOIN server_instances si ON si.id = w.id" \
    "    AND si.tenant_id = %s::uuid)," \
    " verdict AS (SELECT count(*) FILTER (WHERE here IS NULL) AS unknown," \
    "                    count(*) FILTER (WHERE NOT here) AS elsewhere" \
    "               FROM found)"

/* the link's admission list: the distinct valid_for of its instances */
#define VALID_FOR_OF_WANT \
    "(SELECT array_agg(DISTINCT w.valid_for ORDER BY w.valid_for)" \
    "   FROM want w WHERE w.valid_for IS NOT NULL)"

const hub_stmt_t hub_auth_links_stmts[] = {
    { "hub_link_insert",
      "WITH " PROJECT_CTE ","
      " want AS (SELECT (e.v->>'id')::uuid AS id,"
      "                 lower(e.v->>'valid_for') AS valid_for,"
      "                 e.n::int AS position"
      "            FROM jsonb_array_elements(%s::jsonb)"
      "                 WITH ORDINALITY AS e(v, n)),"
      VERDICT_CTES("(SELECT id FROM p)") ","
      " link AS (INSERT INTO auth_links (tenant_id, project_id, link_type,"
      "                                  valid_for, token_hash, expires_at,"
      "                                  created_by)"
      "          SELECT p.tenant_id, p.id, %s, " VALID_FOR_OF_WANT ", %s,"
      "                 %s::timestamptz, %s::uuid"
      "            FROM p, verdict v WHERE v.unknown = 0 AND v.elsewhere = 0"
      "          RETURNING id, tenant_id, expires_at),"
      " ins AS (INSERT INTO auth_link_instances (auth_link_id,"
      "                   server_instance_id, tenant_id, valid_for, position)"
      "         SELECT link.id, w.id, link.tenant_id, w.valid_for, w.position"
      "           FROM link, want w RETURNING 1)"
      " SELECT (SELECT id FROM p) AS project, v.unknown, v.elsewhere,"
      "        link.id, iso8601(link.expires_at) AS expires_at,"
      "        (SELECT count(*) FROM ins) AS instances"
      "   FROM verdict v LEFT JOIN link ON true" },
    /* a user link for the instances whose server takes credentials per
     * user, a project link for the rest; neither when one is wrong */
    { "hub_links_for_instances",
      "WITH " PROJECT_CTE ","
      " want AS (SELECT x.id, NULL::text AS valid_for, x.n::int AS position"
      "            FROM unnest(%s::uuid[]) WITH ORDINALITY AS x(id, n)),"
      VERDICT_CTES("(SELECT id FROM p)") ","
      " level AS (SELECT w.id, w.position, s.auth_level FROM want w"
      "   JOIN server_instances si ON si.id = w.id"
      "    AND si.tenant_id = %s::uuid"
      "   JOIN servers s ON s.id = si.server_id AND s.tenant_id = si.tenant_id),"
      " go AS (SELECT p.* FROM p, verdict v"
      "         WHERE v.unknown = 0 AND v.elsewhere = 0),"
      " ul AS (INSERT INTO auth_links (tenant_id, project_id, link_type,"
      "                                token_hash, expires_at, created_by)"
      "        SELECT go.tenant_id, go.id, 'user', %s, %s::timestamptz,"
      "               %s::uuid FROM go"
      "         WHERE EXISTS (SELECT 1 FROM level WHERE auth_level = 'user')"
      "        RETURNING id, tenant_id, expires_at),"
      " pl AS (INSERT INTO auth_links (tenant_id, project_id, link_type,"
      "                                token_hash, expires_at, created_by)"
      "        SELECT go.tenant_id, go.id, 'project', %s, %s::timestamptz,"
      "               %s::uuid FROM go"
      "         WHERE EXISTS (SELECT 1 FROM level WHERE auth_level <> 'user')"
      "        RETURNING id, tenant_id, expires_at),"
      " ins AS (INSERT INTO auth_link_instances (auth_link_id,"
      "                   server_instance_id, tenant_id, position)"
      "         SELECT ul.id, v.id, ul.tenant_id, v.position FROM ul, level v"
      "          WHERE v.auth_level = 'user'"
      "         UNION ALL"
      "         SELECT pl.id, v.id, pl.tenant_id, v.position FROM pl, level v"
      "          WHERE v.auth_level <> 'user'"
      "         RETURNING 1)"
      " SELECT (SELECT id FROM p) AS project, v.unknown, v.elsewhere,"
      "        ul.id AS user_link, iso8601(ul.expires_at) AS user_expires_at,"
      "        pl.id AS project_link,"
      "        iso8601(pl.expires_at) AS project_expires_at,"
      "        (SELECT count(*) FROM ins) AS instances"
      "   FROM verdict v LEFT JOIN ul ON true LEFT JOIN pl ON true" },
    /* the link locked; instances replaced (those left out deleted, the
     * others written) only when every one is the project's */
    { "hub_link_update",
      "WITH " PROJECT_CTE ","
      " l AS (SELECT x.id FROM auth_links x"
      "        WHERE x.id = %s::uuid AND x.project_id = %s::uuid"
      "          AND x.tenant_id = %s::uuid AND x.link_type = %s"
      "        FOR UPDATE),"
      " want AS (SELECT (e.v->>'id')::uuid AS id,"
      "                 lower(e.v->>'valid_for') AS valid_for,"
      "                 e.n::int AS position"
      "            FROM jsonb_array_elements(coalesce(%s::jsonb, '[]'))"
      "                 WITH ORDINALITY AS e(v, n)"
      "           WHERE %s::jsonb IS NOT NULL"
      "          UNION ALL"
      "          SELECT a.server_instance_id,"
      "                 coalesce(lower(%s::text), a.valid_for), a.position"
      "            FROM auth_link_instances a JOIN l ON a.auth_link_id = l.id"
      "           WHERE %s::jsonb IS NULL),"
      VERDICT_CTES("%s::uuid") ","
      " ok AS (SELECT l.id FROM l, verdict v"
      "         WHERE v.unknown = 0 AND v.elsewhere = 0),"
      " del AS (DELETE FROM auth_link_instances a USING ok"
      "          WHERE a.auth_link_id = ok.id"
      "            AND a.server_instance_id NOT IN (SELECT id FROM want)"
      "         RETURNING 1),"
      " ins AS (INSERT INTO auth_link_instances (auth_link_id,"
      "                   server_instance_id, tenant_id, valid_for, position)"
      "         SELECT ok.id, w.id, %s::uuid, w.valid_for, w.position"
      "           FROM ok, want w"
      "         ON CONFLICT (auth_link_id, server_instance_id) DO UPDATE"
      "            SET valid_for = EXCLUDED.valid_for,"
      "                position = EXCLUDED.position"
      "         RETURNING 1),"
      " upd AS (UPDATE auth_links x"
      "            SET expires_at = coalesce(%s::timestamptz, x.expires_at),"
      "                valid_for = " VALID_FOR_OF_WANT ","
      "                updated_at = now()"
      "           FROM ok WHERE x.id = ok.id RETURNING x.id)"
      " SELECT (SELECT id FROM p) AS project, (SELECT id FROM l) AS link,"
      "        v.unknown, v.elsewhere, (SELECT count(*) FROM upd) AS updated,"
      "        (SELECT count(*) FROM del) + (SELECT count(*) FROM ins)"
      "          AS instances"
      "   FROM verdict v" },
    { "hub_link_delete",
      "WITH " PROJECT_CTE ","
      " d AS (DELETE FROM auth_links l USING p"
      "        WHERE l.id = %s::uuid AND l.project_id = p.id"
      "          AND l.tenant_id = p.tenant_id RETURNING l.id)"
      " SELECT (SELECT id FROM p) AS project,"
      "        (SELECT count(*) FROM d) AS deleted" },
    { "hub_link_get",
      "SELECT p.id AS project, x.* FROM projects p LEFT JOIN LATERAL ("
      "  SELECT " LINK_COLS("l") " FROM auth_links l"
      "   WHERE l.id = %s::uuid AND l.project_id = p.id"
      "     AND l.tenant_id = p.tenant_id) x ON true"
      " WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid" },
    /* the count and the page in one round trip; no row: no project */
    { "hub_links_page",
      "WITH " PROJECT_CTE ","
      " f AS (SELECT l.* FROM auth_links l JOIN p ON l.project_id = p.id"
      "        WHERE l.tenant_id = p.tenant_id"
      "          AND (%s::text IS NULL OR (%s::text = 'active')"
      "               = (l.revoked_at IS NULL AND l.expires_at > now()))"
      "          AND (%s::text IS NULL OR l.link_type = %s::text)"
      "          AND (%s::uuid[] IS NULL OR EXISTS ("
      "               SELECT 1 FROM auth_link_instances a"
      "                WHERE a.auth_link_id = l.id"
      "                  AND a.server_instance_id = ANY (%s::uuid[]))))"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM p LEFT JOIN LATERAL (SELECT " LINK_COLS("f") " FROM f"
      "     ORDER BY f.created_at DESC, f.id DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_link_users_page",
      "WITH " PROJECT_CTE ","
      " l AS (SELECT x.id FROM auth_links x JOIN p ON x.project_id = p.id"
      "        WHERE x.id = %s::uuid AND x.tenant_id = p.tenant_id),"
      " f AS (SELECT c.user_id, u.email FROM auth_link_users c"
      "         JOIN l ON c.auth_link_id = l.id"
      "         JOIN users u ON u.id = c.user_id"
      "        WHERE %s::text IS NULL"
      "           OR strpos(lower(u.email), lower(%s::text)) > 0)"
      " SELECT (SELECT id FROM l) AS link, (SELECT count(*) FROM f) AS total,"
      "        x.*"
      "   FROM p LEFT JOIN LATERAL ("
      "   SELECT f.user_id AS id, f.email AS user_email,"
      "          (SELECT coalesce(json_agg(json_build_object("
      "                  'server_instance_id', a.server_instance_id,"
      "                  'authenticated_at', iso8601(a.authenticated_at),"
      "                  'current_auth_link', a.auth_link_id)"
      "                  ORDER BY a.authenticated_at DESC, s.name,"
      "                           a.server_instance_id), '[]')"
      "             FROM project_users pu"
      "             JOIN project_user_servers a ON a.project_user_id = pu.id"
      "             JOIN auth_link_instances ai"
      "               ON ai.server_instance_id = a.server_instance_id"
      "              AND ai.auth_link_id = (SELECT id FROM l)" INSTANCE_JOIN
      "            WHERE pu.project_id = p.id AND pu.tenant_id = p.tenant_id"
      "              AND pu.user_id = f.user_id) AS authenticated_servers"
      "     FROM f ORDER BY lower(f.email), f.user_id"
      "    LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    /* ---- /invite: by id and token, across tenants on purpose ---- */
    { "hub_invite_find",
      "SELECT l.id, l.tenant_id, l.project_id, l.link_type, l.valid_for,"
      "       iso8601(l.expires_at) AS expires_at, t.name AS tenant_name,"
      "       p.name AS project_name"
      "  FROM auth_links l"
      "  JOIN tenants t ON t.id = l.tenant_id"
      "  JOIN projects p ON p.id = l.project_id AND p.tenant_id = l.tenant_id"
      " WHERE l.id = %s::uuid AND l.token_hash = %s AND l.revoked_at IS NULL"
      "   AND l.expires_at > now()" },
    { "hub_invite_instances",
      "SELECT a.server_instance_id, s.id AS server_id, s.name AS server_name,"
      "       s.auth_method, s.auth_config"
      "  FROM auth_links l"
      "  JOIN auth_link_instances a ON a.auth_link_id = l.id"
      "   AND a.tenant_id = l.tenant_id" INSTANCE_JOIN
      " WHERE l.id = %s::uuid AND l.token_hash = %s AND l.revoked_at IS NULL"
      "   AND l.expires_at > now()"
      "   AND (l.link_type = 'user' OR a.valid_for IS NULL"
      "        OR a.valid_for = lower(%s::text))"
      " ORDER BY a.position" },
    /* the link checked again, the membership made (a pending one
     * approved, a disabled one left alone: no link for it), the
     * completion recorded, the project user made and their
     * authentications written */
    { "hub_invite_complete",
      "WITH link AS ("
      "  SELECT l.id, l.tenant_id, l.project_id, l.role, l.link_type"
      "    FROM auth_links l"
      "   WHERE l.id = %s::uuid AND l.token_hash = %s"
      "     AND l.revoked_at IS NULL AND l.expires_at > now()"
      "     AND NOT EXISTS (SELECT 1 FROM memberships d"
      "                      WHERE d.tenant_id = l.tenant_id"
      "                        AND d.user_id = %s::uuid"
      "                        AND d.state = 'disabled')),"
      " before AS ("
      "  SELECT 1 FROM memberships m JOIN link ON m.tenant_id = link.tenant_id"
      "   WHERE m.user_id = %s::uuid),"
      " mem AS ("
      "  INSERT INTO memberships (tenant_id, user_id, role, state)"
      "  SELECT tenant_id, %s::uuid, role, 'active' FROM link"
      "  ON CONFLICT (tenant_id, user_id) DO UPDATE"
      "     SET state = 'active', updated_at = now()"
      "   WHERE memberships.state = 'pending' RETURNING 1),"
      " used AS ("
      "  INSERT INTO auth_link_users (auth_link_id, tenant_id, user_id,"
      "                               descope_user_id)"
      "  SELECT id, tenant_id, %s::uuid, %s::text FROM link"
      "  ON CONFLICT (auth_link_id, user_id) DO UPDATE"
      "     SET completed_at = now(),"
      "         descope_user_id = EXCLUDED.descope_user_id RETURNING 1),"
      " pu AS ("
      "  INSERT INTO project_users (tenant_id, project_id, user_id)"
      "  SELECT tenant_id, project_id, %s::uuid FROM link"
      "  ON CONFLICT (project_id, user_id) DO UPDATE SET updated_at = now()"
      "  RETURNING id),"
      " auth AS ("
      "  INSERT INTO project_user_servers (project_user_id,"
      "         server_instance_id, tenant_id, auth_method, auth_link_id)"
      "  SELECT pu.id, a.server_instance_id, a.tenant_id, s.auth_method,"
      "         link.id"
      "    FROM link CROSS JOIN pu"
      "    JOIN auth_link_instances a ON a.auth_link_id = link.id"
      "     AND a.tenant_id = link.tenant_id" INSTANCE_JOIN
      "   WHERE (link.link_type = 'user' OR a.valid_for IS NULL"
      "          OR a.valid_for = lower(%s::text))"
      "     AND (s.auth_method = 'none'"
      "          OR (s.auth_method = 'oauth'"
      "              AND a.server_instance_id = ANY (%s::uuid[])))"
      "  ON CONFLICT (project_user_id, server_instance_id) DO UPDATE"
      "     SET auth_method = EXCLUDED.auth_method,"
      "         auth_link_id = EXCLUDED.auth_link_id, authenticated_at = now()"
      "  RETURNING 1)"
      " SELECT (SELECT count(*) FROM link) AS found,"
      "        NOT EXISTS (SELECT 1 FROM before) AS is_new,"
      "        (SELECT id FROM pu) AS user_token_id,"
      "        (SELECT count(*) FROM auth) AS authenticated" },
    /* ---- project users ---- */
    /* the page's week of tool calls, counted for its users only */
    { "hub_project_users_page",
      "WITH " PROJECT_CTE ","
      " f AS (SELECT pu.id, pu.user_id, u.email,"
      "              (SELECT max(a.authenticated_at)"
      "                 FROM project_user_servers a"
      "                WHERE a.project_user_id = pu.id) AS last_at"
      "         FROM project_users pu JOIN p ON pu.project_id = p.id"
      "          AND pu.tenant_id = p.tenant_id"
      "         JOIN users u ON u.id = pu.user_id"
      "        WHERE (%s::text IS NULL"
      "               OR strpos(lower(u.email), lower(%s::text)) > 0)"
      "          AND (%s::uuid[] IS NULL OR EXISTS ("
      "               SELECT 1 FROM project_user_servers a"
      "                WHERE a.project_user_id = pu.id"
      "                  AND a.server_instance_id = ANY (%s::uuid[])))),"
      " page AS (SELECT * FROM f"
      "           ORDER BY last_at DESC NULLS LAST, lower(email), id"
      "           LIMIT %s::bigint OFFSET %s::bigint),"
      " calls AS (SELECT c.user_id, count(*) AS n FROM mcp_calls c, p"
      "            WHERE c.tenant_id = p.tenant_id AND c.project_id = p.id"
      "              AND c.method = 'tools/call'"
      "              AND c.at > now() - interval '7 days'"
      "              AND c.user_id IN (SELECT user_id FROM page)"
      "            GROUP BY c.user_id),"
      " inst AS (SELECT count(*) AS n FROM server_instances si, p"
      "           WHERE si.project_id = p.id AND si.tenant_id = p.tenant_id)"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM p LEFT JOIN LATERAL ("
      "   SELECT g.id, g.email AS user_email,"
      "          (SELECT count(*) FROM project_user_servers a"
      "            WHERE a.project_user_id = g.id)"
      "            AS authenticated_servers_count,"
      "          (SELECT n FROM inst) AS total_project_server_instances,"
      "          (SELECT coalesce(json_agg(s.logo_url"
      "                  ORDER BY a.authenticated_at DESC, s.name,"
      "                           a.server_instance_id), '[]')"
      "             FROM project_user_servers a" INSTANCE_JOIN
      "            WHERE a.project_user_id = g.id) AS server_logos,"
      "          iso8601(g.last_at) AS last_authentication_at,"
      "          0 AS weekly_queries, coalesce(c.n, 0) AS weekly_tool_calls"
      "     FROM page g LEFT JOIN calls c ON c.user_id = g.user_id"
      "    ORDER BY g.last_at DESC NULLS LAST, lower(g.email), g.id) x"
      "   ON true" },
    { "hub_project_user_get",
      "SELECT p.id AS project, x.* FROM projects p LEFT JOIN LATERAL ("
      "  SELECT pu.id, u.email AS user_email,"
      "         (SELECT coalesce(json_agg(json_build_object("
      "                 'server_instance_id', a.server_instance_id,"
      "                 'server_name', s.name, 'logo_url', s.logo_url,"
      "                 'auth_method', a.auth_method,"
      "                 'authenticated_at', iso8601(a.authenticated_at))"
      "                 ORDER BY a.authenticated_at DESC, s.name,"
      "                          a.server_instance_id), '[]')"
      "            FROM project_user_servers a" INSTANCE_JOIN
      "           WHERE a.project_user_id = pu.id) AS servers"
      "    FROM project_users pu JOIN users u ON u.id = pu.user_id"
      "   WHERE pu.id = %s::uuid AND pu.project_id = p.id"
      "     AND pu.tenant_id = p.tenant_id) x ON true"
      " WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid" },
    { "hub_project_user_revoke",
      "WITH " PROJECT_CTE ","
      " pu AS (SELECT x.id FROM project_users x JOIN p ON x.project_id = p.id"
      "         AND x.tenant_id = p.tenant_id"
      "         WHERE x.id = %s::uuid FOR UPDATE OF x),"
      " del AS (DELETE FROM project_user_servers a USING pu"
      "          WHERE a.project_user_id = pu.id"
      "            AND a.server_instance_id = ANY (%s::uuid[])"
      "         RETURNING a.server_instance_id)"
      " SELECT (SELECT id FROM p) AS project,"
      "        (SELECT count(*) FROM pu) AS found,"
      "        (SELECT coalesce(array_agg(d.server_instance_id::text"
      "                ORDER BY array_position(%s::uuid[],"
      "                                        d.server_instance_id)), '{}')"
      "           FROM del d) AS revoked,"
      "        (SELECT count(*) FROM del) AS deleted" },
    /* a plain member whose last project of the tenant this was, and who
     * is nothing more anywhere, leaves the tenant too (Caylex deletes
     * such a user); their keys here are revoked with it */
    { "hub_project_user_delete",
      "WITH " PROJECT_CTE ","
      " gone AS (DELETE FROM project_users x USING p"
      "           WHERE x.id = %s::uuid AND x.project_id = p.id"
      "             AND x.tenant_id = p.tenant_id"
      "          RETURNING x.id, x.user_id, x.tenant_id, x.project_id),"
      " links AS (DELETE FROM auth_link_users c USING gone, auth_links l"
      "            WHERE c.user_id = gone.user_id AND c.auth_link_id = l.id"
      "              AND l.project_id = gone.project_id"
      "              AND l.tenant_id = gone.tenant_id RETURNING 1),"
      " leave AS (SELECT m.tenant_id, m.user_id FROM memberships m"
      "             JOIN gone ON m.tenant_id = gone.tenant_id"
      "              AND m.user_id = gone.user_id"
      "            WHERE m.role = 'member'"
      "              AND NOT EXISTS (SELECT 1 FROM project_users o"
      "                   WHERE o.user_id = gone.user_id"
      "                     AND o.tenant_id = gone.tenant_id"
      "                     AND o.id <> gone.id)"
      "              AND NOT EXISTS (SELECT 1 FROM memberships o"
      "                   WHERE o.user_id = gone.user_id"
      "                     AND o.role <> 'member')"
      "              AND NOT EXISTS (SELECT 1 FROM users u"
      "                   WHERE u.id = gone.user_id AND u.is_superuser)"
      "            FOR UPDATE OF m),"
      " ended AS (DELETE FROM memberships m USING leave"
      "            WHERE m.tenant_id = leave.tenant_id"
      "              AND m.user_id = leave.user_id"
      "           RETURNING m.tenant_id, m.user_id),"
      " revoked AS (UPDATE api_keys k SET revoked_at = now(),"
      "                                   updated_at = now()"
      "               FROM ended"
      "              WHERE k.tenant_id = ended.tenant_id"
      "                AND k.user_id = ended.user_id AND k.revoked_at IS NULL"
      "             RETURNING k.key_hash)"
      " SELECT (SELECT id FROM p) AS project, (SELECT id FROM gone) AS id,"
      "        (SELECT count(*) FROM ended) AS left_tenant,"
      "        (SELECT count(*) FROM links) AS completions,"
      "        (SELECT string_agg(key_hash, ',') FROM revoked) AS revoked" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_LINK_INSERT,
    ST_LINKS_FOR_INSTANCES,
    ST_LINK_UPDATE,
    ST_LINK_DELETE,
    ST_LINK_GET,
    ST_LINKS_PAGE,
    ST_LINK_USERS_PAGE,
    ST_INVITE_FIND,
    ST_INVITE_INSTANCES,
    ST_INVITE_COMPLETE,
    ST_USERS_PAGE,
    ST_USER_GET,
    ST_USER_REVOKE,
    ST_USER_DELETE
};

static hub_db_status_e run(hub_req_t *hr, int which, hub_rows_t **rows,
                           int nargs, const char **args)
{
    return hub_db_select(hr->r, &hub_auth_links_stmts[which], rows, nargs,
                         args);
}

/* ---- links -------------------------------------------------------------- */

hub_db_status_e hub_auth_link_insert(hub_req_t *hr, const hub_link_new_t *in,
                                     hub_rows_t **row)
{
    const char *args[8];
    args[0] = in->project_id;
    args[1] = hr->who->tenant_id;
    args[2] = in->instances;
    args[3] = hr->who->tenant_id;
    args[4] = in->type;
    args[5] = in->token_hash;
    args[6] = in->expires_at;
    args[7] = hr->who->user_id;
    return run(hr, ST_LINK_INSERT, row, 8, args);
}

hub_db_status_e hub_auth_links_for_instances(
    hub_req_t *hr, const char *project_id, const char *ids,
    const char *user_hash, const char *project_hash, const char *expires_at,
    hub_rows_t **row)
{
    const char *args[11];
    args[0] = project_id;
    args[1] = hr->who->tenant_id;
    args[2] = ids;
    args[3] = args[4] = hr->who->tenant_id;
    args[5] = user_hash;
    args[6] = expires_at;
    args[7] = hr->who->user_id;
    args[8] = project_hash;
    args[9] = expires_at;
    args[10] = hr->who->user_id;
    return run(hr, ST_LINKS_FOR_INSTANCES, row, 11, args);
}

hub_db_status_e hub_auth_link_update(hub_req_t *hr, const hub_link_change_t *c,
                                     hub_rows_t **row)
{
    const char *args[15];
    args[0] = c->project_id;
    args[1] = hr->who->tenant_id;
    args[2] = c->id;
    args[3] = c->project_id;
    args[4] = hr->who->tenant_id;
    args[5] = c->type;
    args[6] = args[7] = c->instances;
    args[8] = c->domain;
    args[9] = c->instances;
    args[10] = c->project_id;
    args[11] = hr->who->tenant_id;
    args[12] = hr->who->tenant_id;
    args[13] = c->expires_at;
    return run(hr, ST_LINK_UPDATE, row, 14, args);
}

hub_db_status_e hub_auth_link_delete(hub_req_t *hr, const char *project_id,
                                     const char *id, hub_rows_t **row)
{
    const char *args[3] = { project_id, hr->who->tenant_id, id };
    return run(hr, ST_LINK_DELETE, row, 3, args);
}

hub_db_status_e hub_auth_link_get(hub_req_t *hr, const char *project_id,
                                  const char *id, hub_rows_t **row)
{
    const char *args[3] = { id, project_id, hr->who->tenant_id };
    return run(hr, ST_LINK_GET, row, 3, args);
}

hub_db_status_e hub_auth_links_page(hub_req_t *hr, const hub_link_filter_t *f,
                                    hub_rows_t **rows)
{
    const char *args[10];
    args[0] = f->project_id;
    args[1] = hr->who->tenant_id;
    args[2] = args[3] = f->status;
    args[4] = args[5] = f->type;
    args[6] = args[7] = f->ids;
    args[8] = apr_ltoa(hr->pool, f->page.limit);
    args[9] = apr_ltoa(hr->pool, f->page.offset);
    return run(hr, ST_LINKS_PAGE, rows, 10, args);
}

hub_db_status_e hub_auth_link_users_page(
    hub_req_t *hr, const char *project_id, const char *id, const char *search,
    const hub_page_t *pg, hub_rows_t **rows)
{
    const char *args[7];
    args[0] = project_id;
    args[1] = hr->who->tenant_id;
    args[2] = id;
    args[3] = args[4] = search;
    args[5] = apr_ltoa(hr->pool, pg->limit);
    args[6] = apr_ltoa(hr->pool, pg->offset);
    return run(hr, ST_LINK_USERS_PAGE, rows, 7, args);
}

/* ---- /invite ------------------------------------------------------------- */

hub_db_status_e hub_auth_invite_find(hub_req_t *hr, const char *id,
                                     const char *token_hash, hub_rows_t **row)
{
    const char *args[2] = { id, token_hash };
    return run(hr, ST_INVITE_FIND, row, 2, args);
}

hub_db_status_e hub_auth_invite_instances(hub_req_t *hr, const char *id,
                                          const char *token_hash,
                                          const char *email, hub_rows_t **rows)
{
    const char *args[3] = { id, token_hash, email };
    return run(hr, ST_INVITE_INSTANCES, rows, 3, args);
}

hub_db_status_e hub_auth_invite_complete(
    hub_req_t *hr, const hub_invite_done_t *d, hub_rows_t **row)
{
    const char *args[11];
    args[0] = d->id;
    args[1] = d->token_hash;
    args[2] = args[3] = args[4] = args[5] = hr->who->user_id;
    args[6] = d->descope_user_id;
    args[7] = hr->who->user_id;
    args[8] = hr->who->email;
    args[9] = d->oauth_ids;
    return run(hr, ST_INVITE_COMPLETE, row, 10, args);
}

/* ---- project users ------------------------------------------------------ */

hub_db_status_e hub_auth_project_users_page(
    hub_req_t *hr, const hub_puser_filter_t *f, hub_rows_t **rows)
{
    const char *args[8];
    args[0] = f->project_id;
    args[1] = hr->who->tenant_id;
    args[2] = args[3] = f->search;
    args[4] = args[5] = f->ids;
    args[6] = apr_ltoa(hr->pool, f->page.limit);
    args[7] = apr_ltoa(hr->pool, f->page.offset);
    return run(hr, ST_USERS_PAGE, rows, 8, args);
}

hub_db_status_e hub_auth_project_user_get(hub_req_t *hr, const char *project_id,
                                          const char *id, hub_rows_t **row)
{
    const char *args[3] = { id, project_id, hr->who->tenant_id };
    return run(hr, ST_USER_GET, row, 3, args);
}

hub_db_status_e hub_auth_project_user_revoke(
    hub_req_t *hr, const char *project_id, const char *id, const char *ids,
    hub_rows_t **row)
{
    const char *args[5] = { project_id, hr->who->tenant_id, id, ids, ids };
    return run(hr, ST_USER_REVOKE, row, 5, args);
}

hub_db_status_e hub_auth_project_user_delete(
    hub_req_t *hr, const char *project_id, const char *id, hub_rows_t **row)
{
    const char *args[3] = { project_id, hr->who->tenant_id, id };
    return run(hr, ST_USER_DELETE, row, 3, args);
}
