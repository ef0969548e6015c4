/* im2col / col2im of kernels/cpu/conv.c for 2-d stride-1 convolutions, on
 * every row shape their fast paths split on (output rows of 1-24 elements:
 * scalar, one 4-block, 8-blocks with an overlapping last block, the AVX-512
 * masked rows up to 16) with and without padding: with the masked rows
 * allowed (the default; used where this CPU has AVX-512) and with the
 * portable loops forced (ct__conv_set_isa(0)), each equals the definition
 * cols[(c, kh, kw), (oh, ow)] = x[c, oh + kh - ph, ow + kw - pw] (0 outside
 * the image), and col2im adds each column entry back to that element. The
 * values PyTorch gives for these kernels are checked through F.conv2d,
 * F.unfold and F.fold in test_conv (tests/parity/gen_conv.py). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/conv.h"

static void geom(ct_conv_geom *g, int64_t ih, int64_t iw, int64_t k, int64_t pad) {
    memset(g, 0, sizeof *g);
    int64_t in[3] = {1, ih, iw};
    for (int d = 0; d < 3; d++) {
        g->in[d] = in[d];
        g->k[d] = d ? k : 1;
        g->pad[d] = d ? pad : 0;
        g->stride[d] = g->dil[d] = 1;
        g->out[d] = g->in[d] + 2 * g->pad[d] - g->k[d] + 1;
    }
}

/* the definition, in float: cols (C*k*k, oh*ow) from x (im2col), or each
 * column entry added back to its element of x (col2im, back = true) */
static void ref_cols(const ct_conv_geom *g, int64_t C, float *x, float *cols, bool back) {
    int64_t K = g->k[1], OH = g->out[1], OW = g->out[2], IH = g->in[1], IW = g->in[2];
    for (int64_t c = 0; c < C; c++)
        for (int64_t kh = 0; kh < K; kh++)
            for (int64_t kw = 0; kw < K; kw++)
                for (int64_t oh = 0; oh < OH; oh++)
                    for (int64_t ow = 0; ow < OW; ow++) {
                        int64_t i = oh + kh - g->pad[1], j = ow + kw - g->pad[2];
                        bool in = i >= 0 && i < IH && j >= 0 && j < IW;
                        float *col = &cols[((c * K + kh) * K + kw) * OH * OW + oh * OW + ow];
                        if (back && in) x[(c * IH + i) * IW + j] += *col;
                        else if (!back) *col = in ? x[(c * IH + i) * IW + j] : 0.0f;
                    }
}

static void check_shape(int64_t iw, int64_t k, int64_t pad) {
    const int64_t C = 2, ih = 5;
    ct_conv_geom g;
    geom(&g, ih, iw, k, pad);
    if (g.out[1] < 1 || g.out[2] < 1) return;
    size_t nx = (size_t)(C * ih * iw), nc = (size_t)(C * k * k * g.out[1] * g.out[2]);
    float *x = malloc(nx * sizeof *x), *cols = malloc(nc * sizeof *cols), *want = malloc(nc * sizeof *want);
    float *xg = malloc(nx * sizeof *xg), *xw = malloc(nx * sizeof *xw);
    cr_assert(x && cols && want && xg && xw);
    for (size_t i = 0; i < nx; i++) x[i] = (float)(i % 13) - 6.25f;
    ref_cols(&g, C, x, want, false);
    for (size_t i = 0; i < nx; i++) xw[i] = 0.5f;
    ref_cols(&g, C, xw, want, true);
    for (int isa = -1; isa <= 0; isa++) {
        ct__conv_set_isa(isa);
        memset(cols, 0xff, nc * sizeof *cols); /* NaN: every element must be written */
        ct__im2col(CT_FLOAT32, &g, C, x, cols);
        cr_assert(memcmp(cols, want, nc * sizeof *cols) == 0, "im2col iw %ld k %ld pad %ld isa %d", (long)iw,
                  (long)k, (long)pad, isa);
        for (size_t i = 0; i < nx; i++) xg[i] = 0.5f;
        ct__col2im(CT_FLOAT32, &g, C, want, xg);
        cr_assert(memcmp(xg, xw, nx * sizeof *xg) == 0, "col2im iw %ld k %ld pad %ld isa %d", (long)iw, (long)k,
                  (long)pad, isa);
    }
    ct__conv_set_isa(-1);
    free(x), free(cols), free(want), free(xg), free(xw);
}

Test(conv_cols, unit_stride_rows_of_every_width) {
    for (int64_t iw = 1; iw <= 26; iw++)
        for (int64_t k = 1; k <= 5; k++)
            for (int64_t pad = 0; pad <= 2; pad++) check_shape(iw, k, pad);
}
