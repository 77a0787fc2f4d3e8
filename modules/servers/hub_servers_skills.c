/* GoClaw's skills: GET|POST /v1/skills, GET|PUT|DELETE /v1/skills/{id}.
 *
 * A skill in this hub is a named package of text an agent reads: a
 * SKILL.md whose front matter (between two `---` lines at the top) gives
 * its `name` (lowercase letters, digits and hyphens, 1..64, the skill's
 * unique name in the tenant) and `description` (1..1024 characters;
 * other keys are kept in the text and not read), and the files beside
 * it (references, scripts, templates), each under a relative path.  The
 * hub stores and serves them; it never runs a skill's scripts.
 *
 * POST takes multipart/form-data (RFC 7578), read here:
 *   file    SKILL.md (required, one)
 *   files   another file of the package, its path the part's filename
 *           (a/b.md: segments of letters, digits, _ . -, no . or ..,
 *           at most 8 deep and 200 long); any number up to 32
 * Limits: every file text (UTF-8, no NUL byte), 256 KiB at most each,
 * 1 MiB for the whole package; a larger body is 413.  A zip archive is
 * not unpacked: 415 says to send the files as parts.  A body that is not
 * multipart/form-data is 415; one without a boundary, malformed, with a
 * part of another name, without `file`, or whose SKILL.md lacks the
 * front matter's name or description is 400.  201 with the skill.
 *
 * PUT with the same multipart body replaces the package (the version
 * goes up by one; the name may change); PUT with a JSON body sets
 * `enabled` and `description`.  GET /v1/skills lists {"skills": [...]}
 * by name with the files' paths and sizes; GET /v1/skills/{id} answers
 * the whole package (content, and files with theirs).  PUT answers
 * {"status": "updated"}, DELETE {"status": "deleted"}, as GoClaw's
 * other registries.  A name in use is 409; an unknown or malformed id
 * 404.  Reading needs read access, changes admin. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_servers_tool_registry.h"
#include "hub_servers_multipart.h"
#include "hub_servers_tool_schemas.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

#define FILE_MAX    (256 * 1024)
#define PACKAGE_MAX (1024 * 1024)
#define BODY_MAX    (PACKAGE_MAX + 256 * 1024) /* room for the framing */
#define FILES_MAX   32
#define JSON_MAX    (64 * 1024)

/* clang-format off */
static const hub_shape_t skill_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "version", NULL, HUB_J_INT },
    { "enabled", NULL, HUB_J_BOOL },
    { "size", NULL, HUB_J_INT },
    { "sha256", NULL, HUB_J_STRING },
    { "files", NULL, HUB_J_JSON },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t skill_full[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "version", NULL, HUB_J_INT },
    { "enabled", NULL, HUB_J_BOOL },
    { "size", NULL, HUB_J_INT },
    { "sha256", NULL, HUB_J_STRING },
    { "content", NULL, HUB_J_STRING },
    { "files", NULL, HUB_J_JSON },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

#define CONFLICT "a skill with this name already exists"

/* A package read from a multipart body. */
typedef struct package {
    const char *name, *description, *content;
    const char *files; /* JSON text [{path, content}] */
    const char *size, *sha256;
} package_t;

static int bad(hub_result_t *res, const char *fmt, const char *a)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
}

static int not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "skill not found");
}

/* ---- SKILL.md's front matter --------------------------------------------- */

/* The value of a `key: value` line, unquoted; NULL when it has none. */
static const char *fm_value(apr_pool_t *p, const char *v)
{
    size_t n;
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r')) {
        n--;
    }
    if (n >= 2
        && ((v[0] == '"' && v[n - 1] == '"')
            || (v[0] == '\'' && v[n - 1] == '\''))) {
        v++;
        n -= 2;
    }
    return n ? apr_pstrmemdup(p, v, n) : NULL;
}

/* name and description of the front matter of text: NULL, or what is
 * wrong. */
