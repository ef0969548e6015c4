/* The data pipeline's API without PyTorch vectors: datasets, collate,
 * batch sampler, workers == no workers, worker errors, option errors. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
#include <string.h>

static void setup(void) {
    ct_clear_error();
    ct_set_warnings_enabled(false);
}
TestSuite(data_api, .init = setup);

#define ERR_IS(msg) cr_assert_str_eq(ct_last_error() ? ct_last_error() : "(none)", msg)

/* A C dataset: item i = (float (2, 3) filled with i + noise from the
 * worker's generator if ctx says so, int64 label i % 3); fails at index 13
 * when asked. */
typedef struct {
    int64_t n;
    bool fail13, random;
} my_ds;
static int64_t my_len(void *ctx) { return ((my_ds *)ctx)->n; }
static int my_get(void *ctx, int64_t i, ct_sample *out) {
    my_ds *d = ctx;
    if (d->fail13 && i == 13) {
        ct_data_error("index %lld is cursed", (long long)i);
        return CT_ERROR;
    }
    out->t[0] = ct_full(CT_SIZE(2, 3), (double)i, NULL);
    if (d->random) {
        ct_tensor *r = ct_rand(CT_SIZE(2, 3), CT_OPTS(.generator = ct_data_generator()));
        ct_tensor *s = ct_add(out->t[0], r);
        ct_free(r);
        ct_free(out->t[0]);
        out->t[0] = s;
    }
    out->t[1] = ct_scalar_tensor_int(i % 3, NULL);
    out->n = 2;
    return CT_OK;
}
static const ct_dataset_vtable my_vt = {my_len, my_get, free};
static ct_dataset *make_my(int64_t n, bool fail13, bool random) {
    my_ds *d = malloc(sizeof *d);
    d->n = n;
    d->fail13 = fail13;
    d->random = random;
    return ct_dataset_new(&my_vt, d);
}

static double sum_of(const ct_tensor *t) {
    ct_tensor *s = ct_sum(t);
    double v;
    cr_assert_eq(ct_item(s, &v), CT_OK);
    ct_free(s);
    return v;
}

Test(data_api, user_dataset_collate_shapes) {
    ct_dataset *ds = make_my(10, false, false);
    cr_assert_eq(ct_dataset_len(ds), 10);
    ct_dataloader *dl = ct_dataloader(ds, .batch_size = 4);
    cr_assert_eq(ct_dataloader_len(dl), 3);
    ct_sample b;
    int nb = 0;
    cr_assert_eq(ct_dataloader_iter(dl), CT_OK);
    while (ct_dataloader_next(dl, &b) == 1) {
        cr_assert_eq(b.n, 2);
        int64_t want = nb < 2 ? 4 : 2;
        cr_assert_eq(ct_dim(b.t[0]), 3);
        cr_assert_eq(ct_size(b.t[0], 0), want);
        cr_assert_eq(ct_size(b.t[0], 1), 2);
        cr_assert_eq(ct_dtype_of(b.t[1]), CT_INT64);
        cr_assert_eq(ct_dim(b.t[1]), 1);
        ct_sample_clear(&b);
        nb++;
    }
    cr_assert_eq(nb, 3);
    ct_dataloader_free(dl);
    ct_dataset_free(ds);
}

/* Same batches with 0, 1, 2, 3 workers and several prefetch factors. */
Test(data_api, workers_equal_no_workers) {
    ct_dataset *ds = make_my(53, false, false);
    double ref[64];
    int nref = 0;
    for (int w = 0; w <= 3; w++)
        for (int pf = 0; pf <= (w ? 3 : 0); pf += 3) {
            ct_manual_seed(5);
            ct_dataloader *dl = ct_dataloader(ds, .batch_size = 5, .shuffle = true, .num_workers = w,
                                              .prefetch_factor = pf);
            cr_assert_not_null(dl, "%s", ct_last_error());
            for (int ep = 0; ep < 2; ep++) {
                cr_assert_eq(ct_dataloader_iter(dl), CT_OK);
                ct_sample b;
                int k = 0;
                while (ct_dataloader_next(dl, &b) == 1) {
                    double v = sum_of(b.t[0]) * 1000 + sum_of(b.t[1]);
                    if (w == 0 && ep == 0) ref[nref++] = v;
                    else if (ep == 0) cr_assert_eq(v, ref[k], "workers %d batch %d", w, k);
                    k++;
                    ct_sample_clear(&b);
                }
                cr_assert_eq(k, 11);
            }
            ct_dataloader_free(dl);
        }
    ct_dataset_free(ds);
}

