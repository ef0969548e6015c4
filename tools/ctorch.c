/* ctorch — command-line tool.
 *
 *   ctorch inspect FILE     list the tensors of a .pt (zip or legacy) or
 *                           .safetensors file: name, dtype, shape, stride,
 *                           bytes, storage sharing; then totals
 *   ctorch convert IN OUT   .pt <-> .safetensors (OUT's extension decides:
 *                           .safetensors writes safetensors, anything else .pt)
 *
 * Malformed files print one line "ctorch: error: ..." and exit with 1. */
#include <ctorch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f) {
    fprintf(f, "usage: ctorch inspect FILE\n       ctorch convert IN OUT\n");
    return f == stdout ? 0 : 2;
}

static int fail(void) {
    const char *e = ct_last_error();
    fprintf(stderr, "ctorch: error: ");
    /* one line, whatever the message holds */
    for (const char *p = e && *e ? e : "unknown error"; *p; p++) fputc(*p == '\n' ? ' ' : *p, stderr);
    fputc('\n', stderr);
    return 1;
}

static ct_state_dict *load(const char *path, ct_metadata *meta, const char **kind) {
    ct_file_format f = ct_file_format_of(path);
    switch (f) {
    case CT_FORMAT_PT_ZIP:
        *kind = "PyTorch zip (.pt)";
        return ct_load(path);
    case CT_FORMAT_PT_LEGACY:
        *kind = "PyTorch legacy (.pt, before 1.6)";
        return ct_load(path);
    case CT_FORMAT_SAFETENSORS:
        *kind = "safetensors";
        return ct_safetensors_load(path, meta);
    default: {
        if (ct_last_error() && strstr(ct_last_error(), "Errno")) return NULL;
        /* let the reader the name suggests say what is wrong */
        size_t n = strlen(path);
        *kind = "unknown";
        if (n >= 12 && !strcmp(path + n - 12, ".safetensors")) return ct_safetensors_load(path, meta);
        return ct_load(path);
    }
    }
}

static void fmt_list(char *buf, size_t cap, int n, const int64_t *v) {
    size_t at = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < n && at < cap; i++) at += (size_t)snprintf(buf + at, cap - at, i ? ", %" PRId64 : "%" PRId64, v[i]);
    if (at < cap) snprintf(buf + at, cap - at, "]");
}

static int inspect(const char *path) {
    ct_metadata meta = {0};
    const char *kind = "";
    ct_state_dict *sd = load(path, &meta, &kind);
    if (!sd) return fail();
    int n = ct_state_dict_size(sd);
    int *group = calloc((size_t)n + 1, sizeof *group);
    int n_groups = 0;
    int64_t elems = 0, bytes = 0, unique = 0;
    printf("%s: %s, %d tensor%s\n", path, kind, n, n == 1 ? "" : "s");
    for (int i = 0; i < meta.n; i++) printf("metadata %s: %s\n", meta.keys[i], meta.values[i]);
    printf("%-40s %-9s %-20s %-20s %12s  %s\n", "name", "dtype", "shape", "stride", "bytes", "storage");
    for (int i = 0; i < n; i++) {
        ct_tensor *t = ct_state_dict_value(sd, i);
        int g = -1;
        for (int j = 0; j < i && g < 0; j++)
            if (ct_shares_storage(t, ct_state_dict_value(sd, j)) && ct_numel(t) && ct_numel(ct_state_dict_value(sd, j)))
                g = group[j];
        int64_t b = ct_numel(t) * (int64_t)ct_element_size(t);
        if (g < 0) {
            g = n_groups++;
            unique += b; /* first view's bytes; see below for whole storages */
        }
        group[i] = g;
        char shape[256], stride[256], store[96];
        fmt_list(shape, sizeof shape, ct_dim(t), ct_sizes(t));
        fmt_list(stride, sizeof stride, ct_dim(t), ct_strides(t));
        int first = -1;
        for (int j = 0; j < i && first < 0; j++)
            if (group[j] == g) first = j;
        if (first >= 0)
            snprintf(store, sizeof store, "#%d offset %" PRId64 " (shared with %s)", g, ct_storage_offset(t),
                     ct_state_dict_key(sd, first)[0] ? ct_state_dict_key(sd, first) : "\"\"");
        else
            snprintf(store, sizeof store, "#%d offset %" PRId64, g, ct_storage_offset(t));
        const char *name = ct_state_dict_key(sd, i);
        printf("%-40s %-9s %-20s %-20s %12" PRId64 "  %s\n", name[0] ? name : "\"\"", ct_dtype_name(ct_dtype_of(t)), shape,
               stride, b, store);
        elems += ct_numel(t);
        bytes += b;
    }
    printf("total: %d tensors, %d storages, %" PRId64 " elements, %" PRId64 " bytes\n", n, n_groups, elems, bytes);
    (void)unique;
    free(group);
    ct_metadata_clear(&meta);
    ct_state_dict_free(sd);
    return 0;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static int convert(const char *in, const char *out) {
    ct_metadata meta = {0};
    const char *kind = "";
    ct_state_dict *sd = load(in, &meta, &kind);
    if (!sd) return fail();
    int rc = ends_with(out, ".safetensors") ? ct_safetensors_save(out, sd, &meta) : ct_save(out, sd);
    ct_metadata_clear(&meta);
    ct_state_dict_free(sd);
    if (rc != CT_OK) return fail();
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) return usage(stdout);
    ct_clear_error();
    if (argc == 3 && !strcmp(argv[1], "inspect")) return inspect(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "convert")) return convert(argv[2], argv[3]);
    return usage(stderr);
}