static const char *front_matter(apr_pool_t *p, const char *text,
                                const char **name, const char **description)
{
    const char *s, *end;
    char *block, *line, *last;

    *name = *description = NULL;
    if (!strncmp(text, "---\n", 4)) {
        s = text + 4;
    }
    else if (!strncmp(text, "---\r\n", 5)) {
        s = text + 5;
    }
    else {
        return "SKILL.md must begin with front matter (a line ---, "
               "name: and description:, a line ---)";
    }
    end = strstr(s, "\n---");
    if (end == NULL && !strncmp(s, "---", 3)) {
        end = s - 1;
    }
    if (!end || (end[4] && end[4] != '\n' && end[4] != '\r')) {
        return "SKILL.md's front matter is not closed by a line ---";
    }
    block = apr_pstrmemdup(p, s, end > s ? (apr_size_t)(end - s) : 0);
    for (line = apr_strtok(block, "\n", &last); line;
         line = apr_strtok(NULL, "\n", &last)) {
        char *colon;
        if (*line == ' ' || *line == '\t' || *line == '#') {
            continue; /* nested values and comments are not read */
        }
        if (!(colon = strchr(line, ':'))) {
            continue;
        }
        *colon = '\0';
        if (!strcmp(line, "name")) {
            *name = fm_value(p, colon + 1);
        }
        else if (!strcmp(line, "description")) {
            *description = fm_value(p, colon + 1);
        }
    }
    if (!*name) {
        return "SKILL.md's front matter has no name";
    }
    if (strlen(*name) > 64 || !(apr_islower(**name) || apr_isdigit(**name))
        || strspn(*name, "abcdefghijklmnopqrstuvwxyz0123456789-")
               != strlen(*name)) {
        return "the skill's name: lowercase letters, digits and hyphens, "
               "1..64, beginning with a letter or digit";
    }
    if (!*description) {
        return "SKILL.md's front matter has no description";
    }
    if (strlen(*description) > 1024) {
        return "the skill's description is longer than 1024 characters";
    }
    return NULL;
}

/* ---- the multipart body -------------------------------------------------- */

static int is_text(const char *data, apr_size_t len)
{
    json_t *s;
    if (memchr(data, '\0', len)) {
        return 0;
    }
    s = json_stringn(data, len); /* NULL unless UTF-8 */
    json_decref(s);
    return s != NULL;
}

static int path_ok(const char *path)
{
    const char *seg = path;
    int depth = 0;
    if (!*path || strlen(path) > 200 || *path == '/') {
        return 0;
    }
    while (*seg) {
        size_t n = strspn(seg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                               "qrstuvwxyz0123456789_.-");
        if (!n || (n == 1 && seg[0] == '.')
            || (n == 2 && seg[0] == '.' && seg[1] == '.') || ++depth > 8) {
            return 0;
        }
        seg += n;
        if (*seg == '/') {
            seg++;
            if (!*seg) {
                return 0;
            }
        }
        else if (*seg) {
            return 0;
        }
    }
    return 1;
}

static int is_zip(const hub_mp_part_t *part)
{
    size_t n = part->filename ? strlen(part->filename) : 0;
    return (part->len >= 4 && !memcmp(part->data, "PK\x03\x04", 4))
           || (n >= 4 && !strcasecmp(part->filename + n - 4, ".zip"));
}

static int too_large(hub_result_t *res, const char *what)
{
    return hub_err(res, HTTP_REQUEST_ENTITY_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                   "%s (each file 256 KiB at most, the package 1 MiB)", what);
}

/* The package of a multipart body with this Content-Type: DECLINED with
 * *pkg, else HUB_DONE with the 4xx in res. */
