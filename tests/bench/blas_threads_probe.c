/* Helper process for test_fast_paths (openblas_workers_stop): a plain
 * process (no Criterion fork), started with OPENBLAS_NUM_THREADS=2 so that
 * OpenBLAS starts one worker thread when it is loaded. Prints the number of
 * the process's threads before and after one product that goes to OpenBLAS,
 * with ctorch at one thread: "2 1" when ctorch stopped the worker. */
#include <ctorch.h>
#include <dirent.h>
#include <stdio.h>

static int process_threads(void) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int main(void) {
    if (ct_set_num_threads(1) != CT_OK) return 1;
    int before = process_threads();
    ct_tensor *a = ct_randn(CT_SIZE(64, 64), NULL), *c = ct_mm(a, a);
    if (!c) return 1;
    printf("%d %d\n", before, process_threads());
    ct_free(a);
    ct_free(c);
    return 0;
}
