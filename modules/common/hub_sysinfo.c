#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hub_sysinfo.h"

/* Read a small /proc file whole; returns 0 on success. */
static int slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f) {
        return -1;
    }
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n ? 0 : -1;
}

int hub_sys_parse_cpu(const char *text, apr_uint64_t *busy, apr_uint64_t *total)
{
    unsigned long long v[10] = { 0 };
    int n, i;
    if (strncmp(text, "cpu ", 4)) {
        return -1;
    }
    n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
               &v[9]);
    if (n < 4) {
        return -1;
    }
    *total = 0;
    /* user nice system idle iowait irq softirq steal; guest time is
     * already inside user and nice */
    for (i = 0; i < n && i < 8; i++) {
        *total += v[i];
    }
    *busy = *total - v[3] - (n > 4 ? v[4] : 0);
    return 0;
}

static int meminfo_kb(const char *text, const char *key, apr_uint64_t *kb)
{
    const char *at = strstr(text, key);
    if (!at) {
        return -1;
    }
    *kb = strtoull(at + strlen(key), NULL, 10);
    return 0;
}

int hub_sys_parse_memory(const char *text, apr_uint64_t *used,
                         apr_uint64_t *total)
{
    apr_uint64_t t, a;
    if (meminfo_kb(text, "MemTotal:", &t)
        || meminfo_kb(text, "MemAvailable:", &a)) {
        return -1;
    }
    *total = t * 1024;
    *used = (t - a) * 1024;
    return 0;
}

int hub_sys_parse_network(const char *text, apr_uint64_t *rx, apr_uint64_t *tx)
{
    const char *line = text;
    *rx = *tx = 0;
    /* two header lines, then "  name: rx_bytes ... (8 fields) tx_bytes" */
    while ((line = strchr(line, '\n')) != NULL) {
        const char *colon;
        char name[32];
        unsigned long long r, t, skip;
        size_t nl;
        line++;
        colon = strchr(line, ':');
        if (!colon || memchr(line, '\n', colon - line)) {
            continue;
        }
        while (*line == ' ') {
            line++;
        }
        nl = (size_t)(colon - line);
        if (nl == 0 || nl >= sizeof(name)) {
            continue;
        }
        memcpy(name, line, nl);
        name[nl] = '\0';
        if (!strcmp(name, "lo")) {
            continue;
        }
        if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu",
                   &r, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &t)
            == 9) {
            *rx += r;
            *tx += t;
        }
    }
    return 0;
}

int hub_sys_cpu(apr_uint64_t *busy, apr_uint64_t *total)
{
    char buf[4096];
    return slurp("/proc/stat", buf, sizeof(buf))
               ? -1
               : hub_sys_parse_cpu(buf, busy, total);
}

int hub_sys_memory(apr_uint64_t *used, apr_uint64_t *total)
{
    char buf[8192];
    return slurp("/proc/meminfo", buf, sizeof(buf))
               ? -1
               : hub_sys_parse_memory(buf, used, total);
}

int hub_sys_network(apr_uint64_t *rx, apr_uint64_t *tx)
{
    char buf[16384];
    return slurp("/proc/net/dev", buf, sizeof(buf))
               ? -1
               : hub_sys_parse_network(buf, rx, tx);
}