/* Workers draw from their own generators, seeded base_seed + id. */
Test(data_api, worker_generators_deterministic) {
    ct_dataset *ds = make_my(12, false, true);
    double run[2][12];
    for (int rep = 0; rep < 2; rep++) {
        ct_manual_seed(3);
        ct_dataloader *dl = ct_dataloader(ds, .batch_size = 2, .num_workers = 2);
        cr_assert_eq(ct_dataloader_iter(dl), CT_OK);
        ct_sample b;
        int k = 0;
        while (ct_dataloader_next(dl, &b) == 1) {
            run[rep][k++] = sum_of(b.t[0]);
            ct_sample_clear(&b);
        }
        cr_assert_eq(k, 6);
        ct_dataloader_free(dl);
    }
    for (int k = 0; k < 6; k++) cr_assert_eq(run[0][k], run[1][k]);
    cr_assert_not(ct_get_worker_info(NULL, NULL, NULL));
    ct_dataset_free(ds);
}

Test(data_api, worker_error_surfaces) {
    ct_dataset *ds = make_my(20, true, false);
    for (int w = 0; w <= 2; w += 2) {
        ct_dataloader *dl = ct_dataloader(ds, .batch_size = 4, .num_workers = w);
        cr_assert_eq(ct_dataloader_iter(dl), CT_OK);
        ct_sample b;
        int r, k = 0;
        while ((r = ct_dataloader_next(dl, &b)) == 1) {
            ct_sample_clear(&b);
            k++;
        }
        cr_assert_eq(r, CT_ERROR);
        cr_assert_eq(k, 3);
        if (w) ERR_IS("Caught error in DataLoader worker 1: index 13 is cursed");
        else ERR_IS("index 13 is cursed");
        /* a new epoch works again up to the bad batch */
        cr_assert_eq(ct_dataloader_iter(dl), CT_OK);
        cr_assert_eq(ct_dataloader_next(dl, &b), 1);
        ct_sample_clear(&b);
        ct_dataloader_free(dl); /* mid-epoch: joins the workers */
    }
    ct_dataset_free(ds);
}

Test(data_api, tensor_subset_concat) {
    ct_tensor *x = ct_arange(0, 12, 1, NULL);
    ct_tensor *x2 = ct_reshape(x, CT_SIZE(6, 2));
    ct_tensor *y = ct_arange(0, 6, 1, NULL);
    ct_tensor *z = ct_arange(0, 5, 1, NULL);
    ct_tensor *xy[2] = {x2, y};
    ct_tensor *xz[2] = {x2, z};
    ct_dataset *td = ct_tensor_dataset(2, xy);
    cr_assert_null(ct_tensor_dataset(2, xz));
    ERR_IS("Size mismatch between tensors");
    cr_assert_eq(ct_dataset_len(td), 6);
    ct_sample it;
    cr_assert_eq(ct_dataset_get(td, -1, &it), CT_OK);
    cr_assert_eq(sum_of(it.t[0]), 21);
    ct_sample_clear(&it);
    cr_assert_eq(ct_dataset_get(td, 6, &it), CT_ERROR);
    ERR_IS("index 6 is out of bounds for dimension 0 with size 6");
    int64_t ind[3] = {5, 0, 2};
    ct_dataset *sub = ct_subset(td, 3, ind);
    cr_assert_eq(ct_dataset_get(sub, 0, &it), CT_OK);
    cr_assert_eq(sum_of(it.t[1]), 5);
    ct_sample_clear(&it);
    cr_assert_eq(ct_dataset_get(sub, 3, &it), CT_ERROR);
    ERR_IS("list index out of range");
    ct_dataset *parts[2] = {td, sub};
    ct_dataset *cat = ct_concat_dataset(2, parts);
    cr_assert_eq(ct_dataset_len(cat), 9);
    cr_assert_eq(ct_dataset_get(cat, 7, &it), CT_OK);
    cr_assert_eq(sum_of(it.t[1]), 0);
    ct_sample_clear(&it);
    cr_assert_eq(ct_dataset_get(cat, -9, &it), CT_OK);
    cr_assert_eq(sum_of(it.t[1]), 0);
    ct_sample_clear(&it);
    cr_assert_eq(ct_dataset_get(cat, -10, &it), CT_ERROR);
    ERR_IS("absolute value of index should not exceed dataset length");
    cr_assert_null(ct_concat_dataset(0, parts));
    ERR_IS("datasets should not be an empty iterable");
    ct_dataset_free(cat);
    ct_dataset_free(sub);
    ct_dataset_free(td);
    ct_free(x);
    ct_free(x2);
    ct_free(y);
    ct_free(z);
}

