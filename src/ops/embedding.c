/* F.embedding (with embedding_renorm_), F.embedding_bag and F.one_hot.
 *
 * The forwards are direct gathers; the backwards are written with public
 * ops (index_select / index_add on saved index lists and coefficients), so
 * they are differentiable with respect to the incoming gradient. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_misc.h"
#include "kernels/cpu/index_slices.h"
#include "ops/op_util.h"

/* PyTorch's checkScalarTypes text for an index tensor. */
static int check_index_dtype(const ct_tensor *t, const char *arg, const char *fn) {
    if (t->dtype == CT_INT64 || t->dtype == CT_INT32) return CT_OK;
    ct__error("Expected tensor for argument #1 '%s' to have one of the following scalar types: Long, Int; but got "
              "torch.%sTensor instead (while checking arguments for %s)",
              arg, ct__traits(t->dtype)->scalar_name, fn);
    return CT_ERROR;
}

/* Indices as a new contiguous int64 1-D tensor (graph-free). */
static ct_tensor *flat_i64(const ct_tensor *t) {
    ct_tensor *l = ct_to_dtype(t, CT_INT64);
    ct_tensor *c = l ? ct__reshape(l, CT_SIZE(-1)) : NULL;
    ct_tensor *r = c ? ct_contiguous(c) : NULL;
    ct_free(l);
    ct_free(c);
    return r;
}

static double row_norm(const ct_tensor *w, int64_t row, double p) {
    int64_t D = w->sizes[1];
    const char *base = ct__data(w);
    double acc = 0;
    for (int64_t j = 0; j < D; j++) {
        const char *e = base + (row * w->strides[0] + j * w->strides[1]) * (int64_t)ct__traits(w->dtype)->itemsize;
        double v = fabs(w->dtype == CT_FLOAT64 ? *(const double *)e : (double)*(const float *)e);
        if (isinf(p))
            acc = p > 0 ? (v > acc || isnan(v) ? v : acc) : (j == 0 || v < acc ? v : acc);
        else if (p == 0)
            acc += v != 0;
        else if (p == 1)
            acc += v;
        else if (p == 2)
            acc += v * v;
        else
            acc += pow(v, p);
    }
    if (isinf(p) || p == 0 || p == 1) return acc;
    return p == 2 ? sqrt(acc) : pow(acc, 1 / p);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int ct_embedding_renorm_(ct_tensor *weight, const ct_tensor *input, double max_norm, double norm_type) {
    if (!weight || !input) return CT_ERROR;
    if (check_index_dtype(input, "indices", "embedding_renorm_") != CT_OK) return CT_ERROR;
    if (weight->ndim != 2) {
        ct__error("Expected 2-dimensional tensor, but got %d-dimensional tensor for argument #1 'self' (while "
                  "checking arguments for embedding_renorm_)",
                  weight->ndim);
        return CT_ERROR;
    }
    if (weight->dtype != CT_FLOAT32 && weight->dtype != CT_FLOAT64) {
        ct__error("\"embedding_renorm_\" not implemented for '%s'", ct__traits(weight->dtype)->scalar_name);
        return CT_ERROR;
    }
    ct_tensor *idx = flat_i64(input);
    if (!idx) return CT_ERROR;
    int64_t n = ct__numel(idx), num = weight->sizes[0];
    int64_t *ids = malloc((size_t)(n ? n : 1) * sizeof *ids);
    if (!ids) {
        ct_free(idx);
        ct__error("out of memory");
        return CT_ERROR;
    }
    memcpy(ids, ct__data(idx), (size_t)n * sizeof *ids);
    ct_free(idx);
    qsort(ids, (size_t)n, sizeof *ids, cmp_i64);
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= num) {
            free(ids);
            ct__error("index out of range in self");
            return CT_ERROR;
        }
    size_t isz = ct__traits(weight->dtype)->itemsize;
    char *base = ct__data(weight);
    for (int64_t i = 0; i < n; i++) {
        if (i > 0 && ids[i] == ids[i - 1]) continue;
        double norm = row_norm(weight, ids[i], norm_type);
        if (!(norm > max_norm)) continue;
        double scale = max_norm / (norm + 1e-7);
        for (int64_t j = 0; j < weight->sizes[1]; j++) {
            char *e = base + (ids[i] * weight->strides[0] + j * weight->strides[1]) * (int64_t)isz;
            if (weight->dtype == CT_FLOAT64)
                *(double *)e *= scale;
            else
                *(float *)e *= (float)scale;
        }
    }
    free(ids);
    ct__bump_version(weight);
    return CT_OK;
}

