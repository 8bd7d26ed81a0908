#ifndef RLHF_BF16_KERNELS_H
#define RLHF_BF16_KERNELS_H
/* bfloat16 matrix products on AVX-512 BF16 (vdpbf16ps), fp32 in and out, fp32 accumulation.
 * Callers check bf16_supported() first; the functions must not run on a CPU without AVX-512 BF16. */
#include <stddef.h>
#include <stdint.h>

/* Columns per packed panel. */
#define BF16_PANEL 32

/* 1 when this CPU executes AVX-512 BF16 instructions. */
int bf16_supported(void);

/* Floats → bfloat16 with round-to-nearest-even (NaN stays NaN). */
void bf16_round(const float *x, uint16_t *out, size_t n);

/* Packs panels [p0, p1) of weight W (N,K) row-major for bf16_gemm_nt: panel p holds columns
 * 32p..32p+31 (zero past N) as K/2 pairs of 32 × 2 bfloat16, K rounded up to even with a zero.
 * `packed` is the whole packed matrix: ceil(N/32) panels of 32 · kpad bfloat16 each. */
void bf16_pack_nt(const float *w, size_t n, size_t k, uint16_t *packed, size_t p0, size_t p1);

/* Rounds A (M,K) row-major (leading dimension lda) to bfloat16 rows of kpad = K rounded up to even,
 * zero-padded, into a (M,kpad) buffer. */
void bf16_pack_rows(const float *a, size_t m, size_t k, size_t lda, uint16_t *out);

/* Packs panels [p0, p1) of the product A·W for W (K,N) row-major with leading dimension ldw (the layout
 * bf16_pack_nt makes from Wᵀ): panel p holds columns 32p..32p+31 of W (zero past N) as K/2 pairs of rows,
 * K rounded up to even with a zero. So dX = dY·W (a linear layer's input gradient) runs in bf16_gemm_nt.
 * AVX-512 only (call after bf16_supported()); rounding as bf16_round. */
void bf16_pack_nn(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed, size_t p0, size_t p1);

/* Rows [r0, r1) of bf16_pack_rows, vectorised with AVX-512 (call after bf16_supported()); the same bits. */
void bf16_pack_rows_range(const float *a, size_t k, size_t lda, uint16_t *out, size_t r0, size_t r1);

/* Panels [p0, p1) of bf16_pack_nt, vectorised with AVX-512 (call after bf16_supported()); the same bits. */
void bf16_pack_nt_fast(const float *w, size_t n, size_t k, uint16_t *packed, size_t p0, size_t p1);

/* C[:, 32p0 : min(32p1, N)] (+)= A (M,kpad as packed by bf16_pack_rows) · Wᵀ for panels [p0, p1)
 * of W packed by bf16_pack_nt; C is (M,N) with leading dimension ldc; accumulate adds into C. */
void bf16_gemm_nt(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                  size_t p0, size_t p1, float *c, size_t ldc, int accumulate);

/* bf16_gemm_nt with the K dimension cut into blocks of kblock pairs (the last may be shorter): each panel's
 * block (32 · 2·kblock bfloat16) stays in L2 while every row tile runs over it, and partial sums go through
 * C between blocks. For long K (an LM head's input gradient, K = vocabulary); kblock ≥ kpad/2 is bf16_gemm_nt. */
void bf16_gemm_nt_blocked(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                          size_t p0, size_t p1, float *c, size_t ldc, int accumulate, size_t kblock);
#endif
