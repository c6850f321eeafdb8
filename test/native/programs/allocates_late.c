/* Its first allocation comes after main's first line, where fred checkpoints the start. glibc's
 * malloc draws a random key at its first allocation (with a raw getrandom no shim sees) and
 * leaves it in registers and freed blocks: unless fred has malloc set up before that checkpoint,
 * each replay from it draws another key and never finds the recorded moments again
 * (reverse-gdb.test.ts). */
#include <stdio.h>
#include <stdlib.h>

long total;

static void use(int i) {
    char *cell = malloc(16);
    cell[0] = (char)i;
    total += cell[0];
    free(cell); /* @free */
}

int main(void) {
    for (int i = 0; i < 50; i++)
        use(i);
    printf("total %ld\n", total); /* @done */
    return 0;
}
