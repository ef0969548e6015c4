/* F.dropout, dropout1d/2d/3d, feature_dropout, alpha_dropout,
 * feature_alpha_dropout: ATen 1.13.1's _dropout_impl. The noise is drawn
 * here, element by element in row-major order over its logical shape,
 * noise = (U53 < 1 - p), exactly as bernoulli_(1 - p); then scaled in the
 * input's dtype as PyTorch's noise.div_(1 - p) (or the alpha-dropout
 * affine), and applied with ct_mul / ct_add so that the graph (and the
 * grad_fn names MulBackward0 / AddBackward0) are PyTorch's. */
#include <math.h>
#include <string.h>

#include "base/text.h"
#include "ctorch/nn_norm.h"
#include "kernels/cpu/norm.h"
#include "ops/op_util.h"
#include "tensor/generator.h"

static bool check_p(double p) {
    if (!(p >= 0 && p <= 1)) {
        char b[40];
        ct__error("dropout probability has to be between 0 and 1, but got %s", ct__py_float(b, sizeof b, p));
        return false;
    }
    return true;
}

/* SELU's alpha * scale, the value alpha dropout drops to (negated). */
#define ALPHA_DROPOUT_ALPHA 1.7580993408473766

/* noise (and, for alpha dropout, the shift b), in x's dtype. feature:
 * one draw per channel: shape (N, C, 1, ...) for batched x, (C, 1, ...)
 * when unbatched (x itself was not unsqueezed). */
static int make_noise(const ct_tensor *x, double p, bool feature, bool unbatched, bool alpha, ct_tensor **noise,
                      ct_tensor **shift) {
    *noise = *shift = NULL;
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        if (ct_dtype_is_floating_point(x->dtype))
            ct__error("\"bernoulli_scalar_cpu_\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        else
            ct__error("result type Float can't be cast to the desired output type %s",
                      ct__traits(x->dtype)->scalar_name);
        return CT_ERROR;
    }
    int64_t sizes[CT_MAX_DIMS];
    memcpy(sizes, x->sizes, (size_t)x->ndim * sizeof *sizes);
    if (feature)
        for (int d = unbatched ? 1 : 2; d < x->ndim; d++) sizes[d] = 1;
    ct_tensor *nz = ct__empty(x->dtype, x->ndim, sizes);
    ct_tensor *sh = alpha ? ct__empty(x->dtype, x->ndim, sizes) : NULL;
    if (!nz || (alpha && !sh)) {
        ct_free(nz);
        ct_free(sh);
        return CT_ERROR;
    }
    int64_t n = ct__numel(nz);
    double q = 1 - p;
    double a = alpha ? 1. / sqrt((ALPHA_DROPOUT_ALPHA * ALPHA_DROPOUT_ALPHA * p + 1) * (1 - p)) : 0;
    double aa = ALPHA_DROPOUT_ALPHA * a, aap = ALPHA_DROPOUT_ALPHA * a * p;
    ct_generator *g = ct__generator_acquire(NULL);
    if (x->dtype == CT_FLOAT32) {
        float *d = (float *)ct__data(nz), *s = alpha ? (float *)ct__data(sh) : NULL;
        for (int64_t i = 0; i < n; i++) {
            float b = ct__gen_uniform_f64(g) < q ? 1.0f : 0.0f;
            if (alpha) {
                s[i] = (b + -1.0f) * (float)aa + (float)aap;
                d[i] = b * (float)a;
            } else {
                d[i] = b / (float)q;
            }
        }
    } else {
        double *d = (double *)ct__data(nz), *s = alpha ? (double *)ct__data(sh) : NULL;
        for (int64_t i = 0; i < n; i++) {
            double b = ct__gen_uniform_f64(g) < q ? 1.0 : 0.0;
            if (alpha) {
                s[i] = (b + -1.0) * aa + aap;
                d[i] = b * a;
            } else {
                d[i] = b / q;
            }
        }
    }
    ct__generator_release(g);
    *noise = nz;
    *shift = sh;
    return CT_OK;
}

/* _dropout_impl. inplace: x is modified and a new reference to it is
 * returned. unbatched: feature dropout of an input without its batch dim. */
