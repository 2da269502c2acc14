/*
 * env.c - the environment a task program (--bind, aslc:exec:) starts with.
 *
 * Clean by default: a program sees only the variables below, taken from
 * the binary's own environment when set, plus each one named with
 * --pass-env NAME.  Credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 * AWS_ACCESS_KEY_ID, ASLC_CONNECTION_*, ...) are never in the list, so they
 * reach a program only when the user names them.  docs/local-tasks.md lists
 * the same set: keep the two in step.
 */
#include <stdlib.h>
#include <string.h>

#include "task/task.h"
#include "task/process.h"

extern char **environ;

/* Exact names, then prefixes (LC_*). */
static const char *const kept[] = {
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM",
};
static const char *const kept_prefix[] = {"LC_"};

static int name_is(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static int keep(const char *entry, const char *const *pass, size_t npass)
{
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (name_is(entry, kept[i]))
            return 1;
    for (size_t i = 0; i < sizeof kept_prefix / sizeof kept_prefix[0]; i++)
        if (strncmp(entry, kept_prefix[i], strlen(kept_prefix[i])) == 0 && strchr(entry, '='))
            return 1;
    for (size_t i = 0; i < npass; i++)
        if (name_is(entry, pass[i]))
            return 1;
    return 0;
}

char **asl_task_env_new(const char *const *pass, size_t npass)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (char **e = environ; e && *e; e++) {
        if (!keep(*e, pass, npass))
            continue;
        env[k] = strdup(*e);
        if (!env[k]) {
            asl_task_env_strv_free(env);
            return NULL;
        }
        k++;
    }
    return env;
}

void asl_task_env_strv_free(char **env)
{
    if (!env)
        return;
    for (char **e = env; *e; e++)
        free(*e);
    free(env);
}

int asl_task_env_init(struct asl_exec *ex, const char *const *pass, size_t npass)
{
    ex->task_env = asl_task_env_new(pass, npass);
    return ex->task_env ? 0 : -1;
}

void asl_task_env_free(struct asl_exec *ex)
{
    asl_task_env_strv_free(ex->task_env);
    ex->task_env = NULL;
}
