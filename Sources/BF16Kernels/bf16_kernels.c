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
/* One MR-row (rows < MR allowed) by 32-column tile over kp2 pairs of K; rows of A are lda pairs apart. */
TARGET static inline void tile(const uint16_t *a, size_t rows, size_t lda, size_t kp2, const uint16_t *panel,
                               float *c, size_t ldc, size_t cols, int accumulate) {
    __m512 acc0[MR], acc1[MR];
    for (int r = 0; r < MR; r++) { acc0[r] = _mm512_setzero_ps(); acc1[r] = _mm512_setzero_ps(); }
    const uint32_t *a32 = (const uint32_t *)a; /* pairs of bfloat16 */
    if (rows == MR) {
        for (size_t kp = 0; kp < kp2; kp++) {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL);
            __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL + BF16_PANEL);
#pragma clang loop unroll(full)
            for (int r = 0; r < MR; r++) {
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)a32[r * lda + kp]);
                acc0[r] = _mm512_dpbf16_ps(acc0[r], x, b0);
                acc1[r] = _mm512_dpbf16_ps(acc1[r], x, b1);
            }
        }
    } else {
        for (size_t kp = 0; kp < kp2; kp++) {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL);
            __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + kp * 2 * BF16_PANEL + BF16_PANEL);
            for (size_t r = 0; r < rows; r++) {
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)a32[r * lda + kp]);
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

TARGET void bf16_gemm_nt_blocked(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                                 size_t p0, size_t p1, float *c, size_t ldc, int accumulate, size_t kblock) {
    size_t pairs = kpad / 2;
    if (kblock == 0 || kblock > pairs) kblock = pairs;
    for (size_t p = p0; p < p1; p++) {
        const uint16_t *panel = packed + p * BF16_PANEL * kpad;
        size_t col = p * BF16_PANEL;
        size_t cols = n - col < BF16_PANEL ? n - col : BF16_PANEL;
        for (size_t k0 = 0; k0 < pairs; k0 += kblock) {
            size_t kp2 = pairs - k0 < kblock ? pairs - k0 : kblock;
            int add = accumulate || k0 > 0;
            for (size_t i = 0; i < m; i += MR) {
                size_t rows = m - i < MR ? m - i : MR;
                tile(a + i * kpad + 2 * k0, rows, pairs, kp2, panel + k0 * 2 * BF16_PANEL, c + i * ldc + col, ldc, cols, add);
            }
        }
    }
}

TARGET void bf16_gemm_nt(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                         size_t p0, size_t p1, float *c, size_t ldc, int accumulate) {
    bf16_gemm_nt_blocked(a, m, kpad, packed, n, p0, p1, c, ldc, accumulate, kpad / 2);
}

/* round_one on 16 lanes: each 32-bit lane gets the bfloat16 bits in its low half. */
TARGET static inline __m512i round16(__m512 x) {
    __m512i b = _mm512_castps_si512(x);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(b, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff))), 16);
    __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    return _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(0x40)));
}

/* The first `count` lanes (0..16). */
static inline __mmask16 lanes(size_t count) { return count >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << count) - 1); }

TARGET void bf16_pack_rows_range(const float *a, size_t k, size_t lda, uint16_t *out, size_t r0, size_t r1) {
    size_t kpad = even(k);
    for (size_t i = r0; i < r1; i++) {
        const float *row = a + i * lda;
        uint16_t *dst = out + i * kpad;
        for (size_t j = 0; j < kpad; j += 16) {
            __m512 x = _mm512_maskz_loadu_ps(lanes(j < k ? k - j : 0), row + j);
            _mm256_mask_storeu_epi16(dst + j, lanes(kpad - j), _mm512_cvtepi32_epi16(round16(x)));
        }
    }
}

