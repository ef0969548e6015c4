/* The progress bar's exact text (tqdm's format_meter, smoothing=0) with an
 * injected clock, on a "terminal" and as plain lines, and its off switch. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double fake_now;
static double fake_clock(void *ctx) {
    (void)ctx;
    return fake_now;
}

static void setup(void) {
    fake_now = 100;
    unsetenv("CTORCH_PROGRESS");
    ct_progress_set_enabled(true);
}
TestSuite(progress, .init = setup);

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} sink;
static void open_sink(sink *s) {
    memset(s, 0, sizeof *s);
    s->f = open_memstream(&s->buf, &s->len);
    cr_assert_not_null(s->f);
}
static const char *text(sink *s) {
    fflush(s->f);
    return s->buf;
}
static void close_sink(sink *s) {
    fclose(s->f);
    free(s->buf);
}

Test(progress, format_meter_text) {
    sink s;
    open_sink(&s);
    ct_progress *p = ct_progress(.desc = "epoch 1", .total = 938, .file = s.f, .tty = 1, .ncols = 80,
                                 .clock = fake_clock);
    char buf[512];
    ct_progress_format(p, buf, sizeof buf);
    cr_assert_str_eq(buf, "epoch 1:   0%|                                          | 0/938 [00:00<?, ?it/s]");
    fake_now += 5.0;
    ct_progress_update(p, 422);
    ct_progress_set_postfix(p, "loss=%.4f, acc=%.1f%%", 0.41234, 87.5);
    ct_progress_format(p, buf, sizeof buf);
    /* 80 columns: "epoch 1:  45%|" (14) + bar (8) + the right part (58) */
    cr_assert_str_eq(buf, "epoch 1:  45%|███▌    | 422/938 [00:05<00:06, 84.40it/s, loss=0.4123, acc=87.5%]");
    ct_progress_close(p);
    close_sink(&s);
}

Test(progress, ascii_slow_rate_no_desc_hours) {
    sink s;
    open_sink(&s);
    ct_progress *p = ct_progress(.total = 10, .tty = 1, .ncols = 50, .ascii = true, .clock = fake_clock, .file = s.f);
    fake_now += 3 * 3600 + 2 * 60 + 7.9;
    ct_progress_update(p, 3);
    char buf[256];
    ct_progress_format(p, buf, sizeof buf);
    /* rate 3/10927.9 -> 3642.63s/it; remaining 7 * 3642.63 = 25498.4 s = 7:04:58 */
    cr_assert_str_eq(buf, " 30%|##4     | 3/10 [3:02:07<7:04:58, 3642.63s/it]");
    ct_progress_set_description(p, "d");
    ct_progress_update(p, 7);
    ct_progress_format(p, buf, sizeof buf);
    cr_assert_str_eq(buf, "d: 100%|######| 10/10 [3:02:07<00:00, 1092.79s/it]");
    ct_progress_close(p);
    close_sink(&s);
}

Test(progress, unknown_total) {
    ct_progress *p = ct_progress(.desc = "batches", .tty = -1, .clock = fake_clock, .file = NULL, .disable = true);
    fake_now += 2;
    ct_progress_update(p, 50); /* disabled: n stays 0 */
    char buf[256];
    ct_progress_format(p, buf, sizeof buf);
    cr_assert_str_eq(buf, "batches: 0it [00:02, ?it/s]");
    ct_progress_close(p);
    sink s;
    open_sink(&s);
    p = ct_progress(.desc = "batches", .tty = -1, .clock = fake_clock, .file = s.f, .unit = "img");
    fake_now += 2;
    ct_progress_update(p, 50);
    ct_progress_set_postfix(p, "loss=%.2f", 1.5);
    ct_progress_format(p, buf, sizeof buf);
    cr_assert_str_eq(buf, "batches: 50img [00:02, 25.00img/s, loss=1.50]");
    ct_progress_close(p);
    cr_assert_str_eq(text(&s), "batches: 0img [00:00, ?img/s]\nbatches: 50img [00:02, 25.00img/s, loss=1.50]\n");
    close_sink(&s);
}

