/*
 * raw_poll: the baseline for treadbench's status-poll rate. It does what
 * ModbusDrive.readReport() does on the bus, with libmodbus directly and nothing
 * else, for a fixed time: one FC03 read per READS entry, each poll. For a profile
 * whose status registers lie in one block that is one read (the Delta profile:
 * 0x2100:4); for one that reads status one register at a time, one read each
 * (ABB ACS580: 0x0000:1,0x0003:1,0x0004:1 and so on, in the profile's order).
 *
 *   raw_poll HOST PORT UNIT SECONDS READS [WARMUP]
 *
 * READS is ADDRESS:COUNT[,ADDRESS:COUNT...], at most 16 reads; ADDRESS may be
 * decimal or 0x-hex. A poll counts when every read of it succeeded. The connection uses the same timeouts as
 * ModbusSettings' defaults (response 200 ms, byte 50 ms). WARMUP reads (default
 * 200) are done first and not counted. Prints one line of JSON on stdout:
 *   {"polls":N,"seconds":S,"errors":E,"cpu_seconds":C}
 * and exits 0; on a failure to connect or a lost link, a message on stderr and
 * exit 1. "cpu_seconds" is this thread's CPU time (user + system) in the timed loop.
 *
 * Build: gcc -O2 benchmarks/raw_poll.c -o raw_poll $(pkg-config --cflags --libs libmodbus)
 */
#include <errno.h>
#include <modbus.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_READS 16

struct read { int address, count; };

/* Parses READS into reads[]; returns how many, or -1 when malformed. */
static int parse_reads(const char *text, struct read *reads) {
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        if (n == MAX_READS) return -1;
        long address = strtol(p, &end, 0);
        if (end == p || *end != ':' || address < 0 || address > 0xFFFF) return -1;
        p = end + 1;
        long count = strtol(p, &end, 10);
        if (end == p || count < 1 || count > MODBUS_MAX_READ_REGISTERS || (*end != ',' && *end != 0)) return -1;
        reads[n].address = (int)address;
        reads[n].count = (int)count;
        n++;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* One poll: every read in order; 0 when all succeeded, else -1 with errno from the failed one. */
static int poll_once(modbus_t *ctx, const struct read *reads, int n, uint16_t *regs) {
    for (int i = 0; i < n; i++) {
        if (modbus_read_registers(ctx, reads[i].address, reads[i].count, regs) != reads[i].count) return -1;
    }
    return 0;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lost_link(int e) {
    return e == ECONNRESET || e == EPIPE || e == EIO || e == ENOTCONN || e == EBADF;
}

int main(int argc, char **argv) {
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: %s HOST PORT UNIT SECONDS READS [WARMUP]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    int unit = atoi(argv[3]);
    double seconds = atof(argv[4]);
    struct read reads[MAX_READS];
    int n = parse_reads(argv[5], reads);
    long warmup = argc == 7 ? atol(argv[6]) : 200;
    if (port <= 0 || seconds <= 0 || n < 1) {
        fprintf(stderr, "raw_poll: bad arguments\n");
        return 2;
    }

    modbus_t *ctx = modbus_new_tcp(host, port);
    if (ctx == NULL) {
        fprintf(stderr, "raw_poll: modbus_new_tcp: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, unit);
    modbus_set_response_timeout(ctx, 0, 200000);
    modbus_set_byte_timeout(ctx, 0, 50000);
    if (modbus_connect(ctx) != 0) {
        fprintf(stderr, "raw_poll: connect %s:%d: %s\n", host, port, modbus_strerror(errno));
        modbus_free(ctx);
        return 1;
    }

    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
    for (long i = 0; i < warmup; i++) {
        if (poll_once(ctx, reads, n, regs) != 0 && lost_link(errno)) {
            fprintf(stderr, "raw_poll: warm-up read: %s\n", modbus_strerror(errno));
            modbus_close(ctx);
            modbus_free(ctx);
            return 1;
        }
    }

    long polls = 0, errors = 0;
    double cpu_start = thread_cpu_seconds();
    double start = now_seconds(), deadline = start + seconds, t = start;
    while (t < deadline) {
        if (poll_once(ctx, reads, n, regs) == 0) {
            polls++;
        } else {
            errors++;
            if (lost_link(errno)) {
                fprintf(stderr, "raw_poll: read: %s\n", modbus_strerror(errno));
                modbus_close(ctx);
                modbus_free(ctx);
                return 1;
            }
        }
        t = now_seconds();
    }
    double cpu = thread_cpu_seconds() - cpu_start;
    printf("{\"polls\":%ld,\"seconds\":%.6f,\"errors\":%ld,\"cpu_seconds\":%.6f}\n", polls, t - start, errors, cpu);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
