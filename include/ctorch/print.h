/* ctorch/print.h — tensors printed exactly as PyTorch 1.13.1 prints them
 * (torch/_tensor_str.py): the same digits, widths, wrapping, summarization
 * and suffixes (docs/printing.md).
 *
 *     ct_tensor *x = ct_arange_f(0, 3, 1, NULL);
 *     ct_print(x);                  // tensor([0., 1., 2.])
 *
 * Every dtype, any shape (0-dim, empty, non-contiguous views, stride-0
 * expansions) prints as repr(t) does in Python. Above `threshold` elements
 * only `edgeitems` items at each edge of every dimension are read, so a huge
 * tensor prints as fast as a small one. */
#ifndef CTORCH_PRINT_H
#define CTORCH_PRINT_H

#include <stdio.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* sci_mode: PyTorch's None / True / False. */
typedef enum ct_sci_mode { CT_SCI_AUTO = 0, CT_SCI_ON = 1, CT_SCI_OFF = 2 } ct_sci_mode;

/* torch.set_printoptions' keywords. Unlike most ctorch options structs a
 * zero field is NOT the default (0 is a legal precision/threshold/...):
 * start from ct_get_printoptions() and change what you need. */
typedef struct ct_printoptions {
    int precision;        /* digits after the point; default 4 */
    int64_t threshold;    /* summarize above this many elements; default 1000;
                             INT64_MAX (profile "full") = never (Python's inf) */
    int edgeitems;        /* items shown at each edge when summarizing; default 3 */
    int linewidth;        /* characters per line; default 80 */
    ct_sci_mode sci_mode; /* default CT_SCI_AUTO */
} ct_printoptions;

/* The options in force. They are process-wide (PyTorch's PRINT_OPTS is a
 * global too), guarded by a mutex; each print reads them once. */
ct_printoptions ct_get_printoptions(void);
/* torch.set_printoptions(precision=, threshold=, edgeitems=, linewidth=,
 * sci_mode=): sets all fields from o (o is only read). Errors (CT_ERROR,
 * nothing changed): o NULL; a negative precision, threshold, edgeitems or
 * linewidth ("set_printoptions: precision must be non-negative, but got
 * -1"); sci_mode not one of the three enum values. */
CT_NODISCARD int ct_set_printoptions(const ct_printoptions *o);
/* torch.set_printoptions(profile=...): "default" (4, 1000, 3, 80),
 * "short" (2, 1000, 2, 80) or "full" (4, never summarize, 3, 80); like
 * Python it also resets sci_mode to CT_SCI_AUTO. An unknown name or NULL
 * is an error (Python silently ignores unknown names). */
CT_NODISCARD int ct_set_printoptions_profile(const char *profile);

/* repr(t) / str(t): a malloc'd NUL-terminated string the caller free()s
 * (no trailing newline). t is borrowed. NULL t -> NULL without touching
 * the last error; out of memory -> NULL with the error set; with
 * edgeitems == 0 and a summarized tensor of 2 or more dimensions, NULL with
 * PyTorch's "stack expects a non-empty TensorList". */
char *ct_to_string(const ct_tensor *t);
/* print(t): the repr and a newline to stdout / to f. CT_OK, or CT_ERROR
 * (NULL t without a new message; NULL f; a failed write). */
CT_NODISCARD int ct_print(const ct_tensor *t);
CT_NODISCARD int ct_fprint(FILE *f, const ct_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
