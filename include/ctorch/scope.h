/* ctorch/scope.h — scopes: release a loop's temporaries in one call.
 *
 *     for (int step = 0; step < n; step++) {
 *         ct_scope_begin();
 *         ct_tensor *y = ct_relu(ct_add(x, b));   // both results tracked
 *         ...
 *         keep = ct_scope_keep(y);                 // y survives the scope
 *         ct_scope_end();                          // drops the rest
 *     }
 *
 * Every tensor reference returned by ctorch while a scope is open on this
 * thread is tracked by the innermost scope; ct_scope_end() drops all the
 * references it still tracks. ct_free() on a tracked reference removes it
 * from the scope, so freeing by hand stays correct. Scopes nest and are
 * per thread. */
#ifndef CTORCH_SCOPE_H
#define CTORCH_SCOPE_H

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Open a scope. Returns its depth (>= 1), or -1 when out of memory. */
CT_NODISCARD int ct_scope_begin(void);
/* Close the innermost scope, dropping what it tracks. Returns -1 with
 * "ct_scope_end called without a matching ct_scope_begin" if none is open. */
CT_NODISCARD int ct_scope_end(void);
/* Move one tracked reference of t from the innermost scope to the enclosing
 * one (or to the caller when it is the outermost). Returns t; NULL passes
 * through. A reference the scope does not track is left as it is. */
ct_tensor *ct_scope_keep(ct_tensor *t);
/* Current nesting depth on this thread (0 = no scope). */
int ct_scope_depth(void);

#ifdef __cplusplus
}
#endif
#endif
