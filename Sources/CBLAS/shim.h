#ifndef RLHF_CBLAS_SHIM_H
#define RLHF_CBLAS_SHIM_H
/* OpenBLAS's cblas.h also declares openblas_set_num_threads and friends. */
#include <cblas.h>
#endif
