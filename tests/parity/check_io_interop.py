#!/usr/bin/python3
"""PyTorch / safetensors interop of ctorch's file readers and writers, run by
CTest (tests/io/CMakeLists.txt):

    /usr/bin/python3 check_io_interop.py pt|safetensors WRITER CTORCH DIR

WRITER is tests/io/interop_write.c (writes .pt / .safetensors files with
ctorch and a manifest of what ctorch holds), CTORCH the `ctorch` CLI, DIR a
scratch directory. Exit 77 (CTest's SKIP_RETURN_CODE) when torch (mode pt)
or torch + the reference `safetensors` package (mode safetensors) cannot be
imported.

pt:
  1. files ctorch writes load with torch.load(path, weights_only=True) with
     the same names (order too), dtypes, shapes, strides, storage offsets,
     storage sharing, requires_grad and value bits; the Sequential+BatchNorm
     state_dict loads into the same nn.Sequential (strict);
  2. files PyTorch 1.13.1 writes (zip and legacy format: Sequential with
     BatchNorm, every dtype, views, 0-dim, empty, non-contiguous, an
     optimizer checkpoint, a Parameter, one tensor, 2500 entries) go through
     `ctorch convert X.pt Y.pt` and Y loads in PyTorch identical to X (names,
     geometry, sharing, bits; optimizer scalars dropped as docs/io.md says).
safetensors:
  1. files ctorch writes load with safetensors.torch.load_file (+ metadata
     through safe_open) with the same names, dtypes, shapes and bits;
  2. files the package writes (save_file with metadata) go through
     `ctorch convert` to .pt (torch.load) and to .safetensors (load_file)
     unchanged, metadata kept; .pt files PyTorch writes convert to
     safetensors that load_file reads with the same values.
Prints one line per check and 'N passed, 0 failed'; raises on a mismatch."""
import collections, os, shutil, subprocess, sys

try:
    import torch
except Exception as e:  # no torch: skipped, not failed
    print('SKIP: /usr/bin/python3 cannot import torch (%s)' % e)
    sys.exit(77)

DT = {'bool': torch.bool, 'uint8': torch.uint8, 'int8': torch.int8, 'int16': torch.int16, 'int32': torch.int32,
      'int64': torch.int64, 'float16': torch.float16, 'bfloat16': torch.bfloat16, 'float32': torch.float32,
      'float64': torch.float64}
passed = 0


def ok(what):
    global passed
    passed += 1
    print('ok', what)


def bits(t):
    """element bit patterns in C order, as ints (bool: 0/1)"""
    t = t.detach().contiguous()
    if t.dtype == torch.bool:
        return [int(v) for v in t.reshape(-1).tolist()]
    n = t.element_size()
    view = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[n]
    raw = t.reshape(-1).view(view).tolist() if t.numel() else []
    return [v & ((1 << (8 * n)) - 1) for v in raw]


def read_manifest(path):
    files, cur = collections.OrderedDict(), None
    for line in open(path):
        w = line.split()
        if w[0] == 'file':
            cur = files[w[1]] = {'tensors': collections.OrderedDict(), 'n': int(w[2]), 'meta': {}}
        elif w[0] == 't':
            name = '' if w[1] == '-' else bytes.fromhex(w[1]).decode()
            nd = int(w[3])
            rest = [int(x) for x in w[4:4 + 2 * nd + 4]]
            e = {'dtype': DT[w[2]], 'shape': rest[:nd], 'stride': rest[nd:2 * nd], 'offset': rest[2 * nd],
                 'group': rest[2 * nd + 1], 'rg': bool(rest[2 * nd + 2]), 'numel': rest[2 * nd + 3],
                 'bits': [int(x, 16) for x in w[4 + 2 * nd + 4:]]}
            assert len(e['bits']) == e['numel'], (name, len(e['bits']), e['numel'])
            cur['tensors'][name] = e
        elif w[0] == 'meta':
            cur['meta'][bytes.fromhex(w[1]).decode()] = bytes.fromhex(w[2]).decode() if len(w) > 2 else ''
    return files