TARGET void bf16_pack_nn(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed, size_t p0, size_t p1) {
    size_t kpad = even(k);
    for (size_t p = p0; p < p1; p++) {
        uint32_t *panel = (uint32_t *)(packed + p * BF16_PANEL * kpad);
        size_t col = p * BF16_PANEL, cols = n - col < BF16_PANEL ? n - col : BF16_PANEL;
        __mmask16 m0 = lanes(cols), m1 = lanes(cols > 16 ? cols - 16 : 0);
        for (size_t kp = 0; kp < kpad / 2; kp++) {
            const float *r0 = w + 2 * kp * ldw + col;
            __m512i lo0 = round16(_mm512_maskz_loadu_ps(m0, r0)), hi0 = round16(_mm512_maskz_loadu_ps(m1, r0 + 16));
            __m512i lo1 = _mm512_setzero_si512(), hi1 = _mm512_setzero_si512();
            if (2 * kp + 1 < k) {
                const float *r1 = r0 + ldw;
                lo1 = round16(_mm512_maskz_loadu_ps(m0, r1));
                hi1 = round16(_mm512_maskz_loadu_ps(m1, r1 + 16));
            }
            /* Slot j of pair kp: row 2kp's bfloat16 low, row 2kp+1's high. */
            _mm512_storeu_si512(panel + kp * BF16_PANEL, _mm512_or_si512(lo0, _mm512_slli_epi32(lo1, 16)));
            _mm512_storeu_si512(panel + kp * BF16_PANEL + 16, _mm512_or_si512(hi0, _mm512_slli_epi32(hi1, 16)));
        }
    }
}

TARGET void bf16_pack_nt_fast(const float *w, size_t n, size_t k, uint16_t *packed, size_t p0, size_t p1) {
    size_t kpad = even(k), pairs = kpad / 2;
    uint32_t block[BF16_PANEL][16]; /* 32 columns × 16 pairs, transposed into the panel */
    for (size_t p = p0; p < p1; p++) {
        uint32_t *panel = (uint32_t *)(packed + p * BF16_PANEL * kpad);
        for (size_t q0 = 0; q0 < pairs; q0 += 16) {
            size_t e0 = 2 * q0, left = k > e0 ? k - e0 : 0;
            for (size_t j = 0; j < BF16_PANEL; j++) {
                size_t col = p * BF16_PANEL + j;
                __m512i both = _mm512_setzero_si512();
                if (col < n) {
                    const float *row = w + col * k + e0;
                    __m256i lo = _mm512_cvtepi32_epi16(round16(_mm512_maskz_loadu_ps(lanes(left), row)));
                    __m256i hi = _mm512_cvtepi32_epi16(round16(_mm512_maskz_loadu_ps(lanes(left > 16 ? left - 16 : 0), row + 16)));
                    both = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
                }
                _mm512_storeu_si512(block[j], both);
            }
            size_t q1 = pairs - q0 < 16 ? pairs - q0 : 16;
            for (size_t q = 0; q < q1; q++) {
                uint32_t *dst = panel + (q0 + q) * BF16_PANEL;
                for (size_t j = 0; j < BF16_PANEL; j++) dst[j] = block[j][q];
            }
        }
    }
}
#else
int bf16_supported(void) { return 0; }

void bf16_gemm_nt(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                  size_t p0, size_t p1, float *c, size_t ldc, int accumulate) {
    (void)a; (void)m; (void)kpad; (void)packed; (void)n; (void)p0; (void)p1; (void)c; (void)ldc; (void)accumulate;
}

void bf16_gemm_nt_blocked(const uint16_t *a, size_t m, size_t kpad, const uint16_t *packed, size_t n,
                          size_t p0, size_t p1, float *c, size_t ldc, int accumulate, size_t kblock) {
    (void)a; (void)m; (void)kpad; (void)packed; (void)n; (void)p0; (void)p1; (void)c; (void)ldc; (void)accumulate;
    (void)kblock;
}

void bf16_pack_rows_range(const float *a, size_t k, size_t lda, uint16_t *out, size_t r0, size_t r1) {
    (void)a; (void)k; (void)lda; (void)out; (void)r0; (void)r1;
}

void bf16_pack_nn(const float *w, size_t k, size_t n, size_t ldw, uint16_t *packed, size_t p0, size_t p1) {
    (void)w; (void)k; (void)n; (void)ldw; (void)packed; (void)p0; (void)p1;
}

void bf16_pack_nt_fast(const float *w, size_t n, size_t k, uint16_t *packed, size_t p0, size_t p1) {
    (void)w; (void)n; (void)k; (void)packed; (void)p0; (void)p1;
}
#endif
