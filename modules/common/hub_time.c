#include <apr_strings.h>
#include <apr_general.h>
#include <apr_lib.h>
#include <stdio.h>
#include "hub_time.h"

char *hub_iso8601(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t tm;
    apr_time_exp_gmt(&tm, t);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec);
}

char *hub_iso8601_ms(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t tm;
    apr_time_exp_gmt(&tm, t);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_usec / 1000);
}

char *hub_random_hex(apr_pool_t *p, apr_size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char *raw = apr_palloc(p, n);
    char *out = apr_palloc(p, 2 * n + 1);
    apr_size_t i;
    if (apr_generate_random_bytes(raw, n) != APR_SUCCESS) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

char *hub_uuid4(apr_pool_t *p)
{
    unsigned char b[16];
    if (apr_generate_random_bytes(b, sizeof(b)) != APR_SUCCESS) {
        return NULL;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return apr_psprintf(
        p,
        "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
        b[11], b[12], b[13], b[14], b[15]);
}

/* Checked here so that nothing malformed reaches a ::timestamptz cast. */
int hub_parse_iso8601(const char *s, apr_time_t *t)
{
    apr_time_exp_t tm = { 0 }, back;
    int y, mo, d, h, mi, sec, n = 0, off = 0;
    if (!s
        || sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
                  &sec, &n)
               != 6
        || n != 19) {
        return -1;
    }
    s += n;
    if (*s == '.') {
        for (s++; apr_isdigit(*s); s++) {
        }
    }
    if ((*s == '+' || *s == '-') && apr_isdigit(s[1]) && apr_isdigit(s[2])
        && s[3] == ':' && apr_isdigit(s[4]) && apr_isdigit(s[5]) && !s[6]) {
        off = ((s[1] - '0') * 10 + (s[2] - '0')) * 3600
              + ((s[4] - '0') * 10 + (s[5] - '0')) * 60;
        off = *s == '-' ? -off : off;
    }
    else if ((*s == 'Z' || *s == 'z') && !s[1]) {
    }
    else if (*s) {
        return -1;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 59) {
        return -1;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (apr_time_exp_gmt_get(t, &tm) != APR_SUCCESS) {
        return -1;
    }
    /* 31 February would quietly become 3 March: refuse it */
    apr_time_exp_gmt(&back, *t);
    if (back.tm_mday != d || back.tm_mon != mo - 1) {
        return -1;
    }
    *t -= apr_time_from_sec(off);
    return 0;
}
