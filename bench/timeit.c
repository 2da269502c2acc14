/* timeit: run a command N times, report median wall time, CPU time and peak memory.
 *
 *   timeit [-n RUNS] [-w WARMUP] [-i STDIN_FILE] [-o STDOUT_FILE] -- COMMAND [ARG ...]
 *
 * Each run is fork + execvp; stdin comes from STDIN_FILE (default /dev/null), stdout goes
 * to STDOUT_FILE (default /dev/null), stderr is inherited. Wall time is CLOCK_MONOTONIC
 * from fork to reap; CPU time and peak RSS come from wait4() (the child and the children
 * it reaped, so a compiler driver's cc counts). WARMUP runs (default 1) are not counted.
 * Prints one line of key=value pairs:
 *   runs=N wall_med=S wall_min=S wall_max=S cpu_med=S rss_med_kib=K rss_max_kib=K
 * Exits 1 (after printing "failed: ...") if any run exits non-zero or is killed.
 *
 * Built by bench/run.sh with the system C compiler; no dependencies beyond POSIX.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* One run; returns 0 on success and fills wall, cpu, rss (KiB). */
static int run_once(char **cmd, const char *in, const char *out, double *wall, double *cpu, double *rss)
{
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("timeit: fork");
        return -1;
    }
    if (pid == 0) {
        int fi = open(in, O_RDONLY);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fi < 0 || fo < 0) {
            fprintf(stderr, "timeit: cannot open %s or %s: %s\n", in, out, strerror(errno));
            _exit(126);
        }
        dup2(fi, 0);
        dup2(fo, 1);
        close(fi);
        close(fo);
        execvp(cmd[0], cmd);
        fprintf(stderr, "timeit: cannot run %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("timeit: wait4");
            return -1;
        }
    }
    *wall = now() - t0;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    *rss = (double)ru.ru_maxrss;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        printf("failed: %s exited %d\n", cmd[0], WEXITSTATUS(status));
    else
        printf("failed: %s killed by signal %d\n", cmd[0], WTERMSIG(status));
    return -1;
}

int main(int argc, char **argv)
{
    int runs = 5, warmup = 1, opt;
    const char *in = "/dev/null", *out = "/dev/null";
    while ((opt = getopt(argc, argv, "+n:w:i:o:")) != -1) {
        switch (opt) {
        case 'n': runs = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 'i': in = optarg; break;
        case 'o': out = optarg; break;
        default:
            fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] [-i STDIN] [-o STDOUT] -- CMD [ARG ...]\n");
            return 2;
        }
    }
    if (optind >= argc || runs < 1 || warmup < 0) {
        fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] [-i STDIN] [-o STDOUT] -- CMD [ARG ...]\n");
        return 2;
    }
    char **cmd = argv + optind;
    double *wall = calloc((size_t)runs, sizeof *wall);
    double *cpu = calloc((size_t)runs, sizeof *cpu);
    double *rss = calloc((size_t)runs, sizeof *rss);
    if (!wall || !cpu || !rss) {
        fprintf(stderr, "timeit: out of memory\n");
        return 2;
    }
    double w, c, r;
    for (int i = 0; i < warmup; i++)
        if (run_once(cmd, in, out, &w, &c, &r) != 0)
            return 1;
    double wmin = 1e300, wmax = 0, rmax = 0;
    for (int i = 0; i < runs; i++) {
        if (run_once(cmd, in, out, &wall[i], &cpu[i], &rss[i]) != 0)
            return 1;
        if (wall[i] < wmin) wmin = wall[i];
        if (wall[i] > wmax) wmax = wall[i];
        if (rss[i] > rmax) rmax = rss[i];
    }
    printf("runs=%d wall_med=%.6f wall_min=%.6f wall_max=%.6f cpu_med=%.6f rss_med_kib=%.0f rss_max_kib=%.0f\n",
           runs, median(wall, runs), wmin, wmax, median(cpu, runs), median(rss, runs), rmax);
    return 0;
}