/* out[i, :] = w[ids[i], :] for a 2-D w of any dtype, ids in range. out:
 * contiguous (n, D). */
static void gather_rows(const ct_tensor *w, const int64_t *ids, int64_t n, ct_tensor *out) {
    int64_t D = w->sizes[1], bad;
    if (ct__is_contiguous(w)) { /* whole rows */
        ct__index_select_slices(w->dtype, ct__data(w), 1, w->sizes[0], D, ids, CT_INT64, n, ct__data(out), &bad);
        return;
    }
    size_t isz = ct__traits(w->dtype)->itemsize;
    const char *src = ct__data(w);
    char *dst = ct__data(out);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < D; j++)
            memcpy(dst + (size_t)(i * D + j) * isz, src + (ids[i] * w->strides[0] + j * w->strides[1]) * (int64_t)isz,
                   isz);
}

/* EmbeddingBackward0: weight: zeros(num, D).index_add(0, idx, grad.view(-1, D) * coef) */
static int embedding_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    ct_tensor *coef = idx && n->ints[2] ? ct__unpack(n, 1) : NULL;
    int64_t D = n->ints[1];
    ct_tensor *g2 = idx && (!n->ints[2] || coef) ? ct_reshape(g[0], CT_SIZE(-1, D)) : NULL;
    ct_tensor *g3 = g2 && coef ? ct_mul(g2, coef) : (g2 ? ct__retain(g2) : NULL);
    ct_tensor *z = g3 ? ct_zeros(CT_SIZE(n->ints[0], D), CT_OPTS(.dtype = g[0]->dtype)) : NULL;
    int64_t bad;
    if (z && (z->dtype == CT_FLOAT32 || z->dtype == CT_FLOAT64) && ct__is_contiguous(g3)) {
        /* rows of g3 added into the zeros in index order (indices were
         * checked by the forward) */
        ct__index_add_slices(z->dtype, ct__data(z), 1, n->ints[0], D, ct__data(idx), CT_INT64, ct__numel(idx),
                             ct__data(g3), 1.0, &bad);
        out[0] = ct__retain(z);
    } else {
        out[0] = z ? ct_index_add(z, 0, idx, g3, 1.0) : NULL;
    }
    ct_tensor *tmp[] = {idx, coef, g2, g3, z};
    ct__free_all(5, tmp);
    return out[0] ? CT_OK : CT_ERROR;
}

/* Resolve padding_idx as F.embedding does; -1 = none. */
static int resolve_padding(const int64_t *padding_idx, int64_t num, int64_t *out) {
    *out = -1;
    if (!padding_idx) return CT_OK;
    int64_t p = *padding_idx;
    if ((p > 0 && p >= num) || (p < 0 && p < -num)) {
        ct__error("Padding_idx must be within num_embeddings");
        return CT_ERROR;
    }
    *out = p < 0 ? num + p : p;
    return CT_OK;
}

/* Per-index gradient coefficients: 0 for padding, 1 / frequency with
 * scale_grad_by_freq, else 1. (n, 1) of dtype; NULL (no error) when all 1. */
