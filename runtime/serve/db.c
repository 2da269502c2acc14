/*
 * db.c - a fixed pool of store handles for the server's threads: SQLite
 * connections are used by one thread at a time, so each request borrows one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"
#include "store/serve_queries.h"
#include "store/store.h"

struct asl_serve_db {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n, nfree;
    struct asl_serve_conn *conns;
    struct asl_serve_conn **free_list;
};

struct asl_serve_db *asl_serve_db_open(const char *path, int full, int n, char *msg, size_t msgsize)
{
    struct asl_serve_db *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->cv, NULL);
    db->conns = calloc((size_t)n, sizeof *db->conns);
    db->free_list = calloc((size_t)n, sizeof *db->free_list);
    if (!db->conns || !db->free_list) {
        asl_serve_db_close(db);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        struct asl_serve_conn *h = &db->conns[i];
        db->n++;
        /* The store first: it refuses a file that is not an aslc store
         * before the server adds its tables. */
        if (asl_store_open(path, full ? ASL_STORE_SYNC_FULL : ASL_STORE_SYNC_PROCESS, &h->st, msg,
                           msgsize) != 0 ||
            asl_sq_open(path, full, &h->sq, msg, msgsize) != 0) {
            asl_serve_db_close(db);
            return NULL;
        }
        db->free_list[db->nfree++] = h;
    }
    return db;
}

void asl_serve_db_close(struct asl_serve_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < db->n; i++) {
        if (db->conns[i].st)
            asl_store_close(db->conns[i].st);
        asl_sq_close(db->conns[i].sq);
    }
    free(db->conns);
    free(db->free_list);
    pthread_cond_destroy(&db->cv);
    pthread_mutex_destroy(&db->mu);
    free(db);
}

struct asl_serve_conn *asl_serve_db_get(struct asl_serve_db *db)
{
    pthread_mutex_lock(&db->mu);
    while (db->nfree == 0)
        pthread_cond_wait(&db->cv, &db->mu);
    struct asl_serve_conn *h = db->free_list[--db->nfree];
    pthread_mutex_unlock(&db->mu);
    return h;
}

void asl_serve_db_put(struct asl_serve_db *db, struct asl_serve_conn *h)
{
    pthread_mutex_lock(&db->mu);
    db->free_list[db->nfree++] = h;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

int asl_serve_store_fail(struct asl_serve_call *c, const char *what, const char *why)
{
    asl_log(ASL_LOG_ERROR, "serve", "%s: %s: the store failed: %s", c->op ? c->op : "request", what,
            why ? why : "unknown error");
    return asl_serve_fail(c, "InternalFailure", "The store failed while %s", what);
}
