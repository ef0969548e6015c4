/* nn.PixelShuffle, PixelUnshuffle, ChannelShuffle, Upsample,
 * UpsamplingNearest2d, UpsamplingBilinear2d, Bilinear, LazyLinear. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_init.h"
#include "ctorch/nn_misc.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

const char *ct__misc_py_float(char *buf, size_t len, double v); /* src/nn/embedding.c */

/* ---- shuffles: one struct, three types ---- */

typedef struct {
    ct_module base;
    int64_t factor;
} shuffle_module;

static ct_tensor *pixel_shuffle_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_pixel_shuffle(in[0], ((shuffle_module *)self)->factor);
}
static ct_tensor *pixel_unshuffle_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_pixel_unshuffle(in[0], ((shuffle_module *)self)->factor);
}
static ct_tensor *channel_shuffle_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_channel_shuffle(in[0], ((shuffle_module *)self)->factor);
}
static int upscale_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "upscale_factor=%" PRId64, ((const shuffle_module *)self)->factor);
}
static int downscale_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "downscale_factor=%" PRId64, ((const shuffle_module *)self)->factor);
}
static int groups_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "groups=%" PRId64, ((const shuffle_module *)self)->factor);
}
static const ct_module_type pixel_shuffle_type = {.name = "PixelShuffle",
                                                  .size = sizeof(shuffle_module),
                                                  .forward = pixel_shuffle_forward,
                                                  .extra_repr = upscale_repr};
static const ct_module_type pixel_unshuffle_type = {.name = "PixelUnshuffle",
                                                    .size = sizeof(shuffle_module),
                                                    .forward = pixel_unshuffle_forward,
                                                    .extra_repr = downscale_repr};
static const ct_module_type channel_shuffle_type = {.name = "ChannelShuffle",
                                                    .size = sizeof(shuffle_module),
                                                    .forward = channel_shuffle_forward,
                                                    .extra_repr = groups_repr};

static ct_module *shuffle_new(const ct_module_type *type, int64_t factor) {
    shuffle_module *s = (shuffle_module *)ct_module_new(type);
    if (s) s->factor = factor;
    return s ? &s->base : NULL;
}
ct_module *ct_nn_pixel_shuffle(int64_t upscale_factor) { return shuffle_new(&pixel_shuffle_type, upscale_factor); }
ct_module *ct_nn_pixel_unshuffle(int64_t downscale_factor) {
    return shuffle_new(&pixel_unshuffle_type, downscale_factor);
}
ct_module *ct_nn_channel_shuffle(int64_t groups) { return shuffle_new(&channel_shuffle_type, groups); }
