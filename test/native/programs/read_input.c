/* Reads what the test gives it, in ways that decide which reads the record-replay shim records:
 * those of pipes (and sockets and devices), never those of regular files. What a descriptor
 * refers to changes under the shim's feet here, through calls it does not see.
 *
 *   read_input copy       reads stdin to its end with read(2), 4 KiB at a time, and prints
 *                         "@read BYTES DIGEST" (FNV-1a of the bytes).
 *   read_input reopen F   reads a line of stdin (a pipe) with fgets, then freopen()s stdin on the
 *                         regular file F (libc moves it to fd 0 with its internal dup3), reads F
 *                         with fgets to its end; then closes fd 0 with fclose (libc's internal
 *                         close), opens F again (fd 0 again) and reads it with read(2).
 *   read_input dup2 F     opens F (fd 3), reads half of it, then dup2()s a pipe holding "piped
 *                         data\n" over fd 3 and reads that to its end, then F again on a new fd.
 * Both print each line they read as "@line TEXT" and each read(2) as "@got TEXT" (newlines as |).
 */
#define _GNU_SOURCE
#include <fcntl.h>
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

/* Reads fd to its end with read(2), printing what each read got. */
static int read_to_end(int fd, size_t chunk) {
  char buffer[256];
  if (chunk >= sizeof buffer) chunk = sizeof buffer - 1;
  for (;;) {
    ssize_t got = read(fd, buffer, chunk);
    if (got < 0) return 2;
    if (got == 0) return 0;
    buffer[got] = '\0';
    for (char *newline = strchr(buffer, '\n'); newline; newline = strchr(newline, '\n')) *newline = '|';
    printf("@got %s\n", buffer);
  }
}

static int reopen(const char *file) {
  char line[256];
  if (!fgets(line, sizeof line, stdin)) return 2;
  printf("@line %s", line);
  if (!freopen(file, "r", stdin) || fileno(stdin) != 0) return 3;
  while (fgets(line, sizeof line, stdin)) printf("@line %s", line);
  if (fclose(stdin) != 0) return 3;
  if (open(file, O_RDONLY) != 0) return 3;
  return read_to_end(0, sizeof line);
}

static int replace_with_pipe(const char *file) {
  int fd = open(file, O_RDONLY);
  int ends[2];
  if (fd != 3 || pipe(ends) != 0) return 3;
  char half[8];
  if (read(fd, half, sizeof half) != (ssize_t)sizeof half) return 2;
  printf("@got %.8s\n", half);
  if (write(ends[1], "piped data\n", 11) != 11 || close(ends[1]) != 0) return 3;
  if (dup2(ends[0], fd) != fd || close(ends[0]) != 0) return 3;
  int result = read_to_end(fd, 255);
  if (result != 0 || close(fd) != 0) return result ? result : 3;
  return read_to_end(open(file, O_RDONLY), 255);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "copy") == 0) return copy();
  if (argc == 3 && strcmp(argv[1], "reopen") == 0) return reopen(argv[2]);
  if (argc == 3 && strcmp(argv[1], "dup2") == 0) return replace_with_pipe(argv[2]);
  fprintf(stderr, "usage: read_input copy | reopen FILE | dup2 FILE\n");
  return 2;
}