static int read_package(hub_req_t *hr, hub_result_t *res, const char *ct,
                        package_t *pkg)
{
    apr_pool_t *p = hr->pool;
    const char *boundary;
    char *body = NULL;
    apr_size_t len = 0, total;
    apr_array_header_t *parts;
    const hub_mp_part_t *md = NULL;
    json_t *files = hub_json_own(p, json_array());
    int not_mp, i, rc;

    boundary = hub_mp_boundary(p, ct, &not_mp);
    if (!boundary) {
        res->close = 1; /* the body is left unread */
        return not_mp ? hub_err(res, HTTP_UNSUPPORTED_MEDIA_TYPE,
                                "UNSUPPORTED_MEDIA_TYPE",
                                "Content-Type must be multipart/form-data")
                      : bad(res, "%s",
                            "multipart/form-data needs a boundary (1..70 "
                            "characters)");
    }
    rc = hub_read_body(hr, BODY_MAX, &body, &len);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        res->close = 1;
        return too_large(res, "the upload is too large");
    }
    if (rc != OK) {
        res->close = 1;
        return bad(res, "%s", "the request body is incomplete");
    }
    if (hub_mp_parse(p, body, len, boundary, &parts) < 0) {
        return bad(res, "%s",
                   "malformed multipart/form-data body (check the "
                   "boundary)");
    }
    total = 0;
    for (i = 0; i < parts->nelts; i++) {
        const hub_mp_part_t *part = &APR_ARRAY_IDX(parts, i, hub_mp_part_t);
        int is_md = !strcmp(part->name, "file");
        if (!is_md && strcmp(part->name, "files")) {
            return bad(res,
                       "unknown form field %s (file: SKILL.md; files: "
                       "the package's other files)",
                       part->name);
        }
        if (is_zip(part)) {
            return hub_err(res, HTTP_UNSUPPORTED_MEDIA_TYPE,
                           "UNSUPPORTED_MEDIA_TYPE",
                           "zip archives are not unpacked: send SKILL.md as "
                           "the part file and each other file as a part "
                           "files (its path the filename)");
        }
        if (part->len > FILE_MAX) {
            return too_large(res, apr_psprintf(p, "%s is too large",
                                               part->filename ? part->filename
                                                              : part->name));
        }
        total += part->len;
        if (!is_text(part->data, part->len)) {
            return bad(res,
                       "%s: a skill's files are text (UTF-8, no NUL "
                       "byte)",
                       part->filename ? part->filename : part->name);
        }
        if (is_md) {
            if (md) {
                return bad(res, "%s", "one part file (SKILL.md), not more");
            }
            md = part;
            continue;
        }
        if (!part->filename || !path_ok(part->filename)
            || !strcmp(part->filename, "SKILL.md")) {
            return bad(res,
                       "files: %s is not a relative path of the "
                       "package (segments of letters, digits, _ . -)",
                       part->filename ? part->filename : "(no filename)");
        }
        if (json_array_size(files) >= FILES_MAX) {
            return bad(res, "%s", "at most 32 files beside SKILL.md");
        }
        {
            json_t *f;
            size_t k;
            json_array_foreach(files, k, f) {
                if (!strcmp(json_string_value(json_object_get(f, "path")),
                            part->filename)) {
                    return bad(res, "files: %s twice", part->filename);
                }
            }
        }
        json_array_append_new(files,
                              json_pack("{s:s,s:s%}", "path", part->filename,
                                        "content", part->data, part->len));
    }
    if (total > PACKAGE_MAX) {
        return too_large(res, "the package is too large");
    }
    if (!md) {
        return bad(res, "%s", "the part file (SKILL.md) is required");
    }
    pkg->content = apr_pstrmemdup(p, md->data, md->len);
    {
        const char *why = front_matter(p, pkg->content, &pkg->name,
                                       &pkg->description);
        if (why) {
            return bad(res, "%s", why);
        }
    }
    pkg->files = hub_json_text(p, files);
    pkg->size = apr_psprintf(p, "%" APR_SIZE_T_FMT, total);
    pkg->sha256 =
        hub_sha256_hex(p, apr_pstrcat(p, pkg->content, "\n", pkg->files, NULL),
                       strlen(pkg->content) + 1 + strlen(pkg->files));
    return DECLINED;
}

/* ---- the operations ---------------------------------------------------- */

static int gc_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(hr->r, TSTMT(ST_SKILL_LIST), &rows, 1,
                                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:o}", "skills", hub_rows_json(rows, skill_out)));
}

