/* torch.nn.init (torch/nn/init.py, 1.13.1): the same arithmetic in double,
 * the same draws through the tensor samplers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/autograd.h"
#include "ctorch/nn_init.h"
#include "ctorch/random.h"
#include "ctorch/ops.h"
#include "tensor/generator.h"
#include "tensor/tensor_impl.h"

double ct_init_calculate_gain(const char *nl, double param) {
    if (!nl) nl = "leaky_relu";
    static const char *const linear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                         "conv_transpose2d", "conv_transpose3d", "sigmoid"};
    for (size_t i = 0; i < sizeof linear / sizeof *linear; i++)
        if (!strcmp(nl, linear[i])) return 1;
    if (!strcmp(nl, "tanh")) return 5.0 / 3;
    if (!strcmp(nl, "relu")) return sqrt(2.0);
    if (!strcmp(nl, "leaky_relu")) {
        double slope = param < 0 ? 0.01 : param;
        return sqrt(2.0 / (1 + pow(slope, 2)));
    }
    if (!strcmp(nl, "selu")) return 3.0 / 4;
    ct__error("Unsupported nonlinearity %s", nl);
    return NAN;
}

int ct_init_calculate_fan_in_and_fan_out(const ct_tensor *t, int64_t *fan_in, int64_t *fan_out) {
    if (!t) return CT_ERROR;
    if (t->ndim < 2) {
        ct__error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        return CT_ERROR;
    }
    int64_t receptive = 1;
    for (int d = 2; d < t->ndim; d++) receptive *= t->sizes[d];
    if (fan_in) *fan_in = t->sizes[1] * receptive;
    if (fan_out) *fan_out = t->sizes[0] * receptive;
    return CT_OK;
}

int ct_init_uniform_(ct_tensor *t, double a, double b, ct_generator *g) {
    int rc;
    CT_NO_GRAD { rc = ct_uniform_(t, a, b, g); }
    return rc;
}

int ct_init_normal_(ct_tensor *t, double mean, double std, ct_generator *g) {
    int rc;
    CT_NO_GRAD { rc = ct_normal_(t, mean, std, g); }
    return rc;
}

int ct_init_constant_(ct_tensor *t, double value) {
    int rc;
    CT_NO_GRAD { rc = ct_fill_(t, value); }
    return rc;
}

int ct_init_ones_(ct_tensor *t) { return ct_init_constant_(t, 1.0); }
int ct_init_zeros_(ct_tensor *t) { return ct_init_constant_(t, 0.0); }

int ct_init_xavier_uniform_(ct_tensor *t, double gain, ct_generator *g) {
    int64_t in, out;
    if (ct_init_calculate_fan_in_and_fan_out(t, &in, &out) != CT_OK) return CT_ERROR;
    double std = gain * sqrt(2.0 / (double)(in + out));
    double a = sqrt(3.0) * std;
    return ct_init_uniform_(t, -a, a, g);
}

int ct_init_xavier_normal_(ct_tensor *t, double gain, ct_generator *g) {
    int64_t in, out;
    if (ct_init_calculate_fan_in_and_fan_out(t, &in, &out) != CT_OK) return CT_ERROR;
    double std = gain * sqrt(2.0 / (double)(in + out));
    return ct_init_normal_(t, 0.0, std, g);
}

/* std = gain / sqrt(fan) for kaiming; NAN on error */
static double kaiming_std(const ct_tensor *t, double a, ct_fan_mode mode, const char *nl) {
    if (!t) return NAN;
    if (ct__numel(t) == 0) {
        ct__warn("Initializing zero-element tensors is a no-op");
        return 0;
    }
    int64_t in, out;
    if (ct_init_calculate_fan_in_and_fan_out(t, &in, &out) != CT_OK) return NAN;
    double gain = ct_init_calculate_gain(nl, a);
    if (isnan(gain)) return NAN;
    return gain / sqrt((double)(mode == CT_FAN_OUT ? out : in));
}

int ct_init_kaiming_uniform_(ct_tensor *t, double a, ct_fan_mode mode, const char *nl, ct_generator *g) {
    double std = kaiming_std(t, a, mode, nl);
    if (isnan(std)) return CT_ERROR;
    if (ct__numel(t) == 0) return CT_OK;
    double bound = sqrt(3.0) * std;
    return ct_init_uniform_(t, -bound, bound, g);
}

