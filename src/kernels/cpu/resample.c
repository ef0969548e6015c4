/* Separable resampling kernels (see resample.h). Planes run in parallel;
 * the transposed (backward) pass scatters within one plane, so planes
 * never race. */
#include "kernels/cpu/resample.h"

#include "ctorch/parallel.h"

#define DEFINE_RESAMPLE(T, SUFFIX)                                                                             \
    typedef struct {                                                                                           \
        const T *in;                                                                                           \
        T *out;                                                                                                \
        int nd;                                                                                                \
        const ct_resample_axis *ax;                                                                            \
        bool transpose;                                                                                        \
        int64_t in_plane, out_plane;                                                                           \
    } ctx_##SUFFIX;                                                                                            \
    /* 2 taps on each of 2 axes (bilinear, no antialias): out = (x00 w0 + x01 w1) h0 + (x10 w0 + x11 w1) h1 \
     * as PyTorch's interpolate<2> nests it, row by row */                                                   \
    static void bilinear_##SUFFIX(const ctx_##SUFFIX *c, const ct_resample_axis *ah, const ct_resample_axis *aw, \
                                  int64_t begin, int64_t end) {                                               \
        for (int64_t p = begin; p < end; p++) {                                                                \
            const T *src = c->in + p * c->in_plane;                                                           \
            T *dst = c->out + p * c->out_plane;                                                               \
            for (int64_t oh = 0; oh < ah->out; oh++, dst += aw->out) {                                        \
                const T *ra = src + ah->idx[2 * oh] * aw->in, *rb = src + ah->idx[2 * oh + 1] * aw->in;       \
                T h0 = (T)ah->w[2 * oh], h1 = (T)ah->w[2 * oh + 1];                                          \
                for (int64_t ow = 0; ow < aw->out; ow++) {                                                    \
                    int64_t ja = aw->idx[2 * ow], jb = aw->idx[2 * ow + 1];                                   \
                    T w0 = (T)aw->w[2 * ow], w1 = (T)aw->w[2 * ow + 1];                                       \
                    dst[ow] = (ra[ja] * w0 + ra[jb] * w1) * h0 + (rb[ja] * w0 + rb[jb] * w1) * h1;            \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    static void body_##SUFFIX(int64_t begin, int64_t end, void *vctx) {                                        \
        const ctx_##SUFFIX *c = vctx;                                                                          \
        /* pad to 3 axes: missing leading axes have one output, one tap of weight 1 */                        \
        static const int64_t zero = 0;                                                                         \
        static const double one = 1;                                                                           \
        ct_resample_axis a[3];                                                                                 \
        for (int d = 0; d < 3; d++) {                                                                          \
            int k = d - (3 - c->nd);                                                                           \
            if (k >= 0)                                                                                        \
                a[d] = c->ax[k];                                                                               \
            else                                                                                               \
                a[d] = (ct_resample_axis){.taps = 1, .in = 1, .out = 1, .idx = &zero, .w = &one};              \
        }                                                                                                      \
        if (!c->transpose && c->nd == 2 && a[1].taps == 2 && a[2].taps == 2) {                                 \
            bilinear_##SUFFIX(c, &a[1], &a[2], begin, end);                                                    \
            return;                                                                                            \
        }                                                                                                      \
        for (int64_t p = begin; p < end; p++) {                                                                \
            const T *src = c->in + p * (c->transpose ? c->out_plane : c->in_plane);                           \
            T *dst = c->out + p * (c->transpose ? c->in_plane : c->out_plane);                                \
            for (int64_t o0 = 0; o0 < a[0].out; o0++)                                                          \
                for (int64_t o1 = 0; o1 < a[1].out; o1++)                                                      \
                    for (int64_t o2 = 0; o2 < a[2].out; o2++) {                                                \
                        int64_t oi = (o0 * a[1].out + o1) * a[2].out + o2;                                     \
                        T acc = 0;                                                                             \
                        T g = c->transpose ? src[oi] : 0;                                                      \
                        for (int t0 = 0; t0 < a[0].taps; t0++) {                                               \
                            T w0 = (T)a[0].w[o0 * a[0].taps + t0];                                             \
                            int64_t i0 = a[0].idx[o0 * a[0].taps + t0];                                        \
                            for (int t1 = 0; t1 < a[1].taps; t1++) {                                           \
                                T w1 = w0 * (T)a[1].w[o1 * a[1].taps + t1];                                    \
                                int64_t i1 = i0 * a[1].in + a[1].idx[o1 * a[1].taps + t1];                     \
                                for (int t2 = 0; t2 < a[2].taps; t2++) {                                       \
                                    T w = w1 * (T)a[2].w[o2 * a[2].taps + t2];                                 \
                                    int64_t ii = i1 * a[2].in + a[2].idx[o2 * a[2].taps + t2];                 \
                                    if (c->transpose)                                                          \
                                        dst[ii] += w * g;                                                      \
                                    else                                                                       \
                                        acc += w * src[ii];                                                    \
                                }                                                                              \
                            }                                                                                  \
                        }                                                                                      \
                        if (!c->transpose) dst[oi] = acc;                                                      \
                    }                                                                                          \
        }                                                                                                      \
    }                                                                                                          \
    void ct__kernel_resample_##SUFFIX(const T *in, T *out, int64_t planes, int nd, const ct_resample_axis *ax, \
                                      bool transpose) {                                                        \
        ctx_##SUFFIX c = {.in = in, .out = out, .nd = nd, .ax = ax, .transpose = transpose, .in_plane = 1,    \
                          .out_plane = 1};                                                                     \
        for (int d = 0; d < nd; d++) c.in_plane *= ax[d].in, c.out_plane *= ax[d].out;                        \
        int64_t work = c.out_plane > 0 ? c.out_plane : 1;                                                      \
        ct_parallel_for(0, planes, work >= 32768 ? 1 : 32768 / work, body_##SUFFIX, &c);                      \
    }

DEFINE_RESAMPLE(float, f32)
DEFINE_RESAMPLE(double, f64)
