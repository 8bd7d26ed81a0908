#include "bf16_kernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
/* Rows of the register tile: 8 rows × 2 vectors of 16 columns = 16 accumulators. */
#define MR 8

int bf16_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw");
}
#endif

static inline uint16_t round_one(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40); /* quiet NaN */
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

void bf16_round(const float *x, uint16_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = round_one(x[i]);
}

static inline size_t even(size_t k) { return (k + 1) & ~(size_t)1; }

void bf16_pack_nt(const float *w, size_t n, size_t k, uint16_t *packed, size_t p0, size_t p1) {
    size_t kpad = even(k), pairs = k / 2;
    for (size_t p = p0; p < p1; p++) {
        /* Pair kp of column j sits at 32-bit slot kp·32 + j of the panel. */
        uint32_t *panel = (uint32_t *)(packed + p * BF16_PANEL * kpad);
        for (size_t j = 0; j < BF16_PANEL; j++) {
            size_t col = p * BF16_PANEL + j;
            uint32_t *dst = panel + j;
            if (col >= n) {
                for (size_t kp = 0; kp < kpad / 2; kp++) dst[kp * BF16_PANEL] = 0;
                continue;
            }
            const float *row = w + col * k;
            for (size_t kp = 0; kp < pairs; kp++) {
                dst[kp * BF16_PANEL] = (uint32_t)round_one(row[2 * kp]) | ((uint32_t)round_one(row[2 * kp + 1]) << 16);
            }
            if (k & 1) dst[pairs * BF16_PANEL] = round_one(row[k - 1]);
        }
    }
}

void bf16_pack_rows(const float *a, size_t m, size_t k, size_t lda, uint16_t *out) {
    size_t kpad = even(k);
    for (size_t i = 0; i < m; i++) {
        bf16_round(a + i * lda, out + i * kpad, k);
        if (kpad != k) out[i * kpad + k] = 0;
    }
}

#if defined(__x86_64__)
/* One MR-row (rows < MR allowed) by 32-column tile over the whole K. */
TARGET static inline void tile(const uint16_t *a, size_t rows, size_t kpad, const uint16_t *panel,
                               float *c, size_t ldc, size_t cols, int accumulate) {
    __m512 acc0[MR], acc1[MR];
    for (int r = 0; r < MR; r++) { acc0[r] = _mm512_setzero_ps(); acc1[r] = _mm512_setzero_ps(); }
    const uint32_t *a32 = (const uint32_t *)a; /* pairs of bfloat16 */
    size_t kp2 = kpad / 2;
    if (rows == MR) {
        for (size_t kp = 0; kp < kp2; kp++) {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL);
            __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL + BF16_PANEL);
#pragma clang loop unroll(full)
            for (int r = 0; r < MR; r++) {
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)a32[r * kp2 + kp]);
                acc0[r] = _mm512_dpbf16_ps(acc0[r], x, b0);
                acc1[r] = _mm512_dpbf16_ps(acc1[r], x, b1);
            }
        }
    } else {
        for (size_t kp = 0; kp < kp2; kp++) {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL);
            __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL + BF16_PANEL);
            for (size_t r = 0; r < rows; r++) {
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)a32[r * kp2 + kp]);
                acc0[r] = _mm512_dpbf16_ps(acc0[r], x, b0);
                acc1[r] = _mm512_dpbf16_ps(acc1[r], x, b1);
            }
        }
    }
    __mmask16 m0 = cols >= 16 ? 0xffff : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xffff : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    for (size_t r = 0; r < rows; r++) {
        float *row = c + r * ldc;
        __m512 v0 = acc0[r], v1 = acc1[r];
        if (accumulate) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, row));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, row + 16));
        }
        _mm512_mask_storeu_ps(row, m0, v0);
        _mm512_mask_storeu_ps(row + 16, m1, v1);
    }
}

TARGET void bf16_gemm_nt(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                         size_t p0, size_t p1, float *c, size_t ldc, int accumulate) {
    for (size_t p = p0; p < p1; p++) {
        const uint16_t *panel = packed + p * BF16_PANEL * kpad;
        size_t col = p * BF16_PANEL;
        size_t cols = n - col < BF16_PANEL ? n - col : BF16_PANEL;
        for (size_t i = 0; i < m; i += MR) {
            size_t rows = m - i < MR ? m - i : MR;
            tile(a + i * kpad, rows, kpad, panel, c + i * ldc + col, ldc, cols, accumulate);
        }
    }
}
#else
int bf16_supported(void) { return 0; }

void bf16_gemm_nt(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                  size_t p0, size_t p1, float *c, size_t ldc, int accumulate) {
    (void)a; (void)m; (void)kpad; (void)packed; (void)n; (void)p0; (void)p1; (void)c; (void)ldc; (void)accumulate;
}
#endif