static ct_tensor *grad_coefficients(const int64_t *ids, int64_t n, int64_t num, int64_t pad, bool by_freq,
                                    ct_dtype dtype, bool *err) {
    *err = false;
    bool any_pad = false;
    for (int64_t i = 0; i < n && pad >= 0; i++) any_pad |= ids[i] == pad;
    if (!any_pad && !by_freq) return NULL;
    int64_t *counts = by_freq ? calloc((size_t)(num ? num : 1), sizeof *counts) : NULL;
    double *c = malloc((size_t)(n ? n : 1) * sizeof *c);
    if ((by_freq && !counts) || !c) {
        free(counts);
        free(c);
        *err = true;
        ct__error("out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n && by_freq; i++) counts[ids[i]]++;
    for (int64_t i = 0; i < n; i++) c[i] = ids[i] == pad ? 0.0 : by_freq ? 1.0 / (double)counts[ids[i]] : 1.0;
    ct_tensor *t = ct_tensor_from(c, CT_FLOAT64, CT_SIZE(n, 1));
    ct_tensor *r = t ? ct_to_dtype(t, dtype) : NULL;
    ct_free(t);
    free(counts);
    free(c);
    if (!r) *err = true;
    return r;
}

ct_tensor *ct_embedding_opts(const ct_tensor *input, const ct_tensor *weight, const ct_embedding_options *o) {
    if (!input || !weight) return NULL;
    ct_embedding_options d = {0};
    if (!o) o = &d;
    int64_t pad = -1;
    if (weight->ndim >= 1 && resolve_padding(o->padding_idx, weight->sizes[0], &pad) != CT_OK) return NULL;
    if (o->max_norm) {
        ct_grad_mode gm = ct_no_grad_begin();
        int rc = ct_embedding_renorm_((ct_tensor *)weight, input, *o->max_norm, o->norm_type ? o->norm_type : 2.0);
        ct_grad_mode_end(gm);
        if (rc != CT_OK) return NULL;
    }
    if (weight->ndim != 2) {
        ct__error("'weight' must be 2-D");
        return NULL;
    }
    if (check_index_dtype(input, "indices", "embedding") != CT_OK) return NULL;
    ct_tensor *idx = flat_i64(input);
    if (!idx) return NULL;
    const int64_t *ids = (const int64_t *)ct__data(idx);
    int64_t n = ct__numel(idx), num = weight->sizes[0], D = weight->sizes[1];
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= num) {
            ct_free(idx);
            ct__error("index out of range in self");
            return NULL;
        }
    int64_t shape[CT_MAX_DIMS + 1];
    if (input->ndim + 1 > CT_MAX_DIMS) {
        ct_free(idx);
        ct__error("embedding: too many dimensions");
        return NULL;
    }
    memcpy(shape, input->sizes, (size_t)input->ndim * sizeof *shape);
    shape[input->ndim] = D;
    ct_tensor *out = ct__empty(weight->dtype, input->ndim + 1, shape);
    if (!out) {
        ct_free(idx);
        return NULL;
    }
    gather_rows(weight, ids, n, out);
    const ct_tensor *in[] = {weight};
    if (ct__any_requires_grad(1, in)) {
        bool err;
        ct_tensor *coef = grad_coefficients(ids, n, num, pad, o->scale_grad_by_freq, weight->dtype, &err);
        ct_node *nd = err ? NULL : ct__record("EmbeddingBackward0", embedding_backward, out, 1, in);
        if (!nd || ct__save(nd, 0, idx, false, 0) != CT_OK || (coef && ct__save(nd, 1, coef, false, 0) != CT_OK)) {
            ct_free(coef);
            ct_free(idx);
            ct_free(out);
            return NULL;
        }
        nd->ints[0] = num;
        nd->ints[1] = D;
        nd->ints[2] = coef != NULL;
        nd->nints = 3;
        ct_free(coef);
    }
    ct_free(idx);
    return out;
}

/* ---- one_hot ---- */

ct_tensor *ct_one_hot(const ct_tensor *input, int64_t num_classes) {
    if (!input) return NULL;
    if (input->dtype != CT_INT64) {
        ct__error("one_hot is only applicable to index tensor.");
        return NULL;
    }
    ct_tensor *idx = flat_i64(input);
    if (!idx) return NULL;
    const int64_t *ids = (const int64_t *)ct__data(idx);
    int64_t n = ct__numel(idx);
    if (n == 0 && num_classes == -1) {
        ct_free(idx);
        ct__error("Can not infer total number of classes from empty tensor.");
        return NULL;
    }
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (int64_t i = 0; i < n; i++) {
        mn = ids[i] < mn ? ids[i] : mn;
        mx = ids[i] > mx ? ids[i] : mx;
    }
    const char *msg = NULL;
    if (n > 0 && mn < 0)
        msg = "Class values must be non-negative.";
    else if (num_classes == -1)
        num_classes = mx + 1;
    else if (n > 0 && mx >= num_classes)
        msg = "Class values must be smaller than num_classes.";
    if (msg) {
        ct_free(idx);
        ct__error("%s", msg);
        return NULL;
    }
    int64_t shape[CT_MAX_DIMS + 1];
    if (input->ndim + 1 > CT_MAX_DIMS) {
        ct_free(idx);
        ct__error("one_hot: too many dimensions");
        return NULL;
    }
    memcpy(shape, input->sizes, (size_t)input->ndim * sizeof *shape);
    shape[input->ndim] = num_classes;
    ct_tensor *out = ct_zeros(input->ndim + 1, shape, CT_OPTS(.dtype = CT_INT64));
    if (out) {
        int64_t *o = (int64_t *)ct__data(out);
        for (int64_t i = 0; i < n; i++) o[i * num_classes + ids[i]] = 1;
    }
    ct_free(idx);
    return out;
}

/* ---- embedding_bag ---- */

/* EmbeddingBagBackward0. Saved: 0 packed int64 lists; sum/mean: (3, m)
 * rows kidx (weight row of each kept entry), kbag (its bag), kpos (its
 * position in the input); max: (2, k) rows kflat (row * D + d of each
 * maximum) and kout (b * D + d). 1: kcoef (m, 1) (1/bag size for mean,
 * 1/frequency, 1 otherwise); 2: per_sample_weights (n); 3: weight. */
static int embedding_bag_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int64_t num = n->ints[0], D = n->ints[1], nin = n->ints[2];
    bool is_max = n->ints[3], has_psw = n->ints[4];
    ct_tensor *packed = ct__unpack(n, 0);
    if (!packed) return CT_ERROR;
    ct_tensor *l0 = ct__select(packed, 0, 0), *l1 = ct__select(packed, 0, 1);
    ct_tensor *l2 = is_max ? NULL : ct__select(packed, 0, 2);
    int rc = l0 && l1 && (is_max || l2) ? CT_OK : CT_ERROR;
    if (rc == CT_OK && is_max) {
        ct_tensor *gf = ct_reshape(g[0], CT_SIZE(-1));
        ct_tensor *gs = gf ? ct_index_select(gf, 0, l1) : NULL;
        ct_tensor *z = gs ? ct_zeros(CT_SIZE(num * D), CT_OPTS(.dtype = g[0]->dtype)) : NULL;
        ct_tensor *a = z ? ct_index_add(z, 0, l0, gs, 1.0) : NULL;
        out[0] = a ? ct_reshape(a, CT_SIZE(num, D)) : NULL;
        ct_tensor *tmp[] = {gf, gs, z, a};
        ct__free_all(4, tmp);
        rc = out[0] ? CT_OK : CT_ERROR;
    } else if (rc == CT_OK) {
        ct_tensor *coef = ct__unpack(n, 1);
        ct_tensor *psw = has_psw && coef ? ct__unpack(n, 2) : NULL;
        ct_tensor *gsel = coef && (!has_psw || psw) ? ct_index_select(g[0], 0, l1) : NULL; /* (m, D) */
        if (!gsel) rc = CT_ERROR;
        if (rc == CT_OK && n->next[0].fn) {
            ct_tensor *gc = ct_mul(gsel, coef);
            ct_tensor *pk = gc && psw ? ct_index_select(psw, 0, l2) : NULL;
            ct_tensor *pu = pk ? ct_unsqueeze(pk, 1) : NULL;
            ct_tensor *gw = psw ? (pu ? ct_mul(gc, pu) : NULL) : (gc ? ct__retain(gc) : NULL);
            ct_tensor *z = gw ? ct_zeros(CT_SIZE(num, D), CT_OPTS(.dtype = g[0]->dtype)) : NULL;
            out[0] = z ? ct_index_add(z, 0, l0, gw, 1.0) : NULL;
            ct_tensor *tmp[] = {gc, pk, pu, gw, z};
            ct__free_all(5, tmp);
            if (!out[0]) rc = CT_ERROR;
        }
        if (rc == CT_OK && has_psw && n->num_next > 1 && n->next[1].fn) {
            /* d psw[pos] = sum_d grad[bag, d] * weight[row, d] */
            ct_tensor *w = ct__unpack(n, 3);
            ct_tensor *ws = w ? ct_index_select(w, 0, l0) : NULL;
            ct_tensor *pr = ws ? ct_mul(gsel, ws) : NULL;
            ct_tensor *sm = pr ? ct_sum_dim(pr, CT_SIZE(1), false) : NULL;
            ct_tensor *z = sm ? ct_zeros(CT_SIZE(nin), CT_OPTS(.dtype = g[0]->dtype)) : NULL;
            out[1] = z ? ct_index_add(z, 0, l2, sm, 1.0) : NULL;
            ct_tensor *tmp[] = {w, ws, pr, sm, z};
            ct__free_all(5, tmp);
            if (!out[1]) rc = CT_ERROR;
        }
        ct_free(coef);
        ct_free(psw);
        ct_free(gsel);
    }
    ct_tensor *tmp[] = {packed, l0, l1, l2};
    ct__free_all(4, tmp);
    return rc;
}

