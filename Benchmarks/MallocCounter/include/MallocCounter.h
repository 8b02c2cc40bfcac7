#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H

#include <stdint.h>

/// How many allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc) this
/// process made so far; 0 where counting is not supported (non-glibc systems).
uint64_t malloc_counter_count(void);

/// Bytes allocated and not freed (glibc's mallinfo2 `uordblks`); 0 where not supported.
uint64_t malloc_counter_bytes_in_use(void);

#endif
