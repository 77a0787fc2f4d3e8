/* Schemas as JSON text, for the served OpenAPI documents: the answers an
 * operation builds by hand (hub_doc_t on its route, hub_openapi_hints.c)
 * are written with these, next to what builds them.  Compile-time string
 * pasting only; httpd-free. */
#ifndef HUB_OPENAPI_SCHEMA_H
#define HUB_OPENAPI_SCHEMA_H

/* an object: its members ("\"a\":" STR ",\"b\":" INT) and the names of
 * the ones always there ("\"a\",\"b\"") */
#define OBJ(props, req) \
    "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]}"
/* an object with no member always there */
#define OBJ_OPT(props) "{\"type\":\"object\",\"properties\":{" props "}}"
#define STR            "{\"type\":\"string\"}"
#define NSTR           "{\"type\":\"string\",\"nullable\":true}"
#define INT            "{\"type\":\"integer\"}"
#define NINT           "{\"type\":\"integer\",\"nullable\":true}"
#define BOOL           "{\"type\":\"boolean\"}"
#define NUM            "{\"type\":\"number\"}"
#define NNUM           "{\"type\":\"number\",\"nullable\":true}"
#define ARRAY_OF(s)    "{\"type\":\"array\",\"items\":" s "}"
#define STRS           ARRAY_OF(STR)
/* a value that is one of the listed strings ("\"a\",\"b\"") */
#define ENUM(list) "{\"type\":\"string\",\"enum\":[" list "]}"
/* an object whose members are the caller's own (free-form) */
#define OBJECT "{\"type\":\"object\"}"
/* a component of the same document */
#define REF(name) "{\"$ref\":\"#/components/schemas/" name "\"}"

/* ---- answers routes of several files share ---- */
/* {"ok": true}: G4F's answer to a change */
#define G4F_OK OBJ("\"ok\":" BOOL, "\"ok\"")
/* {"id": "..."}: what Caylex answers a change with (its *ModifiedResponse) */
#define ID_OUT OBJ("\"id\":" STR, "\"id\"")

#endif