int ct_init_kaiming_normal_(ct_tensor *t, double a, ct_fan_mode mode, const char *nl, ct_generator *g) {
    double std = kaiming_std(t, a, mode, nl);
    if (isnan(std)) return CT_ERROR;
    if (ct__numel(t) == 0) return CT_OK;
    return ct_init_normal_(t, 0.0, std, g);
}

/* ---- eye_, dirac_, trunc_normal_, orthogonal_, sparse_ ---- */

int ct_init_eye_(ct_tensor *t) {
    if (!t) return CT_ERROR;
    if (t->ndim != 2) {
        ct__error("Only tensors with 2 dimensions are supported");
        return CT_ERROR;
    }
    int rc;
    CT_NO_GRAD {
        ct_tensor *e = ct_eye(t->sizes[0], t->sizes[1], CT_OPTS(.dtype = t->dtype));
        rc = e ? ct_copy_(t, e) : CT_ERROR;
        ct_free(e);
    }
    return rc;
}

int ct_init_dirac_(ct_tensor *t, int64_t groups) {
    if (!t) return CT_ERROR;
    int nd = t->ndim;
    if (nd < 3 || nd > 5) {
        ct__error("Only tensors with 3, 4, or 5 dimensions are supported");
        return CT_ERROR;
    }
    if (groups <= 0 || t->sizes[0] % groups != 0) {
        ct__error("dim 0 must be divisible by groups");
        return CT_ERROR;
    }
    int64_t per = t->sizes[0] / groups;
    int64_t min_dim = per < t->sizes[1] ? per : t->sizes[1];
    int rc = CT_OK;
    CT_NO_GRAD {
        rc = ct_zero_(t);
        for (int64_t g = 0; g < groups && rc == CT_OK; g++) {
            for (int64_t d = 0; d < min_dim && rc == CT_OK; d++) {
                /* t[g * per + d, d, k2 // 2, ...] = 1 through a one-element view */
                ct_tensor *v = ct_select(t, 0, g * per + d);
                ct_tensor *w = v ? ct_select(v, 0, d) : NULL;
                ct_free(v);
                for (int k = 2; k < nd && w; k++) {
                    ct_tensor *u = ct_select(w, 0, t->sizes[k] / 2);
                    ct_free(w);
                    w = u;
                }
                rc = w ? ct_fill_(w, 1.0) : CT_ERROR;
                ct_free(w);
            }
        }
    }
    return rc;
}

/* calc_erfinv of ATen/native/Math.h as PyTorch 1.13's AVX2 build runs it:
 * the compiler fused the polynomial steps into FMAs (measured: without
 * them float32 and float64 differ from torch.erfinv in ~10% of the
 * values). The pointwise family's ct_erfinv evaluates them unfused. */
#define CT_ERFINV_FMA(NAME, T, FMA, SQRT, LOG, ERF, EXP, FABS, COPYSIGN)                                     \
    static T NAME(T y) {                                                                                   \
        const T a[4] = {(T)0.886226899, (T)-1.645349621, (T)0.914624893, (T)-0.140543331};                \
        const T b[4] = {(T)-2.118377725, (T)1.442710462, (T)-0.329097515, (T)0.012229801};                \
        const T c[4] = {(T)-1.970840454, (T)-1.624906493, (T)3.429567803, (T)1.641345311};                \
        const T d[2] = {(T)3.543889200, (T)1.637067800};                                                  \
        T x, z, num, dem, y_abs = FABS(y);                                                                 \
        if (y_abs > 1) return (T)NAN;                                                                      \
        if (y_abs == 1) return COPYSIGN((T)INFINITY, y);                                                   \
        if (y_abs <= (T)0.7) {                                                                             \
            z = y * y;                                                                                     \
            num = FMA(FMA(FMA(a[3], z, a[2]), z, a[1]), z, a[0]);                                          \
            dem = FMA(FMA(FMA(FMA(b[3], z, b[2]), z, b[1]), z, b[0]), z, (T)1);                            \
            x = y * num / dem;                                                                             \
        } else {                                                                                           \
            z = SQRT(-LOG((1 - y_abs) / 2));                                                               \
            num = FMA(FMA(FMA(c[3], z, c[2]), z, c[1]), z, c[0]);                                          \
            dem = FMA(FMA(d[1], z, d[0]), z, (T)1);                                                        \
            x = COPYSIGN(num, y) / dem;                                                                    \
        }                                                                                                  \
        const T two_over_sqrt_pi = (T)2 / (T)sqrt(3.14159265358979323846);                                 \
        x = x - (ERF(x) - y) / (two_over_sqrt_pi * EXP(-x * x));                                           \
        x = x - (ERF(x) - y) / (two_over_sqrt_pi * EXP(-x * x));                                           \
        return x;                                                                                          \
    }
