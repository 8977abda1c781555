/*
 * tests/abi/mmap_smp.c on 4 vCPUs: the one-thread workers, the readers of
 * their address spaces and the threads of one process then all run at
 * once.
 */
/* abi: smp 4 */
#define PROGRAM "mmap_smp4"
#include "mmap_smp.c"
