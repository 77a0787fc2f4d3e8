/* multipart/form-data bodies (RFC 7578), read whole: every part with its
 * name, file name, type and bytes.  httpd-free.
 *
 * What is refused as malformed (the caller answers 400): no boundary in
 * the Content-Type or one longer than RFC 2046's 70 characters, a body
 * that does not begin with the delimiter (a preamble is allowed), a part
 * without the blank line ending its headers (or headers over 8 KiB), a
 * part without a Content-Disposition of form-data with a name, a part
 * not ended by a delimiter, and a body without the closing delimiter.
 * More than HUB_MP_MAX_PARTS parts is refused too (a bound on the work
 * one request makes).  The data of a part is not copied: it points into
 * the body. */
#include <apr_strings.h>
#include <string.h>
#include "hub_servers_multipart.h"

#define HEAD_MAX 8192

/* The value of a parameter (name="value" or name=value) of a header
 * value, or NULL. */
const char *hub_mp_param(apr_pool_t *p, const char *value, const char *name)
{
    const char *s = value;
    size_t nl = strlen(name);
    while (s && (s = strchr(s, ';'))) {
        s++;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!strncasecmp(s, name, nl) && s[nl] == '=') {
            const char *v = s + nl + 1;
            size_t n;
            if (*v == '"') {
                v++;
                n = strcspn(v, "\"");
                return v[n] == '"' ? apr_pstrmemdup(p, v, n) : NULL;
            }
            n = strcspn(v, "; \t");
            return apr_pstrmemdup(p, v, n);
        }
    }
    return NULL;
}

const char *hub_mp_boundary(apr_pool_t *p, const char *content_type,
                            int *not_multipart)
{
    const char *b;
    *not_multipart = 0;
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19)
        || (content_type[19] && content_type[19] != ';'
            && content_type[19] != ' ')) {
        *not_multipart = 1;
        return NULL;
    }
    b = hub_mp_param(p, content_type, "boundary");
    if (!b || !*b || strlen(b) > 70) {
        return NULL;
    }
    return b;
}

/* Read the headers of one part between head and head_end. */
static int part_headers(apr_pool_t *p, const char *head, const char *head_end,
                        hub_mp_part_t *part)
{
    const char *line = head;
    int disposition = 0;
    while (line < head_end) {
        const char *eol = memmem(line, (size_t)(head_end - line), "\r\n", 2);
        char *h;
        if (!eol) {
            eol = head_end;
        }
        h = apr_pstrmemdup(p, line, (apr_size_t)(eol - line));
        if (!strncasecmp(h, "Content-Disposition:", 20)) {
            const char *v = h + 20;
            while (*v == ' ' || *v == '\t') {
                v++;
            }
            if (strncasecmp(v, "form-data", 9)) {
                return -1;
            }
            disposition = 1;
            part->name = hub_mp_param(p, v, "name");
            part->filename = hub_mp_param(p, v, "filename");
        }
        else if (!strncasecmp(h, "Content-Type:", 13)) {
            const char *v = h + 13;
            while (*v == ' ' || *v == '\t') {
                v++;
            }
            part->content_type = v;
        }
        line = eol + 2;
    }
    return disposition && part->name && *part->name ? 0 : -1;
}

int hub_mp_parse(apr_pool_t *p, const char *body, apr_size_t len,
                 const char *boundary, apr_array_header_t **parts)
{
    const char *delim = apr_pstrcat(p, "--", boundary, NULL);
    const char *crlf_delim = apr_pstrcat(p, "\r\n--", boundary, NULL);
    apr_size_t dl = strlen(delim), cdl = dl + 2;
    const char *end = body + len, *s;

    *parts = apr_array_make(p, 4, sizeof(hub_mp_part_t));
    /* the first delimiter opens the body, or ends a preamble's line */
    if (len >= dl && !memcmp(body, delim, dl)) {
        s = body + dl;
    }
    else if ((s = memmem(body, len, crlf_delim, cdl))) {
        s += cdl;
    }
    else {
        return -1;
    }
    for (;;) {
        const char *head, *head_end, *next;
        hub_mp_part_t *part;
        if (end - s >= 2 && s[0] == '-' && s[1] == '-') {
            return 0; /* the closing delimiter: the epilogue is ignored */
        }
        while (s < end && (*s == ' ' || *s == '\t')) {
            s++; /* transport padding */
        }
        if (end - s < 2 || s[0] != '\r' || s[1] != '\n') {
            return -1;
        }
        if ((*parts)->nelts >= HUB_MP_MAX_PARTS) {
            return -1;
        }
        head = s + 2;
        if (end - head >= 2 && head[0] == '\r' && head[1] == '\n') {
            head_end = head; /* a part without headers */
        }
        else {
            head_end = memmem(head, (size_t)(end - head), "\r\n\r\n", 4);
            if (!head_end) {
                return -1;
            }
            head_end += 2; /* keep the last header's CRLF out */
        }
        if (head_end - head > HEAD_MAX) {
            return -1;
        }
        part = apr_array_push(*parts);
        memset(part, 0, sizeof(*part));
        if (part_headers(p, head, head_end, part) < 0) {
            return -1;
        }
        s = head_end + 2;
        next = memmem(s, (size_t)(end - s), crlf_delim, cdl);
        if (!next) {
            return -1;
        }
        part->data = s;
        part->len = (apr_size_t)(next - s);
        s = next + cdl;
    }
}

const hub_mp_part_t *hub_mp_find(const apr_array_header_t *parts,
                                 const char *name)
{
    int i;
    for (i = 0; i < parts->nelts; i++) {
        const hub_mp_part_t *part = &APR_ARRAY_IDX(parts, i, hub_mp_part_t);
        if (!strcmp(part->name, name)) {
            return part;
        }
    }
    return NULL;
}
