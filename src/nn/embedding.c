/* nn.Embedding (and from_pretrained), nn.EmbeddingBag. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_init.h"
#include "ctorch/nn_misc.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

/* Python's repr(float) into buf: shortest round-trip digits, "1.0",
 * "1e-05", "inf". Shared with misc_layers.c. */
const char *ct__misc_py_float(char *buf, size_t len, double v);
const char *ct__misc_py_float(char *buf, size_t len, double v) {
    if (isnan(v)) return snprintf(buf, len, "nan"), buf;
    if (isinf(v)) return snprintf(buf, len, v > 0 ? "inf" : "-inf"), buf;
    char e[64];
    int p = 1;
    for (; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (strtod(e, NULL) == v) break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, v);
    int exp10 = atoi(strchr(e, 'e') + 1);
    if (exp10 >= -4 && exp10 < 16) {
        int dec = p - 1 - exp10;
        snprintf(buf, len, "%.*f", dec > 0 ? dec : 0, v);
        if (!strchr(buf, '.')) strncat(buf, ".0", len - strlen(buf) - 1);
    } else {
        /* mantissa as %e gives it; Python writes at least two exponent digits, as C */
        snprintf(buf, len, "%s", e);
    }
    return buf;
}

typedef struct {
    ct_module base;
    int64_t num, dim;
    bool has_pad, has_max_norm;
    int64_t pad;
    double max_norm, norm_type;
    bool scale_grad_by_freq, sparse;
    ct_tensor *weight; /* borrowed from the registry */
} embedding_module;

static ct_tensor *embedding_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    embedding_module *e = (embedding_module *)self;
    ct_tensor *w = ct_module_get_parameter(self, "weight");
    return ct_embedding(in[0], w, .padding_idx = e->has_pad ? &e->pad : NULL,
                        .max_norm = e->has_max_norm ? &e->max_norm : NULL, .norm_type = e->norm_type,
                        .scale_grad_by_freq = e->scale_grad_by_freq, .sparse = e->sparse);
}

/* the options both reprs share, after "num, dim" */
static size_t common_repr(char *buf, size_t len, size_t u, const double *max_norm, double norm_type, bool sgbf) {
    char f[64];
    if (max_norm && u < len) u += (size_t)snprintf(buf + u, len - u, ", max_norm=%s", ct__misc_py_float(f, sizeof f, *max_norm));
    if (norm_type != 2 && u < len)
        u += (size_t)snprintf(buf + u, len - u, ", norm_type=%s", ct__misc_py_float(f, sizeof f, norm_type));
    if (sgbf && u < len) u += (size_t)snprintf(buf + u, len - u, ", scale_grad_by_freq=True");
    return u;
}

static int embedding_repr(const ct_module *self, char *buf, size_t len) {
    const embedding_module *e = (const embedding_module *)self;
    size_t u = (size_t)snprintf(buf, len, "%" PRId64 ", %" PRId64, e->num, e->dim);
    if (e->has_pad && u < len) u += (size_t)snprintf(buf + u, len - u, ", padding_idx=%" PRId64, e->pad);
    u = common_repr(buf, len, u, e->has_max_norm ? &e->max_norm : NULL, e->norm_type, e->scale_grad_by_freq);
    if (e->sparse && u < len) u += (size_t)snprintf(buf + u, len - u, ", sparse=True");
    return (int)u;
}

static const ct_module_type embedding_type = {
    .name = "Embedding", .size = sizeof(embedding_module), .forward = embedding_forward, .extra_repr = embedding_repr};

static int resolve_module_padding(const int64_t *padding_idx, int64_t num, bool *has, int64_t *pad) {
    *has = padding_idx != NULL;
    *pad = 0;
    if (!padding_idx) return CT_OK;
    if (*padding_idx >= num || *padding_idx < -num) {
        ct__error("Padding_idx must be within num_embeddings");
        return CT_ERROR;
    }
    *pad = *padding_idx < 0 ? *padding_idx + num : *padding_idx;
    return CT_OK;
}

static embedding_module *embedding_new(int64_t num, int64_t dim, const int64_t *padding_idx, const double *max_norm,
                                       double norm_type, bool sgbf, bool sparse) {
    bool has_pad;
    int64_t pad;
    if (resolve_module_padding(padding_idx, num, &has_pad, &pad) != CT_OK) return NULL;
    embedding_module *e = (embedding_module *)ct_module_new(&embedding_type);
    if (!e) return NULL;
    e->num = num, e->dim = dim, e->has_pad = has_pad, e->pad = pad;
    e->has_max_norm = max_norm != NULL, e->max_norm = max_norm ? *max_norm : 0;
    e->norm_type = norm_type ? norm_type : 2.0;
    e->scale_grad_by_freq = sgbf, e->sparse = sparse;
    return e;
}

ct_module *ct_nn_embedding_opts(int64_t num_embeddings, int64_t embedding_dim, const ct_embedding_module_options *o) {
    ct_embedding_module_options d = {0};
    if (!o) o = &d;
    if (num_embeddings < 0 || embedding_dim < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 ", %" PRId64 "]",
                  num_embeddings < 0 ? num_embeddings : embedding_dim, num_embeddings, embedding_dim);
        return NULL;
    }
    embedding_module *e = embedding_new(num_embeddings, embedding_dim, o->padding_idx, o->max_norm, o->norm_type,
                                        o->scale_grad_by_freq, o->sparse);
    if (!e) return NULL;
    ct_dtype dt = o->dtype ? o->dtype : ct_get_default_dtype();
    e->weight = ct_module_register_parameter(&e->base, "weight",
                                             ct_empty(CT_SIZE(num_embeddings, embedding_dim), CT_OPTS(.dtype = dt)));
    /* reset_parameters: normal_(weight), then the padding row is zeroed */
    if (!e->weight || ct_init_normal_(e->weight, 0.0, 1.0, NULL) != CT_OK) goto fail;
    if (e->has_pad) {
        ct_tensor *row = ct__select(e->weight, 0, e->pad);
        int rc = row ? ct__fill_(row, 0.0) : CT_ERROR;
        ct_free(row);
        if (rc != CT_OK) goto fail;
    }
    return &e->base;
