/*
 * local_server.h - what the network unit tests share: a CHECK macro and
 * starting and stopping a script from tests/servers on 127.0.0.1.  The server
 * binds port 0 and prints its port on its first line.
 */
#ifndef ASL_TEST_LOCAL_SERVER_H
#define ASL_TEST_LOCAL_SERVER_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);               \
            failures++;                                                       \
        }                                                                     \
    } while (0)

static pid_t server_pid;

/* Start `python3 script [arg]`; returns the port it listens on, or <= 0. */
static int server_start(const char *script, const char *arg)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    server_pid = fork();
    if (server_pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execlp("python3", "python3", script, arg, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[32] = "";
    size_t n = 0;
    while (n + 1 < sizeof buf && read(fd[0], buf + n, 1) == 1 && buf[n] != '\n')
        n++;
    buf[n] = '\0';
    close(fd[0]);
    return atoi(buf);
}

static void server_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}

#endif
