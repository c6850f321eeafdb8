/* A program with children of its own: a forked child that asks for the time and its pid, and
 * an exec'd one (`env`) that prints its environment. Neither may record into the program's log,
 * and the exec'd one must not even see the shim's variables. Prints "@child pid=P time=T",
 * "@parent pid=P child=C" and the child environment's lines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  time_t before = time(NULL);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 10; i++) time(NULL);
    printf("@child pid=%d time=%ld\n", (int)getpid(), (long)time(NULL));
    fflush(stdout);
    _exit(0);
  }
  waitpid(child, NULL, 0);
  printf("@parent pid=%d child=%d before=%ld\n", (int)getpid(), (int)child, (long)before);
  fflush(stdout);
  return system("env") == 0 ? 0 : 1;
}