/* Terminal: \r redraws, throttled to min_interval, blanking a shorter line. */
Test(progress, terminal_redraws_in_place) {
    sink s;
    open_sink(&s);
    ct_progress *p = ct_progress(.total = 4, .file = s.f, .tty = 1, .ncols = 40, .clock = fake_clock, .ascii = true);
    fake_now += 0.05;
    ct_progress_update(p, 1); /* too soon: no redraw */
    fake_now += 0.5;
    ct_progress_update(p, 1);
    ct_progress_set_postfix(p, "a=1");
    fake_now += 0.45;
    ct_progress_update(p, 2); /* n == total: drawn */
    ct_progress_set_postfix(p, "%s", "");
    ct_progress_close(p);
    /* lines fill the 40 columns (the bar is at least 1 wide) */
    cr_assert_str_eq(text(&s), "\r  0%|             | 0/4 [00:00<?, ?it/s]"
                               "\r 50%|##5  | 2/4 [00:00<00:00,  3.64it/s]"
                               "\r100%|#| 4/4 [00:01<00:00,  4.00it/s, a=1]"
                               "\r100%|#####| 4/4 [00:01<00:00,  4.00it/s] \n"); /* the a=1 line took 41 columns */
    /* a shorter line blanks the rest of the previous one */
    sink s2;
    open_sink(&s2);
    p = ct_progress(.desc = "long description", .file = s2.f, .tty = 1, .ncols = 60, .clock = fake_clock);
    ct_progress_set_description(p, "x");
    ct_progress_set_postfix(p, "k=v");
    ct_progress_close(p);
    cr_assert_str_eq(text(&s2), "\rlong description: 0it [00:00, ?it/s]"
                                "\rx: 0it [00:00, ?it/s, k=v]          \n");
    close_sink(&s2);
    close_sink(&s);
}

/* Plain output: a line each 25% (plain_percent) or every 10 s, and at close. */
Test(progress, plain_lines) {
    sink s;
    open_sink(&s);
    ct_progress *p = ct_progress(.desc = "e", .total = 8, .file = s.f, .tty = -1, .clock = fake_clock,
                                 .plain_percent = 25);
    for (int i = 0; i < 8; i++) {
        fake_now += 1;
        ct_progress_update(p, 1);
    }
    ct_progress_close(p);
    cr_assert_str_eq(text(&s), "e:   0%|          | 0/8 [00:00<?, ?it/s]\n"
                               "e:  25%|##5       | 2/8 [00:02<00:06,  1.00it/s]\n"
                               "e:  50%|#####     | 4/8 [00:04<00:04,  1.00it/s]\n"
                               "e:  75%|#######5  | 6/8 [00:06<00:02,  1.00it/s]\n"
                               "e: 100%|##########| 8/8 [00:08<00:00,  1.00it/s]\n");
    close_sink(&s);
    open_sink(&s);
    p = ct_progress(.total = 1000, .file = s.f, .tty = -1, .clock = fake_clock, .plain_seconds = 10);
    fake_now += 11;
    ct_progress_update(p, 1);
    fake_now += 1;
    ct_progress_update(p, 1);
    ct_progress_close(p);
    cr_assert_str_eq(text(&s), "  0%|          | 0/1000 [00:00<?, ?it/s]\n"
                               "  0%|          | 1/1000 [00:11<3:03:09, 11.00s/it]\n"
                               "  0%|          | 2/1000 [00:12<1:39:48,  6.00s/it]\n");
    close_sink(&s);
}

Test(progress, off_switches) {
    sink s;
    open_sink(&s);
    ct_progress_set_enabled(false);
    ct_progress *p = ct_progress(.total = 3, .file = s.f, .tty = -1, .clock = fake_clock);
    ct_progress_update(p, 3);
    ct_progress_close(p);
    ct_progress_set_enabled(true);
    setenv("CTORCH_PROGRESS", "0", 1);
    cr_assert_not(ct_progress_enabled());
    p = ct_progress(.total = 3, .file = s.f, .tty = 1, .clock = fake_clock);
    ct_progress_update(p, 3);
    ct_progress_close(p);
    unsetenv("CTORCH_PROGRESS");
    cr_assert_str_eq(text(&s) ? text(&s) : "", "");
    close_sink(&s);
    /* NULL bars are ignored */
    ct_progress_update(NULL, 1);
    ct_progress_set_postfix(NULL, "x");
    ct_progress_close(NULL);
}
