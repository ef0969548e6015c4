#!/usr/bin/python3
"""Check files written by ctorch against PyTorch 1.13.1 (run by hand):

    /usr/bin/python3 tests/parity/check_io_roundtrip.py OUT REF

OUT is a file the C writer produced (e.g. `ctorch convert REF OUT`), REF the
original. A .pt OUT must load with torch.load(OUT, weights_only=True) and give
the same names, dtypes, shapes, strides, values and storage sharing as REF;
a .safetensors OUT is parsed from the format's README (the `safetensors`
package is not installed here) and must give the same names, dtypes, shapes
and values (strides are C order there). Prints OK or raises."""
import json, struct, sys
import torch

DT = {'BOOL': torch.bool, 'U8': torch.uint8, 'I8': torch.int8, 'I16': torch.int16, 'I32': torch.int32,
      'I64': torch.int64, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F32': torch.float32, 'F64': torch.float64}


def flatten(obj, prefix, out):
    if isinstance(obj, torch.Tensor):
        out[prefix] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, '%s.%s' % (prefix, k) if prefix else str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(v, '%s.%d' % (prefix, i) if prefix else str(i), out)
    return out


def load_st(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    assert n % 8 == 0, 'header not padded to 8'
    h = json.loads(raw[8:8 + n])
    meta = h.pop('__metadata__', None)
    out = {}
    for k, e in h.items():
        b, end = e['data_offsets']
        buf = bytearray(raw[8 + n + b:8 + n + end])
        t = torch.frombuffer(buf, dtype=DT[e['dtype']]) if buf else torch.empty(0, dtype=DT[e['dtype']])
        out[k] = t.reshape(e['shape'])
    return out, meta


def load(path, weights_only):
    if path.endswith('.safetensors'):
        return load_st(path)[0]
    return flatten(torch.load(path, weights_only=True) if weights_only else torch.load(path), '', {})


def same(a, b):
    if a.dtype.is_floating_point:
        return torch.equal(a.view(torch.int16 if a.element_size() == 2 else torch.int32 if a.element_size() == 4 else torch.int64),
                           b.view(torch.int16 if b.element_size() == 2 else torch.int32 if b.element_size() == 4 else torch.int64)) if a.numel() else True
    return torch.equal(a, b)


def main(out, ref):
    got, want = load(out, True), load(ref, False)
    assert list(got) == list(want) or out.endswith('.safetensors'), (list(got), list(want))
    assert set(got) == set(want), set(got) ^ set(want)
    geometry = not out.endswith('.safetensors') and not ref.endswith('.safetensors')
    for k in want:
        g, w = got[k], want[k]
        assert g.dtype == w.dtype and g.shape == w.shape, (k, g.dtype, w.dtype, g.shape, w.shape)
        assert same(g.contiguous(), w.contiguous()), k
        if geometry:
            assert g.stride() == w.stride() and g.storage_offset() == w.storage_offset(), k
    if geometry:
        keys = list(want)
        for i, a in enumerate(keys):
            for b in keys[:i]:
                def sh(d):
                    return d[a].numel() and d[b].numel() and d[a].storage().data_ptr() == d[b].storage().data_ptr()
                assert bool(sh(got)) == bool(sh(want)), ('sharing', a, b)
    print('OK', out, len(want), 'tensors')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
