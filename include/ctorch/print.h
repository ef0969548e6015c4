/* ctorch/print.h — tensors printed exactly as PyTorch 1.13.1 prints them
 * (torch/_tensor_str.py): the same digits, widths, wrapping, summarization
 * and suffixes. */
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

typedef struct ct_printoptions {
    int precision;      /* digits after the point; default 4 */
    int64_t threshold;  /* summarize above this many elements; default 1000 */
    int edgeitems;      /* items shown at each edge when summarizing; default 3 */
    int linewidth;      /* characters per line; default 80 */
    ct_sci_mode sci_mode;
} ct_printoptions;

/* The options in force (process-wide). */
ct_printoptions ct_get_printoptions(void);
/* torch.set_printoptions: set all fields from o (read the current ones with
 * ct_get_printoptions and change what you need). Negative precision,
 * threshold, edgeitems or linewidth are refused. */
CT_NODISCARD int ct_set_printoptions(const ct_printoptions *o);
/* torch.set_printoptions(profile=...): "default", "short" or "full". */
CT_NODISCARD int ct_set_printoptions_profile(const char *profile);

/* repr(t) / str(t): a malloc'd NUL-terminated string the caller free()s,
 * or NULL on error. */
char *ct_to_string(const ct_tensor *t);
/* print(t): the repr and a newline to stdout / to f. */
CT_NODISCARD int ct_print(const ct_tensor *t);
CT_NODISCARD int ct_fprint(FILE *f, const ct_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
