#ifndef FRAMECUT_CBLAS_SHIM_H
#define FRAMECUT_CBLAS_SHIM_H
#include <cblas.h>
#include <sys/mman.h>
/// Ask the kernel for transparent huge pages on a large allocation (fewer TLB misses
/// on strided access of the dense cost matrix). Returns 0 on success.
static inline int framecut_madvise_hugepage(void *addr, unsigned long length) {
#ifdef MADV_HUGEPAGE
    return madvise(addr, length, MADV_HUGEPAGE);
#else
    return -1;
#endif
}
#endif
