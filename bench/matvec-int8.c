/*
 * Exact native reference for bench/engine.ts (issue 10 §6): int8 W (rows × cols) · int8 x (cols) -> int32 y (rows),
 * the same matrix-vector product as src/engine/kernels/matvec.ts, built at bench time with the system compiler
 * (`cc -O3 -march=native`): AVX-512 VNNI or AVX2 intrinsics when the CPU has them, plain C otherwise. Every path is
 * exact on any CPU (|w·x| ≤ 2^14 and |y| < 2^31 for cols ≤ 2^16; no saturating instruction), unlike onnxruntime's
 * MatMulInteger on AVX2 without VNNI; bench/engine.ts still checks the outputs bit for bit before any ratio.
 *
 *   matvec-int8 <input file> <output file>
 *
 * Input file: int32 LE rows, cols, nvec; then W (rows·cols int8, row-major); then nvec vectors x (cols int8 each).
 * The program writes y for every x to <output file> (nvec · rows int32 LE), prints "ready <path>" (avx512-vnni,
 * avx2 or scalar: what the CPU and compiler allowed), then serves timing requests on stdin, one per line: "N" runs
 * N products of W with the first x and prints the elapsed nanoseconds (CLOCK_MONOTONIC); EOF ends it. The caller
 * interleaves these rounds with its own, so load from other processes hits both alike.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define PATH "avx512-vnni"
#elif defined(__AVX2__)
#define PATH "avx2"
#else
#define PATH "scalar"
#endif

/* y[r] += Σ_{c ≥ c0} W[r, c] · x[c] for rows r0..rows−1, plain C: the fallback, and the AVX2 path's tails. */
__attribute__((unused)) static void matvec_rows_scalar(const int8_t *restrict w, int r0, int rows, int cols, int c0, const int8_t *restrict x, int32_t *restrict y) {
  for (int r = r0; r < rows; r++) {
    const int8_t *wr = w + (size_t)r * cols;
    int32_t s = 0;
    for (int c = c0; c < cols; c++) s += (int32_t)wr[c] * (int32_t)x[c];
    y[r] += s;
  }
}

#if defined(__AVX2__)
#include <immintrin.h>
static inline int32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}
#endif

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
/*
 * With AVX-512 VNNI: vpdpbusd multiplies unsigned by signed bytes and adds groups of four products into int32
 * without saturation, so with u = x + 128 (uint8) and the row sums S[r] = Σ_c W[r, c] (computed once, as
 * onnxruntime pre-packs its constant B): y[r] = Σ u·W − 128·S[r], exact (|Σ u·W| ≤ 255 · 128 · cols < 2^31).
 * The same trick onnxruntime's MatMulInteger uses on this hardware, 64 MACs per instruction.
 */
static int32_t *row_sums;
static uint8_t *xu;

static void prepare(const int8_t *w, int rows, int cols) {
  row_sums = malloc((size_t)rows * 4);
  xu = aligned_alloc(64, ((size_t)cols + 63) / 64 * 64);
  for (int r = 0; r < rows; r++) {
    int32_t s = 0;
    for (int c = 0; c < cols; c++) s += w[(size_t)r * cols + c];
    row_sums[r] = s;
  }
}

__attribute__((noinline)) static void matvec(const int8_t *restrict w, int rows, int cols, const int8_t *restrict x, int32_t *restrict y) {
  for (int c = 0; c < cols; c++) xu[c] = (uint8_t)(x[c] + 128);
  int cv = cols & ~63;
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const int8_t *w0 = w + (size_t)r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (int c = 0; c < cv; c += 64) {
      __m512i xv = _mm512_loadu_si512((const void *)(xu + c));
      a0 = _mm512_dpbusd_epi32(a0, xv, _mm512_loadu_si512((const void *)(w0 + c)));
      a1 = _mm512_dpbusd_epi32(a1, xv, _mm512_loadu_si512((const void *)(w1 + c)));
      a2 = _mm512_dpbusd_epi32(a2, xv, _mm512_loadu_si512((const void *)(w2 + c)));
      a3 = _mm512_dpbusd_epi32(a3, xv, _mm512_loadu_si512((const void *)(w3 + c)));
    }
    __m512i acc[4] = {a0, a1, a2, a3};
    for (int k = 0; k < 4; k++) {
      int32_t s = _mm512_reduce_add_epi32(acc[k]) - 128 * row_sums[r + k];
      const int8_t *wr = w + (size_t)(r + k) * cols;
      for (int c = cv; c < cols; c++) s += (int32_t)wr[c] * (int32_t)x[c] + 128 * (int32_t)wr[c]; /* tail: undo its share of −128·S */
      y[r + k] = s;
    }
  }
  for (; r < rows; r++) {
    const int8_t *wr = w + (size_t)r * cols;
    int32_t s = 0;
    for (int c = 0; c < cols; c++) s += (int32_t)wr[c] * (int32_t)x[c];
    y[r] = s;
  }
}
#else
static void prepare(const int8_t *w, int rows, int cols) {
  (void)w, (void)rows, (void)cols;
}

