/* Finds libc's definition of a function and its size through libc's own GNU hash table, as the
 * dynamic loader does. dladdr1() would give the size too, but it scans the whole symbol table,
 * some 25 microseconds a call: at every start of every program fred runs, that is most of what
 * the shim costs a small program. */
#define _GNU_SOURCE
#include "libc-symbols.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

struct found {
  const char *name;
  void *address;
  size_t size;
};

static uint32_t gnu_hash(const char *name) {
  uint32_t hash = 5381;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++) hash = hash * 33 + *c;
  return hash;
}

/* A dynamic-section pointer: glibc relocates most of them in place, but not all do. */
static uintptr_t dynamic_pointer(uintptr_t value, uintptr_t base) {
  return value < base ? base + value : value;
}

static int search(struct dl_phdr_info *info, size_t info_size, void *data) {
  (void)info_size;
  struct found *found = data;
  const char *slash = strrchr(info->dlpi_name, '/');
  const char *file = slash ? slash + 1 : info->dlpi_name;
  if (strncmp(file, "libc.so", 7) != 0) return 0;
  const ElfW(Dyn) *dynamic = NULL;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
  }
  if (!dynamic) return 1;
  const uint32_t *table = NULL;
  const ElfW(Sym) *symbols = NULL;
  const char *strings = NULL;
  for (; dynamic->d_tag != DT_NULL; dynamic++) {
    uintptr_t value = dynamic_pointer(dynamic->d_un.d_ptr, info->dlpi_addr);
    if (dynamic->d_tag == DT_GNU_HASH) table = (const uint32_t *)value;
    else if (dynamic->d_tag == DT_SYMTAB) symbols = (const ElfW(Sym) *)value;
    else if (dynamic->d_tag == DT_STRTAB) strings = (const char *)value;
  }
  if (!table || !symbols || !strings) return 1;
  uint32_t buckets = table[0], first_symbol = table[1], bloom_words = table[2];
  const uint32_t *bucket = table + 4 + bloom_words * (sizeof(ElfW(Addr)) / 4);
  const uint32_t *chain = bucket + buckets;
  uint32_t hash = gnu_hash(found->name);
  uint32_t index = bucket[hash % buckets];
  if (index < first_symbol) return 1;
  for (;; index++) {
    uint32_t entry = chain[index - first_symbol];
    const ElfW(Sym) *symbol = &symbols[index];
    if ((entry | 1) == (hash | 1) && strcmp(strings + symbol->st_name, found->name) == 0 && symbol->st_shndx != SHN_UNDEF
        && ELF64_ST_TYPE(symbol->st_info) == STT_FUNC) {
      found->address = (void *)(info->dlpi_addr + symbol->st_value);
      found->size = symbol->st_size;
      return 1;
    }
    if (entry & 1) return 1;
  }
}

void *fred_libc_function(const char *name, size_t *size) {
  struct found found = {name, NULL, 0};
  dl_iterate_phdr(search, &found);
  *size = found.size;
  return found.address;
}
