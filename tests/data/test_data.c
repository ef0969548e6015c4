/* The data pipeline against tests/parity/data/data.txt (gen_data.py, torch
 * 1.13.1): DataLoader shuffle order after a seed, samplers, random_split;
 * workers give the batches of no workers; errors. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("data.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(data, .init = setup, .fini = teardown);

#define MAXN 4096

/* after: the default generator's next randint(0, 2^30) */

static void expect_order(const vec_case *c, const int64_t *got, int n) {
    int want_n = vec_len(c, "order");
    cr_assert_eq(n, want_n, "%s: %d indices, PyTorch %d", vec_name(c), n, want_n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(got[i], vec_int(c, "order", i), "%s[%d]: %lld, PyTorch %lld", vec_name(c), i, (long long)got[i],
                     (long long)vec_int(c, "order", i));
}

static ct_dataset *arange_ds(int64_t n) {
    ct_tensor *t = ct_arange(0, n, 1, NULL);
    ct_dataset *ds = ct_tensor_dataset(1, &t);
    ct_free(t);
    cr_assert_not_null(ds, "%s", ct_last_error());
    return ds;
}

/* Runs epochs of dl; returns the indices and batch sizes. */
static int run_epochs(ct_dataloader *dl, int epochs, int64_t *order, int64_t *sizes, int *nsizes) {
    int n = 0, nb = 0;
    for (int ep = 0; ep < epochs; ep++) {
        cr_assert_eq(ct_dataloader_iter(dl), CT_OK, "%s", ct_last_error());
        ct_sample b;
        int r;
        while ((r = ct_dataloader_next(dl, &b)) == 1) {
            cr_assert_eq(b.n, 1);
            int64_t k = ct_numel(b.t[0]);
            cr_assert_eq(ct_dtype_of(b.t[0]), CT_INT64);
            cr_assert_eq(ct_copy_to_buffer(b.t[0], CT_INT64, order + n, (size_t)k * 8), CT_OK);
            n += (int)k;
            if (sizes) sizes[nb] = k;
            nb++;
            ct_sample_clear(&b);
        }
        cr_assert_eq(r, 0, "%s", ct_last_error());
    }
    if (nsizes) *nsizes = nb;
    return n;
}

Test(data, loader_shuffle_matches_pytorch) {
    int checked = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (strncmp(vec_name(c), "loader_s", 8)) continue;
        for (int workers = 0; workers <= 2; workers += 2) {
            ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
            ct_dataset *ds = arange_ds(vec_int(c, "n", 0));
            ct_dataloader *dl = ct_dataloader(ds, .batch_size = vec_int(c, "bs", 0), .shuffle = true,
                                              .drop_last = vec_int(c, "drop", 0) != 0, .num_workers = workers);
            cr_assert_not_null(dl, "%s", ct_last_error());
            cr_assert_eq(ct_dataloader_len(dl), vec_int(c, "len", 0));
            static int64_t order[MAXN], sizes[MAXN];
            int nb = 0;
            int n = run_epochs(dl, 2, order, sizes, &nb);
            expect_order(c, order, n);
            cr_assert_eq(nb, vec_len(c, "sizes"));
            for (int k = 0; k < nb; k++) cr_assert_eq(sizes[k], vec_int(c, "sizes", k));
            tu_check_after(c);
            ct_dataloader_free(dl);
            ct_dataset_free(ds);
        }
        checked++;
    }
    cr_assert_eq(checked, 15);
}

Test(data, loader_with_generator) {
    for (int gs = 0; gs < 2; gs++) {
        const vec_case *c = vec_find(V, gs ? "loader_gen2024" : "loader_gen7");
        cr_assert_not_null(c);
        ct_manual_seed(1);
        ct_generator *g = ct_generator_new();
        ct_generator_manual_seed(g, (uint64_t)vec_int(c, "gseed", 0));
        ct_dataset *ds = arange_ds(vec_int(c, "n", 0));
        ct_dataloader *dl = ct_dataloader(ds, .batch_size = vec_int(c, "bs", 0), .shuffle = true, .generator = g);
        static int64_t order[MAXN];
        int n = run_epochs(dl, 2, order, NULL, NULL);
        expect_order(c, order, n);
        tu_check_after(c);
        ct_dataloader_free(dl);
        ct_dataset_free(ds);
        ct_generator_free(g);
    }
}