fail:
    ct_module_free(&e->base);
    return NULL;
}

ct_module *ct_nn_embedding_from_pretrained_opts(const ct_tensor *embeddings, const ct_embedding_pretrained_options *o) {
    ct_embedding_pretrained_options d = {0};
    if (!o) o = &d;
    if (!embeddings) return NULL;
    if (embeddings->ndim != 2) {
        ct__error("Embeddings parameter is expected to be 2-dimensional");
        return NULL;
    }
    embedding_module *e = embedding_new(embeddings->sizes[0], embeddings->sizes[1], o->padding_idx, o->max_norm,
                                        o->norm_type, o->scale_grad_by_freq, o->sparse);
    if (!e) return NULL;
    e->weight = ct_module_register_parameter(&e->base, "weight", ct_detach(embeddings));
    if (!e->weight || ct_requires_grad_(e->weight, o->unfreeze) != CT_OK) {
        ct_module_free(&e->base);
        return NULL;
    }
    return &e->base;
}

/* ---- EmbeddingBag ---- */

typedef struct {
    ct_module base;
    int64_t num, dim;
    bool has_pad, has_max_norm;
    int64_t pad;
    double max_norm, norm_type;
    bool scale_grad_by_freq, sparse, include_last_offset;
    ct_embedding_bag_mode mode;
} embedding_bag_module;

static ct_tensor *embedding_bag_forward(ct_module *self, int n, ct_tensor *const *in) {
    embedding_bag_module *e = (embedding_bag_module *)self;
    ct_tensor *w = ct_module_get_parameter(self, "weight");
    return ct_embedding_bag(in[0], w, .offsets = n > 1 ? in[1] : NULL, .per_sample_weights = n > 2 ? in[2] : NULL,
                            .mode = e->mode, .include_last_offset = e->include_last_offset,
                            .padding_idx = e->has_pad ? &e->pad : NULL,
                            .max_norm = e->has_max_norm ? &e->max_norm : NULL, .norm_type = e->norm_type,
                            .scale_grad_by_freq = e->scale_grad_by_freq, .sparse = e->sparse);
}

static int embedding_bag_repr(const ct_module *self, char *buf, size_t len) {
    const embedding_bag_module *e = (const embedding_bag_module *)self;
    static const char *const modes[] = {"mean", "sum", "max"};
    size_t u = (size_t)snprintf(buf, len, "%" PRId64 ", %" PRId64, e->num, e->dim);
    u = common_repr(buf, len, u, e->has_max_norm ? &e->max_norm : NULL, e->norm_type, e->scale_grad_by_freq);
    if (u < len) u += (size_t)snprintf(buf + u, len - u, ", mode=%s", modes[e->mode]);
    if (e->has_pad && u < len) u += (size_t)snprintf(buf + u, len - u, ", padding_idx=%" PRId64, e->pad);
    return (int)u;
}

static const ct_module_type embedding_bag_type = {.name = "EmbeddingBag",
                                                  .size = sizeof(embedding_bag_module),
                                                  .forward = embedding_bag_forward,
                                                  .extra_repr = embedding_bag_repr};

ct_module *ct_nn_embedding_bag_opts(int64_t num_embeddings, int64_t embedding_dim,
                                    const ct_embedding_bag_module_options *o) {
    ct_embedding_bag_module_options d = {0};
    if (!o) o = &d;
    if (num_embeddings < 0 || embedding_dim < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 ", %" PRId64 "]",
                  num_embeddings < 0 ? num_embeddings : embedding_dim, num_embeddings, embedding_dim);
        return NULL;
    }
    bool has_pad;
    int64_t pad;
    if (resolve_module_padding(o->padding_idx, num_embeddings, &has_pad, &pad) != CT_OK) return NULL;
    embedding_bag_module *e = (embedding_bag_module *)ct_module_new(&embedding_bag_type);
    if (!e) return NULL;
    e->num = num_embeddings, e->dim = embedding_dim, e->has_pad = has_pad, e->pad = pad;
    e->has_max_norm = o->max_norm != NULL, e->max_norm = o->max_norm ? *o->max_norm : 0;
    e->norm_type = o->norm_type ? o->norm_type : 2.0;
    e->scale_grad_by_freq = o->scale_grad_by_freq, e->sparse = o->sparse;
    e->include_last_offset = o->include_last_offset, e->mode = o->mode;
    ct_dtype dt = o->dtype ? o->dtype : ct_get_default_dtype();
    ct_tensor *w = ct_module_register_parameter(&e->base, "weight",
                                                ct_empty(CT_SIZE(num_embeddings, embedding_dim), CT_OPTS(.dtype = dt)));
    if (!w || ct_init_normal_(w, 0.0, 1.0, NULL) != CT_OK) goto fail;
    if (has_pad) {
        ct_tensor *row = ct__select(w, 0, pad);
        int rc = row ? ct__fill_(row, 0.0) : CT_ERROR;
        ct_free(row);
        if (rc != CT_OK) goto fail;
    }
    return &e->base;
fail:
    ct_module_free(&e->base);
    return NULL;
}
