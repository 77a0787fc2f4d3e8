/* A tiny header-only TAP producer for the unit tests of libhubcore.
 *
 *   ok(cond, "name %d", n);  is_int(got, want, "name");
 *   is_str(got, want, "name");  diag("note %s", s);
 *   return done_testing();
 *
 * The plan comes last ("1..N" after the tests), which prove accepts, so a
 * test needs no count kept by hand.  done_testing() returns the exit
 * status: nonzero when any test failed. */
#ifndef HUB_TAP_H
#define HUB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run_ = 0;
static int tap_failed_ = 0;

/* Every line of a diagnostic starts with "# " so prove never reads it as
 * a test line, even when the text holds newlines. */
static inline void tap_vdiag_(const char *fmt, va_list ap)
{
    char buf[4096];
    char *line, *nl;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    for (line = buf;; line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }
        printf("# %s\n", line);
        if (!nl) {
            break;
        }
    }
    fflush(stdout);
}

static inline void diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vdiag_(fmt, ap);
    va_end(ap);
}

/* A '#' in a name would start a TAP directive: write it as '_'. */
static inline int tap_vok_(int cond, const char *fmt, va_list ap)
{
    char name[1024];
    char *c;
    vsnprintf(name, sizeof(name), fmt, ap);
    for (c = name; *c; c++) {
        if (*c == '#' || *c == '\n') {
            *c = '_';
        }
    }
    tap_run_++;
    if (!cond) {
        tap_failed_++;
    }
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_run_, name);
    fflush(stdout);
    return cond;
}

static inline int ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = tap_vok_(cond, fmt, ap);
    va_end(ap);
    return r;
}

static inline int is_int(long long got, long long want, const char *name)
{
    if (!ok(got == want, "%s", name)) {
        diag("  got: %lld\n  expected: %lld", got, want);
        return 0;
    }
    return 1;
}

/* NULL-safe: two NULLs are equal, NULL and a string are not. */
static inline int is_str(const char *got, const char *want, const char *name)
{
    int same = (!got && !want) || (got && want && !strcmp(got, want));
    if (!ok(same, "%s", name)) {
        diag("  got: %s%s%s\n  expected: %s%s%s", got ? "'" : "",
             got ? got : "NULL", got ? "'" : "", want ? "'" : "",
             want ? want : "NULL", want ? "'" : "");
        return 0;
    }
    return 1;
}

/* Print the plan and give the exit status for main() to return. */
static inline int done_testing(void)
{
    printf("1..%d\n", tap_run_);
    if (tap_failed_) {
        diag("Looks like you failed %d test%s of %d.", tap_failed_,
             tap_failed_ == 1 ? "" : "s", tap_run_);
    }
    fflush(stdout);
    return tap_failed_ ? 1 : (tap_run_ ? 0 : 255);
}

#endif