static int gc_upload(hub_req_t *hr, hub_result_t *res)
{
    const char *args[8];
    package_t pkg;
    hub_rows_t *row;
    hub_db_status_e st;

    if (read_package(hr, res, apr_table_get(hr->r->headers_in, "Content-Type"),
                     &pkg)
        != DECLINED) {
        return HUB_DONE;
    }
    args[0] = hr->who->tenant_id;
    args[1] = pkg.name;
    args[2] = pkg.description;
    args[3] = pkg.content;
    args[4] = pkg.files;
    args[5] = pkg.size;
    args[6] = pkg.sha256;
    args[7] = hr->who->name;
    st = hub_db_select(hr->r, TSTMT(ST_SKILL_INSERT), &row, 8, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, CONFLICT, hr->request_id);
    }
    if (!row->rows->nelts) {
        return hub_err(res, HTTP_CONFLICT, "CONFLICT", CONFLICT);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01077: skill %s (%s, %s bytes) uploaded in tenant %s by "
                  "%s",
                  hub_rows_get(row, 0, "id"), pkg.name, pkg.size,
                  hr->who->tenant_slug, hr->who->name);
    return hub_ok_row(res, row, skill_out);
}

static int gc_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param(hr, "id"), hr->who->tenant_id };
    hub_rows_t *row;
    if (!hub_is_uuid(args[0])) {
        return not_found(res);
    }
    if (hub_select_one(hr, res, TSTMT(ST_SKILL_GET), 2, args, &row,
                       "skill not found")
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok_row(res, row, skill_full);
}

/* PUT with JSON: enabled, description */
static int update_settings(hub_req_t *hr, hub_result_t *res, const char *id)
{
    char *body = NULL;
    apr_size_t len = 0;
    hub_json_error_t jerr;
    json_t *j, *en, *desc;
    const char *args[4], *key;
    json_t *v;
    int rc = hub_read_body(hr, JSON_MAX, &body, &len), n = 0;
    hub_db_status_e st;

    if (rc != OK) {
        res->close = 1;
        return rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                   ? hub_err(res, rc, "PAYLOAD_TOO_LARGE",
                             "the body is too large")
                   : bad(res, "%s", "the request body is incomplete");
    }
    j = hub_json_parse(hr->pool, body, len, 32, &jerr);
    if (!json_is_object(j)) {
        return bad(res, "%s", "the body must be a JSON object");
    }
    json_object_foreach(j, key, v) {
        if (strcmp(key, "enabled") && strcmp(key, "description")) {
            return bad(res,
                       "%s: not a setting of a skill (enabled, "
                       "description; upload a new package to change "
                       "the rest)",
                       key);
        }
    }
    en = json_object_get(j, "enabled");
    desc = json_object_get(j, "description");
    if ((en && !json_is_boolean(en))
        || (desc
            && (!json_is_string(desc) || !json_string_length(desc)
                || json_string_length(desc) > 1024))) {
        return bad(res, "%s",
                   "enabled is a boolean, description a string of "
                   "1..1024 characters");
    }
    if (!en && !desc) {
        return bad(res, "%s", "give enabled or description");
    }
    args[0] = en ? (json_is_true(en) ? "true" : "false") : NULL;
    args[1] = json_string_value(desc);
    args[2] = id;
    args[3] = hr->who->tenant_id;
    st = hub_db_exec(hr->r, TSTMT(ST_SKILL_SETTINGS), &n, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return n ? DECLINED : not_found(res);
}

static int gc_update(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "id");
    const char *ct = apr_table_get(hr->r->headers_in, "Content-Type");
    const char *args[8];
    package_t pkg;
    hub_db_status_e st;
    int n = 0;

    if (!hub_is_uuid(id)) {
        res->close = 1;
        return not_found(res);
    }
    if (ct && !strncasecmp(ct, "application/json", 16)) {
        if (update_settings(hr, res, id) != DECLINED) {
            return HUB_DONE;
        }
    }
    else {
        if (read_package(hr, res, ct, &pkg) != DECLINED) {
            return HUB_DONE;
        }
        args[0] = pkg.name;
        args[1] = pkg.description;
        args[2] = pkg.content;
        args[3] = pkg.files;
        args[4] = pkg.size;
        args[5] = pkg.sha256;
        args[6] = id;
        args[7] = hr->who->tenant_id;
        st = hub_db_exec(hr->r, TSTMT(ST_SKILL_REPLACE), &n, 8, args);
        if (st != HUB_DB_OK) {
            return hub_err_db(res, st, CONFLICT, hr->request_id);
        }
        if (!n) {
            return not_found(res);
        }
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01078: skill %s updated in tenant %s by %s", id,
                  hr->who->tenant_slug, hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "status", "updated"));
}

