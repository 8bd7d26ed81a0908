#ifndef RLHF_CXXHASH_SHIM_H
#define RLHF_CXXHASH_SHIM_H
#include <xxhash.h>
#endif