static const char *mode_name(ct_embedding_bag_mode m) {
    return m == CT_EMBEDDING_BAG_SUM ? "sum" : m == CT_EMBEDDING_BAG_MAX ? "max" : "mean";
}

static void shape_text(char *buf, size_t len, const ct_tensor *t) {
    size_t u = (size_t)snprintf(buf, len, "torch.Size([");
    for (int i = 0; i < t->ndim && u < len; i++)
        u += (size_t)snprintf(buf + u, len - u, "%s%" PRId64, i ? ", " : "", t->sizes[i]);
    if (u < len) snprintf(buf + u, len - u, "])");
}

static double load_f(const char *p, ct_dtype d) { return d == CT_FLOAT64 ? *(const double *)p : (double)*(const float *)p; }

ct_tensor *ct_embedding_bag_opts(const ct_tensor *input, const ct_tensor *weight, const ct_embedding_bag_options *o) {
    ct_embedding_bag_options defaults = {0};
    if (!o) o = &defaults;
    const ct_tensor *offsets = o->offsets, *psw = o->per_sample_weights;
    if (!input || !weight) return NULL;
    if (psw && (psw->ndim != input->ndim || memcmp(psw->sizes, input->sizes, (size_t)input->ndim * sizeof(int64_t)))) {
        char a[256], b[256];
        shape_text(a, sizeof a, psw);
        shape_text(b, sizeof b, input);
        ct__error("embedding_bag: If per_sample_weights (%s) is not None, then it must have the same shape as the "
                  "input (%s)",
                  a, b);
        return NULL;
    }
    if (input->ndim == 2) {
        if (offsets) {
            ct__error("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                      "length sequences. However, found offsets of type <class 'torch.Tensor'>");
            return NULL;
        }
    } else if (input->ndim == 1) {
        if (!offsets) {
            ct__error("offsets has to be a 1D Tensor but got None");
            return NULL;
        }
        if (offsets->ndim != 1) {
            ct__error("offsets has to be a 1D Tensor");
            return NULL;
        }
    } else {
        ct__error("input has to be 1D or 2D Tensor, but got Tensor of dimension %d", input->ndim);
        return NULL;
    }
    bool is_max = o->mode == CT_EMBEDDING_BAG_MAX;
    if (is_max && o->scale_grad_by_freq) {
        ct__error("max mode does not support scaling the gradient by the frequency");
        return NULL;
    }
    if (is_max && o->sparse) {
        ct__error("max mode does not support sparse weights");
        return NULL;
    }
    if (o->max_norm) {
        ct_grad_mode gm = ct_no_grad_begin();
        int rc = ct_embedding_renorm_((ct_tensor *)weight, input, *o->max_norm, o->norm_type ? o->norm_type : 2.0);
        ct_grad_mode_end(gm);
        if (rc != CT_OK) return NULL;
    }
    if (psw && o->mode != CT_EMBEDDING_BAG_SUM) {
        ct__error("embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for "
                  "mode='sum' (got mode='%s'). Please open a feature request on GitHub.",
                  mode_name(o->mode));
        return NULL;
    }
    if (check_index_dtype(input, "indices", "embedding_bag") != CT_OK) return NULL;
    if (offsets && check_index_dtype(offsets, "offsets", "embedding_bag") != CT_OK) return NULL;
    if (weight->ndim != 2) {
        ct__error("Dimension out of range (expected to be in range of [-1, 0], but got 1)");
        return NULL;
    }
    if (weight->dtype != CT_FLOAT32 && weight->dtype != CT_FLOAT64) {
        ct__error("\"embedding_bag\" not implemented for '%s'", ct__traits(weight->dtype)->scalar_name);
        return NULL;
    }
    if (psw && psw->dtype != weight->dtype) {
        ct__error("Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                  "'per_sample_weights'; but type torch.%sTensor does not equal torch.%sTensor (while checking "
                  "arguments for embedding_bag)",
                  ct__traits(weight->dtype)->scalar_name, ct__traits(psw->dtype)->scalar_name);
        return NULL;
    }
    int64_t num = weight->sizes[0], D = weight->sizes[1], pad = -1;
    if (o->padding_idx) {
        int64_t p = *o->padding_idx;
        if (p < -num || p >= num) {
            ct__error("padding_idx must be within the number of embeddings, -%" PRId64 " through %" PRId64
                      ", but got %" PRId64,
                      num, num - 1, p);
            return NULL;
        }
        pad = p < 0 ? p + num : p;
    }
    ct_tensor *idx = flat_i64(input);
    ct_tensor *off = idx && offsets ? flat_i64(offsets) : NULL;
    /* a 2-D psw goes in flattened (a differentiable view, as PyTorch's reshape(-1)) */
    ct_tensor *psw_flat = idx && psw ? ct_reshape(psw, CT_SIZE(-1)) : NULL;
    ct_tensor *pswc = psw_flat ? ct__clone(psw_flat) : NULL;
    if (!idx || (offsets && !off) || (psw && !pswc)) {
        ct_tensor *tmp[] = {idx, off, psw_flat, pswc};
        ct__free_all(4, tmp);
        return NULL;
    }
    psw = psw_flat;
    const int64_t *ids = (const int64_t *)ct__data(idx);
    int64_t nin = ct__numel(idx), B;
    int64_t *starts = NULL;
    const char *err = NULL;
    char msg[256];
    if (offsets) {
        const int64_t *of = (const int64_t *)ct__data(off);
        int64_t no = ct__numel(off);
        B = o->include_last_offset ? (no > 0 ? no - 1 : 0) : no;
        starts = malloc((size_t)(B + 1) * sizeof *starts);
        if (!starts) err = "out of memory";
        if (!err && no > 0 && of[0] != 0) {
            snprintf(msg, sizeof msg,
                     "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position "
                     "0. However, got %" PRId64 "\n[ torch.%sTensor{} ]",
                     of[0], ct__traits(offsets->dtype)->scalar_name);
            err = msg;
        }
        if (!err && no > 0 && of[no - 1] > nin) {
            snprintf(msg, sizeof msg,
                     "offsets[-1] can not be greater than input's length %" PRId64 " but got offsets[-1] of %" PRId64,
                     nin, of[no - 1]);
            err = msg;
        }
        for (int64_t b = 0; !err && b < B; b++) {
            starts[b] = of[b];
            if (b + 1 < no && of[b + 1] < of[b]) err = "embedding_bag: offsets must be non-decreasing";
        }
        if (!err) starts[B] = o->include_last_offset && no > 0 ? of[no - 1] : nin;
    } else {
        B = input->sizes[0];
        int64_t L = input->sizes[1];
        starts = malloc((size_t)(B + 1) * sizeof *starts);
        if (!starts) err = "out of memory";
        for (int64_t b = 0; !err && b <= B; b++) starts[b] = b * L;
    }
    for (int64_t i = 0; !err && i < nin; i++)
        if (ids[i] < 0 || ids[i] >= num) err = "index out of range in self";
    ct_tensor *out = err ? NULL : ct_zeros(CT_SIZE(B, D), CT_OPTS(.dtype = weight->dtype));
    /* kept entries for backward */
    int64_t *lists = NULL, m = 0;
    double *coef = NULL;
    if (out) {
        lists = malloc((size_t)(3 * (is_max ? B * D : nin) + 1) * sizeof *lists);
        coef = malloc((size_t)(nin + 1) * sizeof *coef);
        if (!lists || !coef) err = "out of memory";
    }
    if (out && !err) {
        size_t isz = ct__traits(weight->dtype)->itemsize;
        const char *wd = ct__data(weight);
        const char *pd = pswc ? ct__data(pswc) : NULL;
        char *od = ct__data(out);
        bool f64 = weight->dtype == CT_FLOAT64;
        /* scale_grad_by_freq as PyTorch 1.13's _embedding_bag_dense_backward
         * computes it: the k-th distinct index (ascending) is scaled by
         * 1 / counts[sorted[k]] (it indexes the sorted list by the group
         * number), which is 1 / its own frequency only when every earlier
         * index occurs once. */
        double *freq = NULL;
        if (o->scale_grad_by_freq) {
            int64_t *cnt = calloc((size_t)num + 1, sizeof *cnt), *srt = malloc((size_t)nin * sizeof *srt + 1);
            freq = calloc((size_t)num + 1, sizeof *freq);
            if (cnt && srt && freq) {
                memcpy(srt, ids, (size_t)nin * sizeof *srt);
                qsort(srt, (size_t)nin, sizeof *srt, cmp_i64);
                for (int64_t i = 0; i < nin; i++) cnt[ids[i]]++;
                for (int64_t i = 0, k = 0; i < nin; i++)
                    if (i == 0 || srt[i] != srt[i - 1]) freq[srt[i]] = (double)cnt[srt[k++]];
            } else {
                err = "out of memory";
            }
            free(cnt);
            free(srt);
        }
        for (int64_t b = 0; b < B; b++) {
            int64_t lo = starts[b], hi = starts[b + 1] < lo ? lo : starts[b + 1];
            int64_t cnt = 0;
            for (int64_t i = lo; i < hi; i++) cnt += ids[i] != pad;
            for (int64_t j = 0; j < D; j++) {
                double acc = 0;
                float accf = 0;
                int64_t arg = -1;
                for (int64_t i = lo; i < hi; i++) {
                    if (ids[i] == pad) continue;
                    double v = load_f(wd + (ids[i] * weight->strides[0] + j * weight->strides[1]) * (int64_t)isz,
                                      weight->dtype);
                    if (is_max) {
                        if (arg < 0 || v > acc) acc = v, arg = ids[i];
                    } else {
                        double pw = pd ? load_f(pd + (size_t)i * isz, weight->dtype) : 1.0;
                        if (f64)
                            acc += pd ? v * pw : v;
                        else
                            accf += pd ? (float)v * (float)pw : (float)v;
                    }
                }
                double r = is_max ? acc : f64 ? acc : accf;
                if (!is_max && o->mode == CT_EMBEDDING_BAG_MEAN && cnt > 0)
                    r = f64 ? r / (double)cnt : (double)((float)r / (float)cnt);
                if (f64)
                    ((double *)od)[b * D + j] = r;
                else
                    ((float *)od)[b * D + j] = (float)r;
                if (is_max && arg >= 0) {
                    lists[m] = arg * D + j;
                    lists[B * D + m] = b * D + j;
                    m++;
                }
            }
            if (!is_max)
                for (int64_t i = lo; i < hi; i++) {
                    if (ids[i] == pad) continue;
                    lists[m] = ids[i];
                    lists[nin + m] = b;
                    lists[2 * nin + m] = i;
                    double c = o->mode == CT_EMBEDDING_BAG_MEAN ? 1.0 / (double)cnt : 1.0;
                    if (freq) c /= freq[ids[i]];
                    coef[m++] = c;
                }
        }
        free(freq);
    }
    const ct_tensor *in[] = {weight, psw};
    if (out && !err && ct__any_requires_grad(2, in)) {
        int nl = is_max ? 2 : 3;
        int64_t stride = is_max ? B * D : nin;
        int64_t *pk = malloc((size_t)(nl * m + 1) * sizeof *pk);
        ct_tensor *packed = NULL, *ct = NULL, *ctd = NULL;
        if (pk) {
            for (int r = 0; r < nl; r++) memcpy(pk + r * m, lists + r * stride, (size_t)m * sizeof *pk);
            packed = ct_tensor_from(pk, CT_INT64, CT_SIZE(nl, m));
            free(pk);
        }
        if (!is_max) {
            ct = ct_tensor_from(coef, CT_FLOAT64, CT_SIZE(m, 1));
            ctd = ct ? ct_to_dtype(ct, weight->dtype) : NULL;
        }
        ct_node *nd = packed && (is_max || ctd) ? ct__record("EmbeddingBagBackward0", embedding_bag_backward, out,
                                                              psw ? 2 : 1, in)
                                                : NULL;
        if (!nd || ct__save(nd, 0, packed, false, 0) != CT_OK || (ctd && ct__save(nd, 1, ctd, false, 0) != CT_OK) ||
            (psw && (ct__save(nd, 2, psw, false, 0) != CT_OK || ct__save(nd, 3, weight, false, 0) != CT_OK))) {
            ct_free(out);
            out = NULL;
        } else {
            nd->ints[0] = num;
            nd->ints[1] = D;
            nd->ints[2] = nin;
            nd->ints[3] = is_max;
            nd->ints[4] = psw != NULL;
            nd->nints = 5;
        }
        ct_free(packed);
        ct_free(ct);
        ct_free(ctd);
    }
    if (err) {
        ct_free(out);
        out = NULL;
        ct__error("%s", err);
    }
    free(lists);
    free(coef);
    free(starts);
    ct_tensor *tmp[] = {idx, off, psw_flat, pswc};
    ct__free_all(4, tmp);
    return out;
}
