/* Calls a function made at run time in an anonymous executable page: code gdb knows no function
 * of ("Cannot find bounds of current function" for `step` there), as an interrupt may leave a
 * checkpoint inside the record shim's or a hit counter's trampolines. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef void (*made)(void);
void *page;
int counter;

int main(void) {
  static const unsigned char ret[] = {0xc3};
  page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 1;
  memcpy(page, ret, sizeof ret);
  ((made)page)(); /* @call */
  counter = 1; /* @after */
  counter = 2; /* @second */
  printf("%d\n", counter); /* @print */
  return 0;
}