CT_ERFINV_FMA(erfinv_fma_f, float, fmaf, sqrtf, logf, erff, expf, fabsf, copysignf)
CT_ERFINV_FMA(erfinv_fma_d, double, fma, sqrt, log, erf, exp, fabs, copysign)

/* t.erfinv_() bit for bit as PyTorch for float32 / float64 */
static int erfinv_inplace(ct_tensor *t) {
    if (t->dtype != CT_FLOAT32 && t->dtype != CT_FLOAT64) return ct_erfinv_(t);
    ct_tensor *c = ct_contiguous(t);
    if (!c) return CT_ERROR;
    int64_t n = ct__numel(c);
    bool own = ct__data(c) != ct__data(t); /* a contiguous copy of a strided t */
    if (t->dtype == CT_FLOAT32) {
        float *p = (float *)ct__data(c);
        for (int64_t i = 0; i < n; i++) p[i] = erfinv_fma_f(p[i]);
    } else {
        double *p = (double *)ct__data(c);
        for (int64_t i = 0; i < n; i++) p[i] = erfinv_fma_d(p[i]);
    }
    int rc = own ? ct_copy_(t, c) : CT_OK;
    if (!own) ct__bump_version(t);
    ct_free(c);
    return rc;
}

int ct_init_trunc_normal_(ct_tensor *t, double mean, double std, double a, double b, ct_generator *g) {
    if (!t) return CT_ERROR;
    if (mean < a - 2 * std || mean > b + 2 * std)
        ct__warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be "
                 "incorrect.");
    /* norm_cdf(x) = (1 + erf(x / sqrt(2))) / 2, as Python's math.erf */
    double l = (1. + erf((a - mean) / std / sqrt(2.))) / 2.;
    double u = (1. + erf((b - mean) / std / sqrt(2.))) / 2.;
    int rc;
    CT_NO_GRAD {
        rc = ct_uniform_(t, 2 * l - 1, 2 * u - 1, g);
        if (rc == CT_OK) rc = erfinv_inplace(t);
        if (rc == CT_OK) rc = ct_mul_scalar_(t, std * sqrt(2.));
        if (rc == CT_OK) rc = ct_add_scalar_(t, mean);
        if (rc == CT_OK) rc = ct_clamp_(t, &a, &b);
    }
    return rc;
}

/* Householder QR of a (m x n, m >= n, row-major, double): a becomes R in
 * its upper triangle; q (m x n) receives the reduced Q. */
static void householder_qr(double *a, int64_t m, int64_t n, double *q, double *v) {
    double *betas = v + m; /* n entries: R's diagonal */
    double *taus = betas + n;
    double *vs = taus + n; /* n reflectors of length m */
    for (int64_t k = 0; k < n; k++) {
        double norm = 0;
        for (int64_t i = k; i < m; i++) norm += a[i * n + k] * a[i * n + k];
        norm = sqrt(norm);
        double alpha = a[k * n + k];
        double beta = alpha >= 0 ? -norm : norm; /* LAPACK's dlarfg sign */
        double *vk = vs + k * m;
        for (int64_t i = 0; i < m; i++) vk[i] = i < k ? 0 : a[i * n + k];
        vk[k] -= beta;
        double vv = 0;
        for (int64_t i = k; i < m; i++) vv += vk[i] * vk[i];
        taus[k] = vv > 0 ? 2 / vv : 0;
        betas[k] = norm == 0 ? 0 : beta;
        /* apply H_k = I - tau v v^T to columns k.. of a */
        for (int64_t j = k; j < n; j++) {
            double s = 0;
            for (int64_t i = k; i < m; i++) s += vk[i] * a[i * n + j];
            s *= taus[k];
            for (int64_t i = k; i < m; i++) a[i * n + j] -= s * vk[i];
        }
    }
    /* Q = H_0 H_1 ... H_{n-1} applied to the first n columns of I */
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) q[i * n + j] = i == j ? 1 : 0;
    for (int64_t k = n - 1; k >= 0; k--) {
        const double *vk = vs + k * m;
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t i = k; i < m; i++) s += vk[i] * q[i * n + j];
            s *= taus[k];
            for (int64_t i = k; i < m; i++) q[i * n + j] -= s * vk[i];
        }
    }
    for (int64_t k = 0; k < n; k++) a[k * n + k] = betas[k];
}

