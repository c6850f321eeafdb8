/* The program whose gdb/MI conversations are captured in this folder (see test/grammars/mi.test.ts).
   Build: gcc -g -O0 -pthread -o /tmp/mi-sample mi-sample.c
   `greeting` exercises c-string escapes: quotes, backslash, tab, newline and a non-ASCII "é".
   Argument "crash": dereferences NULL three calls below main (SIGSEGV).
   Argument "threads": runs the same calls in a second thread, so gdb lists two thread ids.
   Otherwise, and after "threads", it exits with code 3. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *greeting = "say \"hi\"\\\tcafé\n";

static int innermost(int n, int *cell)
{
  return *cell + n;
}

static int middle(int n, int *cell)
{
  return innermost(n * 2, cell) + 1;
}

static int outer(int n, int *cell)
{
  return middle(n + 1, cell) + 1;
}

static void *worker(void *cell)
{
  static int total;
  total = outer(1, cell);
  return &total;
}

int main(int argc, char **argv)
{
  int value = 40;
  const char *mode = argc > 1 ? argv[1] : "";
  int *cell = strcmp(mode, "crash") == 0 ? NULL : &value;
  int total;
  if (strcmp(mode, "threads") == 0) {
    pthread_t thread;
    void *result;
    pthread_create(&thread, NULL, worker, cell);
    pthread_join(thread, &result);
    total = *(int *)result;
  } else {
    total = outer(1, cell);
  }
  printf("%s total=%d\n", greeting, total);
  return 3;
}
