/* Allocates in a loop, then reads the clock for 300 ms (each call recorded by the record shim,
 * where most of that time goes), then allocates in a loop again before its last line. Under
 * fred, automatic checkpoints' interrupts in the middle part mostly land inside the shim: moments
 * no replay can find again, so no moments of the timeline. A count of the second loop must not
 * start at one of them (reverse-gdb.test.ts). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long total;

static void use(int i) {
    char *cell = malloc(16);
    cell[0] = (char)i;
    total += cell[0]; /* @use */
    free(cell);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void) {
    for (int i = 0; i < 50; i++)
        use(i); /* @before */
    double start = now();
    while (now() - start < 0.3) /* @clock */
        ;
    for (int i = 0; i < 50; i++)
        use(i); /* @after */
    printf("total %ld\n", total); /* @done */
    return 0;
}
