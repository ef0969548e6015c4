/* Thread-local grad and inference modes. */
#include "ctorch/autograd.h"

static _Thread_local bool tl_grad_disabled;  /* zero-initialised: grad on */
static _Thread_local bool tl_inference;

bool ct_is_grad_enabled(void) { return !tl_grad_disabled; }
void ct_set_grad_enabled(bool enabled) { tl_grad_disabled = !enabled; }
bool ct_is_inference_mode_enabled(void) { return tl_inference; }

static ct_grad_mode current(void) { return (ct_grad_mode){.grad_enabled = !tl_grad_disabled, .inference = tl_inference}; }

ct_grad_mode ct_set_grad_enabled_begin(bool on) {
    ct_grad_mode saved = current();
    tl_grad_disabled = !on;
    return saved;
}

ct_grad_mode ct_no_grad_begin(void) { return ct_set_grad_enabled_begin(false); }
ct_grad_mode ct_enable_grad_begin(void) { return ct_set_grad_enabled_begin(true); }

ct_grad_mode ct_inference_mode_begin(bool mode) {
    ct_grad_mode saved = current();
    /* c10::InferenceMode(mode) also sets grad mode to !mode */
    tl_inference = mode;
    tl_grad_disabled = mode;
    return saved;
}

void ct_grad_mode_end(ct_grad_mode saved) {
    tl_grad_disabled = !saved.grad_enabled;
    tl_inference = saved.inference;
}