int ct_init_orthogonal_(ct_tensor *t, double gain, ct_generator *g) {
    if (!t) return CT_ERROR;
    if (t->ndim < 2) {
        ct__error("Only tensors with 2 or more dimensions are supported");
        return CT_ERROR;
    }
    int64_t numel = ct__numel(t);
    if (numel == 0) return CT_OK;
    int64_t rows = t->sizes[0], cols = numel / rows;
    bool wide = rows < cols;
    int64_t m = wide ? cols : rows, n = wide ? rows : cols;
    int rc = CT_OK;
    CT_NO_GRAD {
        /* flattened = tensor.new(rows, cols).normal_(0, 1), in t's dtype */
        ct_tensor *flat = ct_empty(CT_SIZE(rows, cols), CT_OPTS(.dtype = t->dtype));
        rc = flat ? ct_normal_(flat, 0, 1, g) : CT_ERROR;
        ct_tensor *fd = rc == CT_OK ? ct_to_dtype_copy(flat, CT_FLOAT64) : NULL;
        double *a = fd ? malloc((size_t)(m * n) * sizeof *a) : NULL;
        double *q = a ? malloc((size_t)(m * n) * sizeof *q) : NULL;
        double *work = q ? malloc((size_t)(m + 2 * n + n * m) * sizeof *work) : NULL;
        ct_tensor *qt = work ? ct_empty(CT_SIZE(rows, cols), CT_OPTS(.dtype = CT_FLOAT64)) : NULL;
        if (!qt) {
            if (rc == CT_OK && !ct_last_error()) ct__error_oom((m * n) * 8);
            rc = CT_ERROR;
        } else {
            const double *src = (const double *)ct__data(fd);
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) a[i * n + j] = wide ? src[j * cols + i] : src[i * cols + j];
            householder_qr(a, m, n, q, work);
            /* q *= sign(diag(r)); transposed back when wide */
            double *dst = (double *)ct__data(qt);
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) {
                    double d = a[j * n + j];
                    double s = (double)((d > 0) - (d < 0));
                    if (wide)
                        dst[j * cols + i] = q[i * n + j] * s;
                    else
                        dst[i * cols + j] = q[i * n + j] * s;
                }
            ct_tensor *qv = ct_reshape(qt, t->ndim, t->sizes);
            rc = qv ? ct_copy_(t, qv) : CT_ERROR;
            ct_free(qv);
            if (rc == CT_OK) rc = ct_mul_scalar_(t, gain);
        }
        free(a);
        free(q);
        free(work);
        ct_free(qt);
        ct_free(fd);
        ct_free(flat);
    }
    return rc;
}

int ct_init_sparse_(ct_tensor *t, double sparsity, double std, ct_generator *g) {
    if (!t) return CT_ERROR;
    if (t->ndim != 2) {
        ct__error("Only tensors with 2 dimensions are supported");
        return CT_ERROR;
    }
    int64_t rows = t->sizes[0], cols = t->sizes[1];
    int64_t num_zeros = (int64_t)ceil(sparsity * (double)rows);
    if (num_zeros > rows) num_zeros = rows;
    if (num_zeros < 0) num_zeros = 0;
    int rc;
    CT_NO_GRAD {
        rc = ct_normal_(t, 0, std, g);
        int64_t *perm = rc == CT_OK && rows > 0 ? malloc((size_t)rows * sizeof *perm) : NULL;
        if (rc == CT_OK && rows > 0 && !perm) {
            ct__error_oom(rows * 8);
            rc = CT_ERROR;
        }
        for (int64_t c = 0; c < cols && rc == CT_OK && rows > 0; c++) {
            /* torch.randperm(rows): Fisher-Yates with random() % (n - i) */
            for (int64_t i = 0; i < rows; i++) perm[i] = i;
            ct_generator *gen = ct__generator_acquire(g);
            for (int64_t i = 0; i + 1 < rows; i++) {
                int64_t z = (int64_t)(ct__gen_random(gen) % (uint64_t)(rows - i));
                int64_t tmp = perm[i];
                perm[i] = perm[i + z];
                perm[i + z] = tmp;
            }
            ct__generator_release(gen);
            ct_tensor *col = ct_select(t, 1, c);
            for (int64_t k = 0; k < num_zeros && col && rc == CT_OK; k++) {
                ct_tensor *e = ct_select(col, 0, perm[k]);
                rc = e ? ct_fill_(e, 0.0) : CT_ERROR;
                ct_free(e);
            }
            if (!col) rc = CT_ERROR;
            ct_free(col);
        }
        free(perm);
    }
    return rc;
}