static int gc_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param(hr, "id"), hr->who->tenant_id };
    hub_db_status_e st;
    int n = 0;
    if (!hub_is_uuid(args[0])) {
        return not_found(res);
    }
    st = hub_db_exec(hr->r, TSTMT(ST_SKILL_DELETE), &n, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!n) {
        return not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01079: skill %s deleted in tenant %s by %s", args[0],
                  hr->who->tenant_slug, hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "status", "deleted"));
}

/* The answers, as skill_out and skill_full render them: their files
 * member is the JSON the statements build, paths and sizes (and in the
 * whole package each file's content too). */
#define SKILL_HEAD \
    "\"id\":" STR ",\"name\":" STR ",\"description\":" STR ",\"version\":" INT \
    ",\"enabled\":" BOOL ",\"size\":" INT ",\"sha256\":" STR
#define SKILL_TAIL \
    ",\"created_by\":" NSTR ",\"created_at\":" STR ",\"updated_at\":" STR
#define SKILL_REQUIRED \
    "\"id\",\"name\",\"description\",\"version\",\"enabled\",\"size\"," \
    "\"sha256\",\"files\",\"created_by\",\"created_at\",\"updated_at\""
#define PKG_FILE OBJ("\"path\":" STR ",\"size\":" INT, "\"path\",\"size\"")
#define PKG_FILE_FULL \
    OBJ("\"path\":" STR ",\"size\":" INT ",\"content\":" STR, \
        "\"path\",\"size\",\"content\"")
#define SKILL_OUT \
    HUB_DOC("Skill", \
            OBJ(SKILL_HEAD ",\"files\":" ARRAY_OF(PKG_FILE) SKILL_TAIL, \
                SKILL_REQUIRED))
/* the list: {"skills": [Skill]} (the component of the upload's) */
#define SKILLS_OUT \
    HUB_DOC_ONE("SkillList", \
                OBJ("\"skills\":" ARRAY_OF(REF("Skill")), "\"skills\""))
#define PACKAGE_OUT \
    HUB_DOC("SkillPackage", \
            OBJ(SKILL_HEAD ",\"content\":" STR \
                           ",\"files\":" ARRAY_OF(PKG_FILE_FULL) SKILL_TAIL, \
                SKILL_REQUIRED ",\"content\""))

/* clang-format off */
const hub_route_t hub_servers_skills_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/skills", gc_list, NULL, 0, 0,
      "List all skills",
      .need = HUB_NEED_READ, .doc = SKILLS_OUT },
    /* the multipart body is read by the operation */
    { HUB_GOCLAW, HUB_M_POST, "/v1/skills", gc_upload, hub_body_raw, 0, 0,
      "Upload skill",
      .need = HUB_NEED_ADMIN, .status = 201, .doc = SKILL_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/skills/{id}", gc_get, NULL, 0, 0,
      "Get skill",
      .need = HUB_NEED_READ, .doc = PACKAGE_OUT },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/skills/{id}", gc_update, hub_body_raw, 0, 0,
      "Update skill",
      .need = HUB_NEED_ADMIN,
      .doc = HUB_DOC("RegistryUpdated", TS_STATUS("updated")) },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/skills/{id}", gc_delete, NULL, 0, 0,
      "Delete skill",
      .need = HUB_NEED_ADMIN,
      .doc = HUB_DOC("RegistryDeleted", TS_STATUS("deleted")) },
    { 0 }
};
/* clang-format on */