def groups_of(d):
    """sharing groups as PyTorch sees them (an empty tensor shares with nothing)"""
    out, seen = {}, {}
    for k, t in d.items():
        key = ('empty', k) if t.numel() == 0 else t.storage().data_ptr()
        out[k] = seen.setdefault(key, len(seen))
    return out


def same_partition(a, b, keys):
    for i, x in enumerate(keys):
        for y in keys[:i]:
            assert (a[x] == a[y]) == (b[x] == b[y]), ('sharing differs', x, y)


def flatten(obj, prefix='', out=None):
    out = collections.OrderedDict() if out is None else out
    if isinstance(obj, torch.Tensor):
        out[prefix] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, '%s.%s' % (prefix, k) if prefix else str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(v, '%s.%d' % (prefix, i) if prefix else str(i), out)
    return out


def check_against_manifest(fname, got, want, geometry):
    wt = want['tensors']
    assert len(wt) == want['n']
    if geometry:
        assert list(got) == list(wt), (fname, list(got)[:5], list(wt)[:5])
    else:
        assert set(got) == set(wt), (fname, set(got) ^ set(wt))
    for k, e in wt.items():
        t = got[k]
        assert t.dtype == e['dtype'], (fname, k, t.dtype, e['dtype'])
        assert list(t.shape) == e['shape'], (fname, k, t.shape, e['shape'])
        assert bits(t) == e['bits'], (fname, k, 'values differ')
        if geometry:
            assert list(t.stride()) == e['stride'], (fname, k, t.stride(), e['stride'])
            assert t.storage_offset() == e['offset'], (fname, k, t.storage_offset(), e['offset'])
            assert t.requires_grad == e['rg'], (fname, k, 'requires_grad')
    if geometry:
        g = groups_of(got)
        same_partition(g, {k: e['group'] for k, e in wt.items()}, list(wt))


def compare_loaded(name, got, want, geometry=True, order=True):
    """got / want: flattened name -> tensor maps (PyTorch objects)"""
    if order:
        assert list(got) == list(want), (name, list(got)[:6], list(want)[:6])
    assert set(got) == set(want), (name, set(got) ^ set(want))
    for k, w in want.items():
        g = got[k]
        assert g.dtype == w.dtype and g.shape == w.shape, (name, k, g.dtype, w.dtype, g.shape, w.shape)
        assert bits(g) == bits(w), (name, k, 'values differ')
        if geometry:
            assert g.stride() == w.stride() and g.storage_offset() == w.storage_offset(), (name, k, 'geometry')
            assert g.requires_grad == w.requires_grad, (name, k, 'requires_grad')
    if geometry:
        same_partition(groups_of(got), groups_of(want), list(want))


def run(*cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if r.returncode != 0:
        raise SystemExit('FAILED: %s\n%s' % (' '.join(cmd), r.stdout))
    return r.stdout


def every_dtype():
    d = collections.OrderedDict()
    d['bool'] = torch.tensor([True, False, True])
    d['uint8'] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    d['int8'] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    d['int16'] = torch.tensor([-32768, 7, 32767], dtype=torch.int16)
    d['int32'] = torch.tensor([-2**31, 5, 2**31 - 1], dtype=torch.int32)
    d['int64'] = torch.tensor([-2**63, 2**53 + 1, 2**63 - 1], dtype=torch.int64)
    d['float16'] = torch.tensor([1.5, -0.0, float('inf'), 65504.0, float('nan')], dtype=torch.float16)
    d['bfloat16'] = torch.tensor([1.5, -2.25, float('-inf'), 3e38], dtype=torch.bfloat16)
    d['float32'] = torch.tensor([[0.1, float('nan')], [-1e-45, 3.4e38]], dtype=torch.float32)
    d['float64'] = torch.tensor([0.1, -1e-308, 5e-324, -float('nan')], dtype=torch.float64)
    d['scalar'] = torch.tensor(7, dtype=torch.int64)
    d['scalar_f'] = torch.tensor(-2.5)
    d['empty'] = torch.zeros(0, 3)
    d['empty_view'] = torch.arange(5.)[2:2]
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    d['base'] = base
    d['transposed'] = base.t()
    d['slice'] = base[1:3, 2:5]
    d['row'] = base[2]
    d['strided'] = base[:, ::2]
    d['corner'] = base.as_strided((2, 2), (12, 5), 1)
    d['expanded'] = torch.tensor([1.0, 2.0]).expand(3, 2)
    d['onlyslice'] = torch.arange(10, dtype=torch.int32)[3:7]
    d['permuted'] = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4).permute(2, 0, 1)
    d['caf\u00e9 "q"'] = torch.ones(1, dtype=torch.int16)
    return d