static ct_tensor *dropout_impl(ct_tensor *x, double p, bool train, bool feature, bool alpha, bool inplace,
                               bool unbatched) {
    if (!x) return NULL;
    if (!check_p(p)) return NULL;
    if (p == 0 || !train || ct__numel(x) == 0) return ct__retain(x);
    if (p == 1) {
        ct_tensor *z = ct_zeros(CT_SIZE0, CT_OPTS(.dtype = x->dtype));
        ct_tensor *out = NULL;
        if (z && inplace)
            out = ct_mul_(x, z) == CT_OK ? ct__retain(x) : NULL;
        else if (z)
            out = ct_mul(x, z);
        ct_free(z);
        return out;
    }
    if (feature && x->ndim + (unbatched ? 1 : 0) < 2) {
        ct__error("Feature dropout requires at least 2 dimensions in the input");
        return NULL;
    }
    ct_tensor *noise, *shift;
    if (make_noise(x, p, feature, unbatched, alpha, &noise, &shift) != CT_OK) return NULL;
    ct_tensor *out = NULL;
    if (inplace) {
        if (ct_mul_(x, noise) == CT_OK && (!alpha || ct_add_(x, shift) == CT_OK)) out = ct__retain(x);
    } else {
        out = ct_mul(x, noise);
        if (alpha && out) {
            ct_tensor *m = out;
            out = ct_add(m, shift);
            ct_free(m);
        }
    }
    ct_free(noise);
    ct_free(shift);
    return out;
}

/* Feature dropout of an input whose batch dim is missing: PyTorch
 * unsqueezes, drops, squeezes (grad_fn SqueezeBackward1). */
static ct_tensor *unbatched_feature(const ct_tensor *x, double p, bool train, bool alpha) {
    ct_tensor *u = ct_unsqueeze(x, 0);
    ct_tensor *r = u ? dropout_impl(u, p, train, true, alpha, false, false) : NULL;
    ct_tensor *out = r ? ct_squeeze_dim(r, 0) : NULL;
    ct_free(u);
    ct_free(r);
    return out;
}

ct_tensor *ct_dropout(const ct_tensor *x, double p, bool training) {
    return dropout_impl((ct_tensor *)x, p, training, false, false, false, false);
}

int ct_dropout_(ct_tensor *x, double p, bool training) {
    if (!x) return CT_ERROR;
    ct_tensor *r = dropout_impl(x, p, training, false, false, true, false);
    ct_free(r);
    return r ? CT_OK : CT_ERROR;
}

ct_tensor *ct_feature_dropout(const ct_tensor *x, double p, bool training) {
    return dropout_impl((ct_tensor *)x, p, training, true, false, false, false);
}

ct_tensor *ct_alpha_dropout(const ct_tensor *x, double p, bool training) {
    return dropout_impl((ct_tensor *)x, p, training, false, true, false, false);
}

ct_tensor *ct_feature_alpha_dropout(const ct_tensor *x, double p, bool training) {
    return dropout_impl((ct_tensor *)x, p, training, true, true, false, false);
}

ct_tensor *ct_dropout1d(const ct_tensor *x, double p, bool training) {
    if (!x || !check_p(p)) return NULL;
    if (x->ndim != 2 && x->ndim != 3) {
        ct__error("dropout1d: Expected 2D or 3D input, but received a %dD input. Note that dropout1d exists to "
                  "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an "
                  "optional batch dimension (i.e. 2D or 3D inputs).",
                  x->ndim);
        return NULL;
    }
    if (x->ndim == 2) return unbatched_feature(x, p, training, false);
    return ct_feature_dropout(x, p, training);
}

ct_tensor *ct_dropout2d(const ct_tensor *x, double p, bool training) {
    if (!x || !check_p(p)) return NULL;
    if (x->ndim != 3 && x->ndim != 4)
        ct__warn("dropout2d: Received a %d-D input to dropout2d, which is deprecated and will result in an error in a "
                 "future release. To retain the behavior and silence this warning, please use dropout instead. Note "
                 "that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a "
                 "channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
                 x->ndim);
    if (x->ndim == 3)
        ct__warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
                 "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
                 "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
                 "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
                 "instead.");
    return ct_feature_dropout(x, p, training);
}

ct_tensor *ct_dropout3d(const ct_tensor *x, double p, bool training) {
    if (!x || !check_p(p)) return NULL;
    if (x->ndim != 4 && x->ndim != 5)
        ct__warn("dropout3d: Received a %d-D input to dropout3d, which is deprecated and will result in an error in a "
                 "future release. To retain the behavior and silence this warning, please use dropout instead. Note "
                 "that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a "
                 "channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
                 x->ndim);
    if (x->ndim != 5) return unbatched_feature(x, p, training, false);
    return ct_feature_dropout(x, p, training);
}
