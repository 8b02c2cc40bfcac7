// Counts the allocations of the benchmark process, to report allocations per call.
//
// Linked only into the SignalRBenchmarks executable: an executable's definitions of malloc
// and friends take precedence over the C library's for the whole process (ELF symbol
// interposition), so every allocation, Swift's included, passes through these wrappers,
// which count and forward to glibc's own entry points (__libc_malloc and friends).
#include "MallocCounter.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic uint64_t allocations = 0;

static inline void counted(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

void *malloc(size_t size) {
    counted();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    counted();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    counted();
    return __libc_realloc(pointer, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    counted();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}

uint64_t malloc_counter_count(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }
#else
uint64_t malloc_counter_count(void) { return 0; }
#endif

#if defined(__GLIBC__)
#include <malloc.h>
uint64_t malloc_counter_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (uint64_t)info.uordblks;
}
#else
uint64_t malloc_counter_bytes_in_use(void) { return 0; }
#endif