Test(data_api, batch_sampler) {
    ct_sampler *s = ct_sequential_sampler(10);
    for (int drop = 0; drop < 2; drop++) {
        ct_sampler *bs = ct_batch_sampler(s, 3, drop);
        cr_assert_eq(ct_sampler_len(bs), drop ? 3 : 4);
        int64_t buf[3], n, total = 0, nb = 0;
        cr_assert_eq(ct_sampler_iter(bs), CT_OK);
        while ((n = ct_batch_sampler_next(bs, buf)) > 0) {
            for (int64_t i = 0; i < n; i++) cr_assert_eq(buf[i], total + i);
            total += n;
            nb++;
        }
        cr_assert_eq(n, 0);
        cr_assert_eq(nb, drop ? 3 : 4);
        cr_assert_eq(total, drop ? 9 : 10);
        ct_sampler_free(bs);
    }
    cr_assert_null(ct_batch_sampler(s, 0, false));
    ERR_IS("batch_size should be a positive integer value, but got batch_size=0");
    /* the loader with a batch_sampler */
    ct_sampler *bs = ct_batch_sampler(s, 4, false);
    ct_dataset *ds = make_my(10, false, false);
    ct_dataloader *dl = ct_dataloader(ds, .batch_sampler = bs);
    cr_assert_eq(ct_dataloader_len(dl), 3);
    ct_dataloader_free(dl);
    cr_assert_null(ct_dataloader(ds, .batch_sampler = bs, .batch_size = 2));
    ERR_IS("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
    cr_assert_null(ct_dataloader(ds, .sampler = s, .shuffle = true));
    ERR_IS("sampler option is mutually exclusive with shuffle");
    cr_assert_null(ct_dataloader(ds, .num_workers = -1));
    ERR_IS("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
    cr_assert_null(ct_dataloader(ds, .prefetch_factor = 4));
    ERR_IS("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable "
           "multiprocessing.");
    cr_assert_null(ct_dataloader(ds, .batch_size = -1));
    ERR_IS("batch_size should be a positive integer value, but got batch_size=-1");
    ct_dataset *empty = make_my(0, false, false);
    cr_assert_null(ct_dataloader(empty, .shuffle = true));
    ERR_IS("num_samples should be a positive integer value, but got num_samples=0");
    ct_dataset_free(empty);
    ct_dataset_free(ds);
    ct_sampler_free(bs);
    ct_sampler_free(s);
}

Test(data_api, null_and_errors) {
    ct_clear_error();
    cr_assert_null(ct_dataloader(NULL));
    cr_assert_null(ct_subset(NULL, 0, NULL));
    cr_assert_null(ct_tensor_dataset(1, (ct_tensor *const[]){NULL}));
    cr_assert_null(ct_batch_sampler(NULL, 2, false));
    cr_assert_null(ct_last_error());
    cr_assert_eq(ct_dataset_len(NULL), -1);
    ct_sample it;
    cr_assert_eq(ct_dataset_get(NULL, 0, &it), CT_ERROR);
    cr_assert_eq(ct_dataloader_next(NULL, &it), CT_ERROR);
    ct_dataset_free(NULL);
    ct_sampler_free(NULL);
    ct_dataloader_free(NULL);
    double bad[3] = {1, -1, 2};
    ct_sampler *w = ct_weighted_random_sampler(3, bad, 2, true, NULL);
    int64_t i;
    cr_assert_eq(ct_sampler_next(w, &i), CT_ERROR);
    ERR_IS("invalid multinomial distribution (encountering probability entry < 0)");
    ct_sampler_free(w);
    w = ct_weighted_random_sampler(3, bad, 2, false, NULL);
    cr_assert_eq(ct_sampler_next(w, &i), CT_ERROR);
    ERR_IS("probability tensor contains either `inf`, `nan` or element < 0");
    ct_sampler_free(w);
    double ok[2] = {1, 1};
    w = ct_weighted_random_sampler(2, ok, 3, false, NULL);
    cr_assert_eq(ct_sampler_next(w, &i), CT_ERROR);
    ERR_IS("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    ct_sampler_free(w);
    ct_dataset *ds = make_my(10, false, false);
    ct_dataset *parts[2];
    cr_assert_eq(ct_random_split(ds, 2, (double[]){3, 8}, NULL, parts), CT_ERROR);
    ERR_IS("Sum of input lengths does not equal the length of the input dataset!");
    cr_assert_eq(ct_random_split(ds, 2, (double[]){1.5, -0.5}, NULL, parts), CT_ERROR);
    ERR_IS("Fraction at index 0 is not between 0 and 1");
    ct_dataset_free(ds);
}

/* Batches leave through the caller's scope like any new tensor. */
Test(data_api, scope_tracks_batches) {
    ct_dataset *ds = make_my(8, false, false);
    for (int w = 0; w <= 1; w++) {
        ct_dataloader *dl = ct_dataloader(ds, .batch_size = 4, .num_workers = w);
        cr_assert_eq(ct_dataloader_iter(dl), CT_OK);
        cr_assert_geq(ct_scope_begin(), 1);
        ct_sample b;
        while (ct_dataloader_next(dl, &b) == 1) { /* not freed by hand */
        }
        cr_assert_eq(ct_scope_end(), CT_OK);
        ct_dataloader_free(dl);
    }
    ct_dataset_free(ds);
}
