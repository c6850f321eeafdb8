/* A breakpoint on an instruction that reads a global RIP-relative while another register (rcx)
 * holds a value the next instruction uses. gdb 13 steps over such a breakpoint by running a copy
 * of the instruction elsewhere with rcx pointing at the data; a signal arriving then (fred's
 * automatic checkpoints interrupt the program with SIGINT) left rcx pointing there, and the
 * program computed garbage (reverse-gdb.test.ts). */
#include <stdio.h>
#include <stdlib.h>

long one = 1;

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 300;
    long total = 0;
    for (long i = 0; i < n; i++) {
        long sum;
        __asm__ volatile(
            "mov $5, %%rcx\n\t"
            ".globl fred_site\n"
            "fred_site:\n\t"
            "mov one(%%rip), %%rdx\n\t"
            "lea (%%rdx,%%rcx), %0\n\t"
            : "=r"(sum) : : "rcx", "rdx");
        total += sum;
    }
    printf("total %ld expected %ld\n", total, 6 * n); /* @done */
    return 0;
}
