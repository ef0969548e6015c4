/* Mapping a file read-only, and the byte helpers the readers share. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io_impl.h"

int ct__io_map(const char *path, ct_io_buf *b) {
    memset(b, 0, sizeof *b);
    if (!path) return CT_ERROR;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        ct__error("[Errno %d] %s: '%s'", e, strerror(e), path);
        return CT_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
        ct__error("[Errno %d] %s: '%s'", e, strerror(e), path);
        close(fd);
        return CT_ERROR;
    }
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            ct__error("[Errno %d] %s: '%s'", e, strerror(e), path);
            close(fd);
            return CT_ERROR;
        }
        b->map = m;
        b->map_len = (size_t)st.st_size;
        b->mapped = true;
        b->p = m;
        b->n = (size_t)st.st_size;
    }
    close(fd);
    return CT_OK;
}

void ct__io_unmap(ct_io_buf *b) {
    if (b && b->mapped && b->map) munmap(b->map, b->map_len);
    if (b) memset(b, 0, sizeof *b);
}

void ct__byteswap(void *data, size_t numel, size_t itemsize) {
    uint8_t *p = data;
    if (itemsize < 2) return;
    for (size_t i = 0; i < numel; i++, p += itemsize)
        for (size_t a = 0, z = itemsize - 1; a < z; a++, z--) {
            uint8_t t = p[a];
            p[a] = p[z];
            p[z] = t;
        }
}

ct_dtype ct__dtype_from_storage_name(const char *name, size_t n) {
    static const struct {
        const char *name;
        ct_dtype d;
    } tab[] = {
        {"FloatStorage", CT_FLOAT32}, {"DoubleStorage", CT_FLOAT64}, {"HalfStorage", CT_FLOAT16},
        {"BFloat16Storage", CT_BFLOAT16}, {"LongStorage", CT_INT64}, {"IntStorage", CT_INT32},
        {"ShortStorage", CT_INT16}, {"CharStorage", CT_INT8}, {"ByteStorage", CT_UINT8},
        {"BoolStorage", CT_BOOL}, {"float32", CT_FLOAT32}, {"float", CT_FLOAT32},
        {"float64", CT_FLOAT64}, {"double", CT_FLOAT64}, {"float16", CT_FLOAT16}, {"half", CT_FLOAT16},
        {"bfloat16", CT_BFLOAT16}, {"int64", CT_INT64}, {"long", CT_INT64}, {"int32", CT_INT32},
        {"int", CT_INT32}, {"int16", CT_INT16}, {"short", CT_INT16}, {"int8", CT_INT8},
        {"uint8", CT_UINT8}, {"bool", CT_BOOL},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strlen(tab[i].name) == n && !memcmp(tab[i].name, name, n)) return tab[i].d;
    return CT_DTYPE_DEFAULT;
}

ct_file_format ct_file_format_of(const char *path) {
    ct_io_buf b;
    if (ct__io_map(path, &b) != CT_OK) return CT_FORMAT_UNKNOWN;
    ct_file_format f = CT_FORMAT_UNKNOWN;
    if (b.n >= 4 && !memcmp(b.p, "PK\3\4", 4))
        f = CT_FORMAT_PT_ZIP;
    else if (ct__is_legacy(&b))
        f = CT_FORMAT_PT_LEGACY;
    else if (b.n >= 9 && ct__rd64(b.p) <= b.n - 8 && b.p[8] == '{')
        f = CT_FORMAT_SAFETENSORS;
    ct__io_unmap(&b);
    return f;
}
