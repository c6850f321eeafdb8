/* Makes every call the record-replay shim intercepts, from a fork snapshot taken the way a
 * debugger does (recording paused, so the copy keeps the original's place in the log). The
 * original runs first; after it printed "@values original ...", it waits for one byte on
 * stdin (read while paused: not recorded) before it releases the copy, which runs the same
 * code again and prints "@values copy ...". Under the shim both lines carry the same values and
 * the "hello from the program" line appears once. Without it (or after the test cut the log),
 * the copy sees a new world.
 *
 * stdin: a pipe carrying a line of data, then (later) the release byte. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void shim(const char *name) {
  void (*function)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, name);
  if (function) function();
}

static void read_device(const char *path, unsigned char *buffer, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0 || read(fd, buffer, size) != (ssize_t)size) exit(3);
  close(fd);
}

int main(void) {
  shim("fred_record_pause");
  fflush(stdout);
  int release[2];
  if (pipe(release) != 0) return 2;
  pid_t copy = fork();
  if (copy == 0) {
    char byte;
    if (read(release[0], &byte, 1) != 1) return 2;
  }
  shim("fred_record_resume");

  struct timeval tv;
  struct timespec realtime, monotonic, cpu, boot, base;
  time_t now = time(NULL);
  gettimeofday(&tv, NULL);
  clock_gettime(CLOCK_REALTIME, &realtime);
  clock_gettime(CLOCK_MONOTONIC, &monotonic);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  clock_gettime(CLOCK_BOOTTIME, &boot);
  timespec_get(&base, TIME_UTC);
  clock_t ticks = clock();
  unsigned char random[8], entropy[8], buffer[8], urandom[8], devrandom[8];
  if (getrandom(random, sizeof random, 0) != sizeof random) return 3;
  if (getentropy(entropy, sizeof entropy) != 0) return 3;
  uint32_t word = arc4random(), bounded = arc4random_uniform(1000);
  arc4random_buf(buffer, sizeof buffer);
  read_device("/dev/urandom", urandom, sizeof urandom);
  /* Through stdio: libc reads inside fread, where symbol interposition cannot see. */
  FILE *device = fopen("/dev/random", "r");
  if (!device || fread(devrandom, 1, sizeof devrandom, device) != sizeof devrandom) return 3;
  fclose(device);
  pid_t pid = getpid(), parent = getppid();
  char line[64] = "";
  ssize_t got = read(0, line, sizeof line - 1);
  if (got > 0) line[got] = '\0';
  line[strcspn(line, "\n")] = '\0';
  /* A datagram the program sends itself: the receive is an event, the send is not. */
  int pair[2];
  char datagram[16] = "";
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0 || send(pair[1], "ping", 4, 0) != 4) return 3;
  if (recv(pair[0], datagram, sizeof datagram - 1, 0) != 4) return 3;
  close(pair[0]);
  close(pair[1]);
  printf("hello from the program\n");
  fflush(stdout);

  shim("fred_record_pause");
  printf("@values %s time=%ld tv=%ld.%06ld real=%ld.%09ld mono=%ld.%09ld cpu=%ld.%09ld boot=%ld.%09ld base=%ld.%09ld"
         " ticks=%ld random=%02x%02x entropy=%02x%02x word=%u bounded=%u buffer=%02x%02x urandom=%02x%02x"
         " devrandom=%02x%02x pid=%d ppid=%d line=%s datagram=%s\n",
         copy == 0 ? "copy" : "original", (long)now, (long)tv.tv_sec, (long)tv.tv_usec, (long)realtime.tv_sec,
         realtime.tv_nsec, (long)monotonic.tv_sec, monotonic.tv_nsec, (long)cpu.tv_sec, cpu.tv_nsec, (long)boot.tv_sec,
         boot.tv_nsec, (long)base.tv_sec, base.tv_nsec, (long)ticks, random[0], random[1], entropy[0], entropy[1], word,
         bounded, buffer[0], buffer[1], urandom[0], urandom[1], devrandom[0], devrandom[1], (int)pid, (int)parent, line,
         datagram);
  fflush(stdout);
  if (copy == 0) return 0;
  char go;
  if (read(0, &go, 1) != 1) return 2;
  if (write(release[1], "x", 1) != 1) return 2;
  waitpid(copy, NULL, 0);
  return 0;
}
