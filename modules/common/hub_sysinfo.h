/* Host figures from /proc for g4f's /server/stats. httpd-free. */
#ifndef HUB_SYSINFO_H
#define HUB_SYSINFO_H

#include <apr.h>

/* Jiffies spent busy and in total since boot, over all CPUs. */
int hub_sys_cpu(apr_uint64_t *busy, apr_uint64_t *total);
/* Memory in use (total - available) and total, in bytes. */
int hub_sys_memory(apr_uint64_t *used, apr_uint64_t *total);
/* Bytes received and sent since boot by every interface but loopback. */
int hub_sys_network(apr_uint64_t *rx, apr_uint64_t *tx);

/* The same readings from given texts, for the unit tests. */
int hub_sys_parse_cpu(const char *proc_stat, apr_uint64_t *busy,
                      apr_uint64_t *total);
int hub_sys_parse_memory(const char *meminfo, apr_uint64_t *used,
                         apr_uint64_t *total);
int hub_sys_parse_network(const char *net_dev, apr_uint64_t *rx,
                          apr_uint64_t *tx);

#endif