/*
 * With AVX2: four rows at a time, 16 columns per step: sign-extend to int16 and vpmaddwd (pairs of int16 products
 * summed into int32: |sum| ≤ 2 · 2^14, exact), the native counterpart of the wasm kernel's i32x4.dot_i16x8_s.
 * Plain C (what the compiler makes of it) was about 2 GMAC/s here, too slow to be a useful speed reference.
 */
__attribute__((noinline)) static void matvec(const int8_t *restrict w, int rows, int cols, const int8_t *restrict x, int32_t *restrict y) {
  for (int r = 0; r < rows; r++) y[r] = 0;
#if defined(__AVX2__)
  int cv = cols & ~15;
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const int8_t *w0 = w + (size_t)r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (int c = 0; c < cv; c += 16) {
      __m256i xv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + c)));
      a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w0 + c))), xv));
      a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w1 + c))), xv));
      a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w2 + c))), xv));
      a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w3 + c))), xv));
    }
    y[r] = hsum(a0);
    y[r + 1] = hsum(a1);
    y[r + 2] = hsum(a2);
    y[r + 3] = hsum(a3);
  }
  matvec_rows_scalar(w, 0, r, cols, cv, x, y); /* column tail of the 4-row blocks */
  matvec_rows_scalar(w, r, rows, cols, 0, x, y); /* row tail */
#else
  matvec_rows_scalar(w, 0, rows, cols, 0, x, y);
#endif
}
#endif

static int fail(const char *msg) {
  fprintf(stderr, "matvec-int8: %s\n", msg);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) return fail("usage: matvec-int8 <input file> <output file>");
  FILE *in = fopen(argv[1], "rb");
  if (!in) return fail("cannot open the input file");
  int32_t head[3];
  if (fread(head, 4, 3, in) != 3) return fail("short header");
  int rows = head[0], cols = head[1], nvec = head[2];
  if (rows < 1 || cols < 1 || nvec < 1 || rows > (1 << 16) || cols > (1 << 16) || nvec > 64) return fail("dimensions out of range");
  size_t wn = (size_t)rows * cols;
  int8_t *w = malloc(wn), *xs = malloc((size_t)nvec * cols);
  int32_t *ys = malloc((size_t)nvec * rows * 4);
  if (!w || !xs || !ys) return fail("out of memory");
  if (fread(w, 1, wn, in) != wn || fread(xs, 1, (size_t)nvec * cols, in) != (size_t)nvec * cols) return fail("short input");
  fclose(in);
  prepare(w, rows, cols);
  for (int v = 0; v < nvec; v++) matvec(w, rows, cols, xs + (size_t)v * cols, ys + (size_t)v * rows);
  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(ys, 4, (size_t)nvec * rows, out) != (size_t)nvec * rows || fclose(out) != 0) return fail("cannot write the output file");
  printf("ready %s\n", PATH);
  fflush(stdout);
  char line[64];
  volatile int32_t sink = 0; /* keeps every product observable, so none is optimised away */
  while (fgets(line, sizeof line, stdin)) {
    long n = strtol(line, NULL, 10);
    if (n < 1 || n > 1000000) return fail("bad request");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
      matvec(w, rows, cols, xs, ys);
      sink += ys[i % rows];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
    fflush(stdout);
  }
  (void)sink;
  return 0;
}
