/* What mod_hub_servers offers the other hub modules (STYLE.md, habit 6):
 * its outbound rules, so that every outbound request of the hub (an MCP
 * probe, an LLM provider's API, a workflow's http node) is made under one
 * operator policy and secrets sealed under one key.  A hub without
 * mod_hub_servers loaded has neither: nothing internal may be reached and
 * nothing can be sealed. */
#ifndef MOD_HUB_SERVERS_H
#define MOD_HUB_SERVERS_H

#include <httpd.h>
#include <apr_optional.h>
#include <apr_tables.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include "hub_mcp.h"
#include "hub_secret.h"

/* HubSecretKeyFile's key for virtual host s (read in post_config, so ask
 * after mod_hub_servers's post_config or at request time); NULL without
 * one. */
APR_DECLARE_OPTIONAL_FN(const hub_secret_key_t *, hub_servers_secret_key,
                        (const server_rec *s));

/* HubOutboundAllow's ranges for s (hub_cidr_t); NULL: none allowed. */
APR_DECLARE_OPTIONAL_FN(const apr_array_header_t *, hub_servers_outbound_allow,
                        (const server_rec *s));

/* The MCP target of the tenant's server `server` (its id, slug or name),
 * as the prober reaches it: endpoint or stdio command, decrypted
 * credentials, a policy of timeout_ms and HubOutboundAllow; all in p,
 * read on dbd.  NULL, or why it cannot be called (no such server in the
 * tenant, a heartbeat server, a secret that does not decrypt): never a
 * secret.  (The workflow engine's mcp_tool node.) */
APR_DECLARE_OPTIONAL_FN(const char *, hub_servers_mcp_target_of,
                        (apr_pool_t * p, server_rec *s, ap_dbd_t *dbd,
                         const char *tenant, const char *server,
                         long timeout_ms, hub_mcp_target_t *target));

#endif
