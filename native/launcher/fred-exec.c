/* fred-exec: gdb's exec-wrapper for the debuggee. It execs the program with the argv and
 * stdin recorded in a launch file, so no program argument or path ever passes through a shell.
 *
 * Launch file format: NUL-terminated fields: stdin path ("" = keep), program path, argv[0..n-1].
 * An optional environment file next to it, LAUNCH_FILE.env, holds NUL-terminated NAME=VALUE
 * entries set for the program only (fred's record-replay shim: LD_PRELOAD must reach neither gdb
 * nor the shell gdb starts this wrapper with).
 * Usage (by gdb): fred-exec LAUNCH_FILE EXEC_FILE [ARGS...]. gdb appends its exec file and, when
 * the user gave `run ARGS` or `set args`, those arguments: then they replace the recorded ones,
 * as they would in plain gdb.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t capacity = 4096, used = 0;
  char *data = malloc(capacity);
  for (;;) {
    if (used == capacity) data = realloc(data, capacity *= 2);
    ssize_t n = read(fd, data + used, capacity - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += (size_t)n;
  }
  close(fd);
  *size = used;
  return data;
}

/* Applies LAUNCH_FILE.env, if there is one. */
static int set_program_environment(const char *launch_file) {
  size_t length = strlen(launch_file);
  char *path = malloc(length + sizeof ".env");
  memcpy(path, launch_file, length);
  memcpy(path + length, ".env", sizeof ".env");
  size_t size = 0;
  char *entries = read_all(path, &size);
  if (!entries) {
    free(path);
    return errno == ENOENT ? 0 : -1;
  }
  if (size > 0 && entries[size - 1] != '\0') {
    fprintf(stderr, "fred-exec: malformed environment file %s\n", path);
    return -1;
  }
  /* putenv keeps the strings, which live until exec. */
  for (char *entry = entries; entry < entries + size; entry += strlen(entry) + 1) {
    if (strchr(entry, '=') == NULL || putenv(entry) != 0) {
      fprintf(stderr, "fred-exec: bad environment entry in %s\n", path);
      return -1;
    }
  }
  free(path);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "fred-exec: usage: fred-exec LAUNCH_FILE\n");
    return 127;
  }
  size_t size = 0;
  char *data = read_all(argv[1], &size);
  if (!data || size == 0 || data[size - 1] != '\0') {
    fprintf(stderr, "fred-exec: cannot read launch file %s\n", argv[1]);
    return 127;
  }
  /* Split the NUL-separated fields. */
  size_t count = 0;
  for (size_t i = 0; i < size; i++) count += data[i] == '\0';
  char **fields = calloc(count + 1, sizeof *fields);
  size_t field = 0;
  for (char *p = data; p < data + size; p += strlen(p) + 1) fields[field++] = p;
  if (count < 3) {
    fprintf(stderr, "fred-exec: malformed launch file %s\n", argv[1]);
    return 127;
  }
  const char *stdin_path = fields[0];
  const char *program = fields[1];
  if (stdin_path[0] != '\0') {
    int fd = open(stdin_path, O_RDONLY);
    if (fd < 0 || dup2(fd, 0) < 0) {
      fprintf(stderr, "fred-exec: cannot open %s: %s\n", stdin_path, strerror(errno));
      return 127;
    }
    if (fd != 0) close(fd);
  }
  if (set_program_environment(argv[1]) != 0) return 127;
  char **program_argv = fields + 2;
  if (argc > 3) {
    /* The user set arguments inside gdb: keep the recorded argv[0], take theirs. */
    program_argv = calloc((size_t)argc - 1, sizeof *program_argv);
    program_argv[0] = fields[2];
    for (int i = 3; i < argc; i++) program_argv[i - 2] = argv[i];
  }
  execv(program, program_argv);
  fprintf(stderr, "fred-exec: cannot execute %s: %s\n", program, strerror(errno));
  return 127;
}