def python_pt_files(tmp):
    """objects PyTorch 1.13.1 saves, {file: (object, legacy)}"""
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    seq(torch.randn(5, 4))
    conv = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                               torch.nn.Conv2d(4, 2, 1, bias=False))
    conv(torch.randn(2, 1, 6, 6))
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    adam = torch.optim.Adam(net.parameters(), lr=0.01)
    sgd_net = torch.nn.Linear(2, 2)
    sgd = torch.optim.SGD(sgd_net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        for o, m, x in ((adam, net, torch.randn(4, 3)), (sgd, sgd_net, torch.randn(4, 2))):
            o.zero_grad()
            m(x).pow(2).sum().backward()
            o.step()
    many = collections.OrderedDict(('p%d' % i, torch.full((2,), float(i))) for i in range(2500))
    return collections.OrderedDict([
        ('py_seq_bn.pt', (seq.state_dict(), False)),
        ('py_conv_bn.pt', (conv.state_dict(), False)),
        ('py_dtypes.pt', (every_dtype(), False)),
        ('py_dtypes_legacy.pt', (every_dtype(), True)),
        ('py_seq_bn_legacy.pt', (seq.state_dict(), True)),
        ('py_checkpoint.pt', ({'model': net.state_dict(), 'optimizer': adam.state_dict(), 'epoch': 3}, False)),
        ('py_sgd.pt', ({'model': sgd_net.state_dict(), 'optimizer': sgd.state_dict()}, False)),
        ('py_param.pt', ({'w': torch.nn.Parameter(torch.tensor([1.0, 2.0])), 'b': torch.tensor([3.0])}, False)),
        ('py_tensor.pt', (torch.arange(6, dtype=torch.float64).reshape(2, 3).t(), False)),
        ('py_many.pt', (many, False)),
    ])


def mode_pt(writer, ctorch, tmp):
    # 1. ctorch writes, PyTorch reads
    run(writer, tmp)
    man = read_manifest(os.path.join(tmp, 'manifest.txt'))
    for fname, want in man.items():
        if not fname.endswith('.pt'):
            continue
        obj = torch.load(os.path.join(tmp, fname), weights_only=True)
        if fname == 'c_tensor.pt':
            assert isinstance(obj, torch.Tensor), type(obj)
            got = collections.OrderedDict([('', obj)])
        else:
            assert type(obj) is collections.OrderedDict, type(obj)
            got = obj
        check_against_manifest(fname, got, want, geometry=True)
        ok('torch.load(%s, weights_only=True) == what ctorch wrote (%d tensors)' % (fname, len(got)))
    seq = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    seq.load_state_dict(torch.load(os.path.join(tmp, 'c_seq_bn.pt'), weights_only=True), strict=True)
    assert seq[1].num_batches_tracked.item() == 1
    ok('c_seq_bn.pt loads into nn.Sequential(Linear, BatchNorm1d, ReLU, Linear) (strict)')

    # 2. PyTorch writes, ctorch reads and writes again, PyTorch reads
    for fname, (obj, legacy) in python_pt_files(tmp).items():
        src = os.path.join(tmp, fname)
        if legacy:
            torch.save(obj, src, _use_new_zipfile_serialization=False)
        else:
            torch.save(obj, src)
        out = os.path.join(tmp, 'rt_' + fname)
        run(ctorch, 'convert', src, out)
        want = flatten(torch.load(src))
        got = flatten(torch.load(out, weights_only=True))
        compare_loaded(fname, got, want)
        if fname in ('py_checkpoint.pt', 'py_sgd.pt'):
            # tensors kept exactly, scalars (lr, betas, param_groups, epoch) dropped
            assert not any('param_groups' in k or k == 'epoch' for k in got), list(got)
            assert any(k.startswith('optimizer.state.0.') for k in got), list(got)
        ok('%s (%s) -> ctorch convert -> .pt == PyTorch\'s (%d tensors)' % (
            fname, 'legacy' if legacy else 'zip', len(want)))
        listing = run(ctorch, 'inspect', src)
        assert ('%d tensors' % len(want)) in listing.splitlines()[-1], listing.splitlines()[-1]
    ok('ctorch inspect counts the tensors of every file PyTorch wrote')


def mode_safetensors(writer, ctorch, tmp):
    try:
        import safetensors
        from safetensors.torch import load_file, save_file
        from safetensors import safe_open
    except Exception as e:
        print('SKIP: the safetensors package cannot be imported (%s)' % e)
        sys.exit(77)
    print('safetensors', getattr(safetensors, '__version__', '?'))
    # 1. ctorch writes, the reference package reads
    run(writer, tmp)
    man = read_manifest(os.path.join(tmp, 'manifest.txt'))
    for fname, want in man.items():
        if not fname.endswith('.safetensors'):
            continue
        path = os.path.join(tmp, fname)
        got = load_file(path)
        check_against_manifest(fname, got, want, geometry=False)
        with safe_open(path, framework='pt') as f:
            meta = f.metadata() or {}
            keys = list(f.keys())
        assert meta == want['meta'], (fname, meta, want['meta'])
        assert sorted(keys) == sorted(want['tensors']), fname
        ok('safetensors.load_file(%s) == what ctorch wrote (%d tensors, %d metadata)' % (fname, len(got), len(meta)))

    # 2. the package writes, ctorch reads (and writes .pt and .safetensors)
    d = every_dtype()
    tensors = {k: v.contiguous() for k, v in d.items() if k not in ('transposed', 'slice', 'row', 'strided', 'corner',
                                                                    'expanded', 'onlyslice', 'permuted', 'empty_view')}
    torch.manual_seed(0)
    tensors['model.0.weight'] = torch.randn(3, 4)
    tensors['model.0.bias'] = torch.randn(3).double()
    meta = {'format': 'pt', 'note': 'caf\u00e9 "q"\n\\', 'empty': ''}
    sets = [('ref_dtypes.safetensors', tensors, meta), ('ref_nometa.safetensors', {'x': torch.ones(2, 2)}, None),
            ('ref_empty.safetensors', {}, None)]
    for fname, t, m in sets:
        src = os.path.join(tmp, fname)
        save_file(t, src, metadata=m)
        want = load_file(src)
        pt = os.path.join(tmp, 'rt_' + fname + '.pt')
        run(ctorch, 'convert', src, pt)
        got = flatten(torch.load(pt, weights_only=True))
        compare_loaded(fname + ' -> .pt', got, want, geometry=False, order=False)
        st = os.path.join(tmp, 'rt_' + fname)
        run(ctorch, 'convert', src, st)
        compare_loaded(fname + ' -> .safetensors', load_file(st), want, geometry=False, order=False)
        with safe_open(st, framework='pt') as f:
            assert (f.metadata() or {}) == (m or {}), (fname, f.metadata(), m)
        ok('safetensors.save_file -> %s -> ctorch convert -> .pt and .safetensors: same tensors%s' % (
            fname, ', same metadata' if m else ''))

    # 3. PyTorch .pt -> ctorch -> safetensors -> the package
    for fname, (obj, legacy) in python_pt_files(tmp).items():
        if fname == 'py_tensor.pt':
            continue  # a name "" is not a valid safetensors entry for the package's users, skip
        src = os.path.join(tmp, fname)
        torch.save(obj, src, _use_new_zipfile_serialization=not legacy)
        out = os.path.join(tmp, 'rt_' + fname + '.safetensors')
        run(ctorch, 'convert', src, out)
        want = flatten(torch.load(src))
        compare_loaded(fname + ' -> .safetensors', load_file(out), want, geometry=False, order=False)
        ok('%s -> ctorch convert -> safetensors.load_file: same tensors (%d)' % (fname, len(want)))


def main():
    mode, writer, ctorch, tmp = sys.argv[1:5]
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    {'pt': mode_pt, 'safetensors': mode_safetensors}[mode](writer, ctorch, tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, 0 failed' % passed)


if __name__ == '__main__':
    main()
