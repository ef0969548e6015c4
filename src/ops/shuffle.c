/* F.pixel_shuffle, F.pixel_unshuffle, F.channel_shuffle: a reshape, a
 * permute and a contiguous copy; each backward is the inverse shuffle (so
 * every order of derivative exists). */
#include <inttypes.h>
#include <string.h>

#include "ctorch/nn_misc.h"
#include "ops/op_util.h"

enum { PIXEL_SHUFFLE, PIXEL_UNSHUFFLE, CHANNEL_SHUFFLE };

/* x viewed as `mid` (nmid dims), permuted by perm, copied, viewed as out. */
static ct_tensor *regroup(const ct_tensor *x, int nmid, const int64_t *mid, const int64_t *perm, int nout,
                          const int64_t *outs) {
    ct_tensor *a = ct__reshape(x, nmid, mid);
    ct_tensor *b = a ? ct__permute(a, nmid, perm) : NULL;
    ct_tensor *c = b ? ct__clone(b) : NULL;
    ct_tensor *r = c ? ct__view(c, nout, outs) : NULL;
    ct_tensor *tmp[] = {a, b, c};
    ct__free_all(3, tmp);
    return r;
}

static ct_tensor *shuffle(const ct_tensor *x, int kind, int64_t f);

static int shuffle_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int kind = (int)n->ints[0];
    int inverse = kind == PIXEL_SHUFFLE ? PIXEL_UNSHUFFLE : kind == PIXEL_UNSHUFFLE ? PIXEL_SHUFFLE : CHANNEL_SHUFFLE;
    out[0] = shuffle(g[0], inverse, n->ints[1]);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *shuffle(const ct_tensor *x, int kind, int64_t f) {
    if (!x) return NULL;
    int nd = x->ndim;
    int64_t mid[CT_MAX_DIMS + 2], perm[CT_MAX_DIMS + 2], outs[CT_MAX_DIMS];
    int64_t back = f;
    const char *name = kind == PIXEL_SHUFFLE ? "pixel_shuffle" : "pixel_unshuffle";
    if (kind == CHANNEL_SHUFFLE) {
        if (nd <= 2) {
            char buf[256];
            ct__error("channel_shuffle expects input with > 2 dims, but got input with sizes %s",
                      ct__format_shape(buf, sizeof buf, nd, x->sizes));
            return NULL;
        }
        if (f <= 0) {
            ct__error("Number of groups to divide channels in must be positive. Value of groups:%" PRId64, f);
            return NULL;
        }
        if (x->sizes[1] % f != 0) {
            ct__error("Number of channels must be divisible by groups. Got %" PRId64 " channels and %" PRId64
                      " groups.",
                      x->sizes[1], f);
            return NULL;
        }
        if (nd + 1 > CT_MAX_DIMS) {
            ct__error("channel_shuffle: too many dimensions");
            return NULL;
        }
        /* (N, C, *) -> (N, g, C/g, *) -> (N, C/g, g, *) */
        mid[0] = x->sizes[0], mid[1] = f, mid[2] = x->sizes[1] / f;
        for (int i = 2; i < nd; i++) mid[i + 1] = x->sizes[i];
        for (int i = 0; i <= nd; i++) perm[i] = i;
        perm[1] = 2, perm[2] = 1;
        back = x->sizes[1] / f;
        memcpy(outs, x->sizes, (size_t)nd * sizeof *outs);
    } else {
        if (nd < 3) {
            ct__error("%s expects input to have at least 3 dimensions, but got input with %d dimension(s)", name, nd);
            return NULL;
        }
        if (f <= 0) {
            ct__error("%s expects a positive %s, but got %" PRId64, name,
                      kind == PIXEL_SHUFFLE ? "upscale_factor" : "downscale_factor", f);
            return NULL;
        }
        int64_t C = x->sizes[nd - 3], H = x->sizes[nd - 2], W = x->sizes[nd - 1];
        if (kind == PIXEL_SHUFFLE && C % (f * f) != 0) {
            ct__error("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                      "upscale_factor, but input.size(-3)=%" PRId64 " is not divisible by %" PRId64,
                      C, f * f);
            return NULL;
        }
        if (kind == PIXEL_UNSHUFFLE && (H % f != 0 || W % f != 0)) {
            bool h = H % f != 0;
            ct__error("pixel_unshuffle expects %s to be divisible by downscale_factor, but input.size(%d)=%" PRId64
                      " is not divisible by %" PRId64,
                      h ? "height" : "width", h ? -2 : -1, h ? H : W, f);
            return NULL;
        }
        if (nd + 3 > CT_MAX_DIMS) {
            ct__error("%s: too many dimensions", name);
            return NULL;
        }
        int b = nd - 3; /* batch dims */
        memcpy(mid, x->sizes, (size_t)b * sizeof *mid);
        memcpy(outs, x->sizes, (size_t)b * sizeof *outs);
        for (int i = 0; i < b; i++) perm[i] = i;
        if (kind == PIXEL_SHUFFLE) {
            /* (*, C, r, r, H, W) -> (*, C, H, r, W, r) */
            int64_t m[] = {C / (f * f), f, f, H, W}, p[] = {0, 3, 1, 4, 2};
            for (int i = 0; i < 5; i++) mid[b + i] = m[i], perm[b + i] = b + p[i];
            outs[b] = C / (f * f), outs[b + 1] = H * f, outs[b + 2] = W * f;
        } else {
            /* (*, C, H, r, W, r) -> (*, C, r, r, H, W) */
            int64_t m[] = {C, H / f, f, W / f, f}, p[] = {0, 2, 4, 1, 3};
            for (int i = 0; i < 5; i++) mid[b + i] = m[i], perm[b + i] = b + p[i];
            outs[b] = C * f * f, outs[b + 1] = H / f, outs[b + 2] = W / f;
        }
        nd = b + 5; /* mid rank */
    }
    int nmid = kind == CHANNEL_SHUFFLE ? x->ndim + 1 : nd;
    ct_tensor *out = regroup(x, nmid, mid, perm, x->ndim, outs);
    if (!out) return NULL;
    const ct_tensor *in[] = {x};
    if (ct__any_requires_grad(1, in)) {
        static const char *const names[] = {"PixelShuffleBackward0", "PixelUnshuffleBackward0",
                                            "ChannelShuffleBackward0"};
        ct_node *n = ct__record(names[kind], shuffle_backward, out, 1, in);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        n->ints[0] = kind;
        n->ints[1] = back;
        n->nints = 2;
    }
    return out;
}

ct_tensor *ct_pixel_shuffle(const ct_tensor *x, int64_t upscale_factor) {
    return shuffle(x, PIXEL_SHUFFLE, upscale_factor);
}
ct_tensor *ct_pixel_unshuffle(const ct_tensor *x, int64_t downscale_factor) {
    return shuffle(x, PIXEL_UNSHUFFLE, downscale_factor);
}
ct_tensor *ct_channel_shuffle(const ct_tensor *x, int64_t groups) { return shuffle(x, CHANNEL_SHUFFLE, groups); }
