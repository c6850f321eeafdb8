/* Reads what the test gives it, in ways that decide which reads the record-replay shim records.
 *
 *   read_input copy     reads stdin to its end with read(2), 4 KiB at a time, and prints
 *                       "@read BYTES DIGEST" (FNV-1a of the bytes).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t digest(uint64_t hash, const char *bytes, size_t size) {
  for (size_t i = 0; i < size; i++) hash = (hash ^ (unsigned char)bytes[i]) * 0x100000001b3ULL;
  return hash;
}

static int copy(void) {
  char buffer[4096];
  uint64_t hash = 0xcbf29ce484222325ULL, total = 0;
  for (;;) {
    ssize_t got = read(0, buffer, sizeof buffer);
    if (got < 0) return 2;
    if (got == 0) break;
    hash = digest(hash, buffer, (size_t)got);
    total += (uint64_t)got;
  }
  printf("@read %llu %016llx\n", (unsigned long long)total, (unsigned long long)hash);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "copy") == 0) return copy();
  fprintf(stderr, "usage: read_input copy\n");
  return 2;
}
