/* IDX files (raw or gzip) and torchvision's MNIST / FashionMNIST datasets. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/error_state.h"
#include "ctorch/ops.h"
#include "data/data_impl.h"
#include "tensor/tensor_impl.h"

/* At most 2^33 bytes of data: far above any IDX data set, far below what
 * a hostile header could ask for. */
#define IDX_MAX_BYTES (INT64_C(1) << 33)

ct_tensor *ct_read_idx(const char *path) {
    if (!path) return NULL;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        ct__error("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    fclose(probe);
    gzFile f = gzopen(path, "rb"); /* reads raw files transparently */
    if (!f) {
        ct__error("%s: cannot open", path);
        return NULL;
    }
    unsigned char hdr[4];
    ct_tensor *t = NULL;
    if (gzread(f, hdr, 4) != 4) {
        ct__error("%s: truncated IDX file (no header)", path);
        goto done;
    }
    ct_dtype dt;
    switch (hdr[2]) {
    case 0x08: dt = CT_UINT8; break;
    case 0x09: dt = CT_INT8; break;
    case 0x0B: dt = CT_INT16; break;
    case 0x0C: dt = CT_INT32; break;
    case 0x0D: dt = CT_FLOAT32; break;
    case 0x0E: dt = CT_FLOAT64; break;
    default: dt = CT_DTYPE_DEFAULT;
    }
    int nd = hdr[3];
    if (hdr[0] || hdr[1] || dt == CT_DTYPE_DEFAULT || nd < 1 || nd > CT_MAX_DIMS) {
        ct__error("%s: not an IDX file (bad magic 0x%02x%02x%02x%02x)", path, hdr[0], hdr[1], hdr[2], hdr[3]);
        goto done;
    }
    int64_t sizes[CT_MAX_DIMS];
    int64_t numel = 1;
    size_t item = ct__traits(dt)->itemsize;
    for (int i = 0; i < nd; i++) {
        unsigned char b[4];
        if (gzread(f, b, 4) != 4) {
            ct__error("%s: truncated IDX file (header ends inside the dimensions)", path);
            goto done;
        }
        sizes[i] = (int64_t)b[0] << 24 | (int64_t)b[1] << 16 | (int64_t)b[2] << 8 | (int64_t)b[3];
        if (sizes[i] && numel > IDX_MAX_BYTES / (int64_t)item / sizes[i]) {
            ct__error("%s: IDX dimensions too large", path);
            goto done;
        }
        numel *= sizes[i];
    }
    t = ct__empty(dt, nd, sizes);
    if (!t) goto done;
    int64_t want = numel * (int64_t)item, got = 0;
    char *p = ct__data(t);
    while (got < want) {
        int64_t chunk = want - got > (1 << 30) ? (1 << 30) : want - got;
        int r = gzread(f, p + got, (unsigned)chunk);
        if (r <= 0) break;
        got += r;
    }
    if (got < want) {
        ct__error("%s: truncated IDX file (expected %lld bytes of data, got %lld)", path, (long long)want,
                  (long long)got);
        ct_free(t);
        t = NULL;
        goto done;
    }
    if (item > 1) /* big-endian on disk */
        for (int64_t i = 0; i < numel; i++) {
            unsigned char *e = (unsigned char *)p + i * (int64_t)item;
            for (size_t a = 0, b = item - 1; a < b; a++, b--) {
                unsigned char tmp = e[a];
                e[a] = e[b];
                e[b] = tmp;
            }
        }
done:
    gzclose(f);
    return t;
}

/* ---------------- MNIST ---------------- */

typedef struct {
    ct_tensor *data, *targets; /* (N, 28, 28) uint8, (N,) int64 */
    ct_transform *tf, *ttf;
} mnist_ds;

static int64_t mnist_len(void *ctx) { return ct_size(((mnist_ds *)ctx)->data, 0); }

static int mnist_get(void *ctx, int64_t i, ct_sample *out) {
    mnist_ds *m = ctx;
    int64_t n = ct_size(m->data, 0);
    int64_t k = ct__wrap_index(i, n);
    if (k < 0) {
        ct__error("index %lld is out of bounds for dimension 0 with size %lld", (long long)i, (long long)n);
        return CT_ERROR;
    }
    ct_tensor *img = ct_select(m->data, 0, k);
    ct_tensor *lab = ct_select(m->targets, 0, k);
    if (img && m->tf) {
        ct_tensor *x = ct_transform_apply(m->tf, img);
        ct_free(img);
        img = x;
    }
    if (lab && m->ttf) {
        ct_tensor *y = ct_transform_apply(m->ttf, lab);
        ct_free(lab);
        lab = y;
    }
    if (!img || !lab) {
        ct_free(img);
        ct_free(lab);
        return CT_ERROR;
    }
    out->t[0] = img;
    out->t[1] = lab;
    out->n = 2;
    return CT_OK;
}

static void mnist_free(void *ctx) {
    mnist_ds *m = ctx;
    ct__drop(m->data);
    ct__drop(m->targets);
    ct_transform_free(m->tf);
    ct_transform_free(m->ttf);
    free(m);
}

static const ct_dataset_vtable mnist_vt = {mnist_len, mnist_get, mnist_free};

/* The first of root/name, root/name.gz, root/<cls>/raw/name[.gz] that exists. */
static ct_tensor *read_any(const char *root, const char *cls, const char *name) {
    char path[4096];
    const char *fmts[] = {"%s/%s", "%s/%s.gz"};
    for (int raw = 0; raw < 2; raw++)
        for (int z = 0; z < 2; z++) {
            char base[4096];
            if (raw) snprintf(base, sizeof base, "%s/%s/raw", root, cls);
            else snprintf(base, sizeof base, "%s", root);
            snprintf(path, sizeof path, fmts[z], base, name);
            FILE *f = fopen(path, "rb");
            if (f) {
                fclose(f);
                return ct_read_idx(path);
            }
        }
    ct__error("Dataset not found. You can use download=True to download it (%s/%s[.gz] is missing)", root, name);
    return NULL;
}

static ct_dataset *mnist_open(const char *cls, const char *root, const ct_mnist_options *o) {
    static const ct_mnist_options defaults = {0};
    if (!root) return NULL;
    if (!o) o = &defaults;
    const char *pre = o->train ? "train" : "t10k";
    char iname[64], lname[64];
    snprintf(iname, sizeof iname, "%s-images-idx3-ubyte", pre);
    snprintf(lname, sizeof lname, "%s-labels-idx1-ubyte", pre);
    ct_tensor *img = read_any(root, cls, iname);
    if (!img) return NULL;
    ct_tensor *lab = read_any(root, cls, lname);
    if (!lab) {
        ct_free(img);
        return NULL;
    }
    if (ct_dtype_of(img) != CT_UINT8 || ct_dim(img) != 3 || ct_dtype_of(lab) != CT_UINT8 || ct_dim(lab) != 1 ||
        ct_size(img, 0) != ct_size(lab, 0)) {
        ct__error("%s: images %s and labels %s do not match (expected uint8 (N, H, W) and (N,))", root, iname, lname);
        ct_free(img);
        ct_free(lab);
        return NULL;
    }
    ct_tensor *targets = ct_to_dtype(lab, CT_INT64); /* torchvision: .long() */
    ct_free(lab);
    mnist_ds *m = calloc(1, sizeof *m);
    if (!m || !targets) {
        ct_free(img);
        ct_free(targets);
        free(m);
        if (!m) ct__error_oom(sizeof *m);
        return NULL;
    }
    /* keep untracked references (the caller's scope must not drop them) */
    m->data = ct_ref(img);
    m->targets = ct_ref(targets);
    ct_free(img);
    ct_free(targets);
    m->tf = ct_transform_ref(o->transform);
    m->ttf = ct_transform_ref(o->target_transform);
    return ct__dataset_make(&mnist_vt, m, CT__DS_MNIST);
}

ct_dataset *ct_mnist_opts(const char *root, const ct_mnist_options *o) { return mnist_open("MNIST", root, o); }
ct_dataset *ct_fashion_mnist_opts(const char *root, const ct_mnist_options *o) {
    return mnist_open("FashionMNIST", root, o);
}

ct_tensor *ct_mnist_data(const ct_dataset *ds) {
    if (!ds) return NULL;
    if (ds->kind != CT__DS_MNIST) {
        ct__error("not an MNIST dataset");
        return NULL;
    }
    return ct__retain(((mnist_ds *)ds->ctx)->data);
}

ct_tensor *ct_mnist_targets(const ct_dataset *ds) {
    if (!ds) return NULL;
    if (ds->kind != CT__DS_MNIST) {
        ct__error("not an MNIST dataset");
        return NULL;
    }
    return ct__retain(((mnist_ds *)ds->ctx)->targets);
}