/* All the indices of two passes of s. */
static int two_passes(ct_sampler *s, int64_t *order) {
    int n = 0;
    for (int p = 0; p < 2; p++) {
        cr_assert_eq(ct_sampler_iter(s), CT_OK, "%s", ct_last_error());
        int r;
        while ((r = ct_sampler_next(s, &order[n])) == 1) n++;
        cr_assert_eq(r, 0, "%s", ct_last_error());
    }
    return n;
}

Test(data, random_sampler_matches_pytorch) {
    int checked = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (strncmp(vec_name(c), "random_s", 8)) continue;
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_generator *g = NULL;
        if (vec_int(c, "gen", 0) >= 0) {
            g = ct_generator_new();
            ct_generator_manual_seed(g, (uint64_t)vec_int(c, "gen", 0));
        }
        ct_sampler *s = ct_random_sampler(vec_int(c, "n", 0), .replacement = vec_int(c, "repl", 0) != 0,
                                          .num_samples = vec_int(c, "ns", 0), .generator = g);
        cr_assert_not_null(s, "%s", ct_last_error());
        static int64_t order[MAXN];
        int n = two_passes(s, order);
        expect_order(c, order, n);
        tu_check_after(c);
        ct_sampler_free(s);
        ct_generator_free(g);
        checked++;
    }
    cr_assert_eq(checked, 12);
}

Test(data, subset_random_sampler_matches_pytorch) {
    for (int k = 0; k < 2; k++) {
        const vec_case *c = vec_find(V, k ? "subset_s9" : "subset_s0");
        cr_assert_not_null(c);
        int64_t ind[16];
        int m = vec_ints(c, "ind", ind, 16);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_sampler *s = ct_subset_random_sampler(m, ind, NULL);
        static int64_t order[MAXN];
        int n = two_passes(s, order);
        expect_order(c, order, n);
        tu_check_after(c);
        ct_sampler_free(s);
    }
}

Test(data, weighted_random_sampler_matches_pytorch) {
    int checked = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (strncmp(vec_name(c), "weighted_", 9)) continue;
        double w[64];
        int m = vec_len(c, "w");
        for (int j = 0; j < m; j++) w[j] = vec_double(c, "w", j);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_sampler *s = ct_weighted_random_sampler(m, w, vec_int(c, "ns", 0), vec_int(c, "repl", 0) != 0, NULL);
        cr_assert_not_null(s, "%s", ct_last_error());
        static int64_t order[MAXN];
        int n = two_passes(s, order);
        expect_order(c, order, n);
        tu_check_after(c);
        ct_sampler_free(s);
        checked++;
    }
    cr_assert_gt(checked, 30);
}

Test(data, random_split_matches_pytorch) {
    int checked = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (strncmp(vec_name(c), "split_", 6)) continue;
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_generator *g = NULL;
        if (vec_int(c, "gen", 0) >= 0) {
            g = ct_generator_new();
            ct_generator_manual_seed(g, (uint64_t)vec_int(c, "gen", 0));
        }
        int np = vec_len(c, "lengths");
        double lengths[8];
        for (int j = 0; j < np; j++) lengths[j] = vec_double(c, "lengths", j);
        ct_dataset *ds = arange_ds(vec_int(c, "n", 0));
        ct_dataset *parts[8];
        cr_assert_eq(ct_random_split(ds, np, lengths, g, parts), CT_OK, "%s", ct_last_error());
        int k = 0;
        for (int p = 0; p < np; p++) {
            cr_assert_eq(ct_dataset_len(parts[p]), vec_int(c, "plens", p), "%s part %d", vec_name(c), p);
            for (int64_t j = 0; j < ct_dataset_len(parts[p]); j++) {
                ct_sample it;
                cr_assert_eq(ct_dataset_get(parts[p], j, &it), CT_OK);
                int64_t v;
                cr_assert_eq(ct_item_int64(it.t[0], &v), CT_OK);
                cr_assert_eq(v, vec_int(c, "idx", k), "%s[%d]", vec_name(c), k);
                k++;
                ct_sample_clear(&it);
            }
            ct_dataset_free(parts[p]);
        }
        tu_check_after(c);
        ct_dataset_free(ds);
        ct_generator_free(g);
        checked++;
    }
    cr_assert_eq(checked, 10);
}
