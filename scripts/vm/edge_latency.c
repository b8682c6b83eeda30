/* Guest helper for the VM lane: makes an input edge through gpio-sim and times how long the
 * output line takes to change, as a consumer (treadd) drives it.
 *
 *   edge_latency PULL_FILE pull-up|pull-down VALUE_FILE WANT(0|1) TIMEOUT_MS
 *
 * Writes PULL_FILE, then reads VALUE_FILE in a tight loop until it reads WANT; prints the
 * elapsed microseconds (CLOCK_MONOTONIC) and exits 0, or exits 1 at the timeout. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s PULL_FILE pull-up|pull-down VALUE_FILE WANT TIMEOUT_MS\n", argv[0]);
        return 64;
    }
    int value = open(argv[3], O_RDONLY);
    if (value < 0) { perror(argv[3]); return 1; }
    int pull = open(argv[1], O_WRONLY);
    if (pull < 0) { perror(argv[1]); return 1; }
    double timeout = atof(argv[5]) * 1000;
    char want = argv[4][0], buf[4];
    double t0 = now_us();
    if (write(pull, argv[2], strlen(argv[2])) < 0) { perror("write pull"); return 1; }
    for (;;) {
        ssize_t n = pread(value, buf, sizeof buf, 0);
        if (n > 0 && buf[0] == want) {
            printf("%.0f\n", now_us() - t0);
            return 0;
        }
        if (now_us() - t0 > timeout) {
            fprintf(stderr, "no change to %c within %s ms\n", want, argv[5]);
            return 1;
        }
    }
}
