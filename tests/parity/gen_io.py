#!/usr/bin/python3
"""Writes .pt / .safetensors files with PyTorch 1.13.1 into data/io/ and the
expected names / dtypes / shapes / strides / offsets / storage sharing /
value bits into data/io.txt (read by tests/io/test_io.c). Also writes the
crafted malformed files of data/io/bad/ with the error text each must give.

Run with /usr/bin/python3 (Debian's torch)."""
import collections, io, json, os, pickle, struct, zipfile
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'data', 'io')
BAD = os.path.join(OUT, 'bad')
os.makedirs(BAD, exist_ok=True)
lines = ['# written by gen_io.py with torch %s' % torch.__version__]

DT = {torch.bool: 'bool', torch.uint8: 'uint8', torch.int8: 'int8', torch.int16: 'int16',
      torch.int32: 'int32', torch.int64: 'int64', torch.float16: 'float16',
      torch.bfloat16: 'bfloat16', torch.float32: 'float32', torch.float64: 'float64'}


def bits(t):
    """hex bit patterns of the elements of t in C order"""
    t = t.contiguous()
    if t.dtype == torch.bool:
        return ['1' if v else '0' for v in t.reshape(-1).tolist()]
    n = t.element_size()
    view = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[n]
    raw = t.reshape(-1).view(view).tolist() if t.numel() else []
    return ['%x' % (v & ((1 << (8 * n)) - 1)) for v in raw]


def flatten(obj, prefix, out):
    if isinstance(obj, torch.Tensor):
        out.append((prefix, obj))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, '%s.%s' % (prefix, k) if prefix else str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(v, '%s.%d' % (prefix, i) if prefix else str(i), out)


def case(name, fname, loaded, fmt='pt'):
    items = []
    flatten(loaded, '', items)
    lines.append('case ' + name)
    lines.append('file$ ' + fname)
    lines.append('format$ ' + fmt)
    lines.append('n %d' % len(items))
    groups = {}
    for i, (k, t) in enumerate(items):
        key = t.untyped_storage().data_ptr() if hasattr(t, 'untyped_storage') else t.storage().data_ptr()
        if t.numel() == 0:
            key = ('empty', i)
        g = groups.setdefault(key, len(groups))
        lines.append('t%d_name$ %s' % (i, k))
        lines.append('t%d_dtype %s' % (i, DT[t.dtype]))
        lines.append('t%d_shape %s' % (i, ' '.join(map(str, t.shape))))
        lines.append('t%d_stride %s' % (i, ' '.join(map(str, t.stride()))))
        lines.append('t%d_offset %d' % (i, t.storage_offset()))
        lines.append('t%d_group %d' % (i, g))
        lines.append('t%d_rg %d' % (i, int(t.requires_grad)))
        lines.append('t%d_bits %s' % (i, ' '.join(bits(t.detach()))))
    lines.append('end')


def save_and_case(name, obj, legacy=False):
    fname = name + '.pt'
    path = os.path.join(OUT, fname)
    if legacy:
        torch.save(obj, path, _use_new_zipfile_serialization=False)
    else:
        torch.save(obj, path)
    case(name, fname, torch.load(path))


torch.manual_seed(0)
save_and_case('linear', torch.nn.Linear(3, 2).state_dict())

seq = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
seq(torch.randn(5, 4))
save_and_case('seq_bn', seq.state_dict())


def every_dtype():
    d = collections.OrderedDict()
    d['bool'] = torch.tensor([True, False, True])
    d['uint8'] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    d['int8'] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    d['int16'] = torch.tensor([-32768, 7, 32767], dtype=torch.int16)
    d['int32'] = torch.tensor([-2**31, 5, 2**31 - 1], dtype=torch.int32)
    d['int64'] = torch.tensor([-2**63, 2**53 + 1, 2**63 - 1], dtype=torch.int64)
    d['float16'] = torch.tensor([1.5, -0.0, float('inf'), 65504.0], dtype=torch.float16)
    d['bfloat16'] = torch.tensor([1.5, -2.25, float('-inf'), 3e38], dtype=torch.bfloat16)
    d['float32'] = torch.tensor([[0.1, float('nan')], [-1e-45, 3.4e38]], dtype=torch.float32)
    d['float64'] = torch.tensor([0.1, -1e-308, 5e-324], dtype=torch.float64)
    d['scalar'] = torch.tensor(7, dtype=torch.int64)
    d['scalar_f'] = torch.tensor(-2.5)
    d['empty'] = torch.zeros(0, 3)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    d['base'] = base
    d['transposed'] = base.t()
    d['slice'] = base[1:3, 2:5]
    d['row'] = base[2]
    d['strided'] = base[:, ::2]
    d['expanded'] = torch.tensor([1.0, 2.0]).expand(3, 2)
    d['onlyslice'] = torch.arange(10, dtype=torch.int32)[3:7]
    return d


save_and_case('dtypes', every_dtype())
save_and_case('legacy', every_dtype(), legacy=True)
lin = torch.nn.Linear(2, 2)
save_and_case('legacy_linear', lin.state_dict(), legacy=True)

# an optimizer checkpoint
torch.manual_seed(1)
net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for _ in range(2):
    opt.zero_grad()
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
save_and_case('checkpoint', {'model': net.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3,
                             'layers': [torch.ones(2), (torch.zeros(1, dtype=torch.int64),)]})

save_and_case('tensor', torch.arange(6, dtype=torch.float64).reshape(2, 3).t())
p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
save_and_case('param', {'p': p, 'plain': torch.tensor([3.0])})

# big-endian: the same records, data swapped per element, byteorder "big"
src = os.path.join(OUT, 'dtypes.pt')
dst_name = 'big_endian.pt'
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(os.path.join(OUT, dst_name), 'w') as zo:
    sizes = {}
    # element size per storage key, from the pickle's persistent ids
    import pickletools
    pending, last, memo = None, None, {}
    for op, arg, _ in pickletools.genops(zi.read('dtypes/data.pkl')):
        cur = None
        if op.name == 'GLOBAL' and arg.startswith('torch ') and arg.endswith('Storage'):
            cur = pending = getattr(torch, arg.split()[1])(0).element_size()
        elif op.name in ('BINPUT', 'LONG_BINPUT') and last is not None:
            memo[arg] = last
        elif op.name in ('BINGET', 'LONG_BINGET') and arg in memo:
            cur = pending = memo[arg]
        elif op.name == 'BINUNICODE' and pending is not None:
            sizes[arg] = pending
            pending = None
        last = cur
    for info in zi.infolist():
        data = zi.read(info.filename)
        rel = info.filename.split('/', 1)[1]
        if rel.startswith('data/'):
            n = sizes[rel[5:]]
            data = b''.join(data[i:i + n][::-1] for i in range(0, len(data), n))
        zo.writestr('big_endian/' + rel, data)
    zo.writestr('big_endian/byteorder', b'big')
case('big_endian', dst_name, every_dtype())

# safetensors written by hand from the format's README
def st_write(path, tensors, metadata=None):
    CODE = {torch.bool: 'BOOL', torch.uint8: 'U8', torch.int8: 'I8', torch.int16: 'I16', torch.int32: 'I32',
            torch.int64: 'I64', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float32: 'F32',
            torch.float64: 'F64'}
    order = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, blobs, at = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for k, t in order:
        b = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b''
        header[k] = {'dtype': CODE[t.dtype], 'shape': list(t.shape), 'data_offsets': [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
    return collections.OrderedDict(order)


d = every_dtype()
st = {k: v.contiguous() for k, v in d.items() if k not in ('base', 'transposed', 'slice', 'row', 'strided', 'expanded', 'onlyslice')}
st['a.b.weight'] = torch.randn(2, 3)
st_written = st_write(os.path.join(OUT, 'basic.safetensors'), st, {'format': 'pt', 'note': 'caf\u00e9 "q"'})
# the C reader returns tensors in data-offset order (the writer's order)
case('safetensors', 'basic.safetensors', st_written, 'safetensors')
lines.append('case safetensors_meta')
lines.append('format$ pt')
lines.append('key0$ format')
lines.append('val0$ pt')
lines.append('key1$ note')
lines.append('val1$ caf\u00e9 "q"')
lines.append('end')

# ---- malformed files: name, bytes, a piece of the expected error ----
bad = []
good = open(os.path.join(OUT, 'linear.pt'), 'rb').read()


def zip_with(prefix, records):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w') as z:
        for k, v in records:
            z.writestr(prefix + k, v)
    return b.getvalue()


def pt_with_pickle(pkl, extra=()):
    return zip_with('x/', [('data.pkl', pkl), ('version', b'3\n')] + list(extra))


bad.append(('empty.pt', b'', 'Ran out of input'))
bad.append(('text.pt', b'hello world', "invalid load key, 'h'."))
bad.append(('truncated.pt', good[:len(good) // 2], 'central directory'))
bad.append(('no_version.pt', zip_with('x/', [('data.pkl', pickle.dumps({}, protocol=2))]), 'version'))
bad.append(('no_prefix.pt', zip_with('', [('data.pkl', b'.'), ('version', b'3\n')]), 'not in a subdirectory'))
bad.append(('os_system.pt', pt_with_pickle(b'\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.'), 'Unsupported class os.system'))
bad.append(('builtins_eval.pt', pt_with_pickle(b'\x80\x02cbuiltins\neval\n.'), 'Unsupported class builtins.eval'))
bad.append(('opcode.pt', pt_with_pickle(b'\x80\x02\x94.'), 'unsupported pickle opcode'))
bad.append(('memo_missing.pt', pt_with_pickle(b'\x80\x02h\x05.'), 'Memo value not found'))
# a doubling list bomb: l = [l, l] nested through the memo
# a doubling tuple bomb through the memo: T(i+1) = (T(i), T(i)), 2^40 leaves
bomb = b'\x80\x02]q\x00h\x00\x86q\x01'
for i in range(1, 40):
    bomb += b'h' + bytes([i]) + b'\x86q' + bytes([i + 1])
bomb += b'.'
bad.append(('list_bomb.pt', pt_with_pickle(bomb), 'too deep or too large'))
cyc = b'\x80\x02}q\x00X\x01\x00\x00\x00xh\x00s.'
bad.append(('cyclic.pt', pt_with_pickle(cyc), 'too deep or too large'))
bad.append(('deep_marks.pt', pt_with_pickle(b'\x80\x02' + b'(' * 5000 + b'.'), 'nested MARKs'))
bad.append(('trailing.pt', pt_with_pickle(b'\x80\x02}.junk'), 'trailing bytes'))
bad.append(('truncated_pickle.pt', pt_with_pickle(b'\x80\x02X\xff\xff\x00\x00ab'), 'truncated'))
# storage whose declared numel exceeds its record
def tensor_pickle(numel, offset, size, stride, cls=b'FloatStorage', key=b'0'):
    def I(v):
        return b'J' + struct.pack('<i', v) if -2**31 <= v < 2**31 else b'\x8a\x08' + struct.pack('<q', v)
    return (b'\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\n' + cls + b'\n'
            + b'X' + struct.pack('<I', len(key)) + key + b'X\x03\x00\x00\x00cpu' + I(numel) + b'tQ' + I(offset)
            + b'(' + b''.join(I(s) for s in size) + b't(' + b''.join(I(s) for s in stride) + b't\x89'
            + b'ccollections\nOrderedDict\n)RtR.')
bad.append(('short_record.pt', pt_with_pickle(tensor_pickle(100, 0, [100], [1]), [('data/0', b'\0' * 8)]), 'record holds 8 bytes'))
bad.append(('huge_numel.pt', pt_with_pickle(tensor_pickle(2**62, 0, [2**62], [1]), [('data/0', b'\0' * 8)]), 'overflows'))
bad.append(('view_out_of_range.pt', pt_with_pickle(tensor_pickle(2, 1, [2], [1]), [('data/0', b'\0' * 8)]), 'outside its storage'))
bad.append(('negative_stride.pt', pt_with_pickle(tensor_pickle(2, 0, [2], [-1]), [('data/0', b'\0' * 8)]), 'negative size or stride'))
bad.append(('complex.pt', pt_with_pickle(tensor_pickle(1, 0, [1], [1], b'ComplexFloatStorage'), [('data/0', b'\0' * 8)]), 'unsupported storage type'))
bad.append(('bad_key.pt', pt_with_pickle(tensor_pickle(1, 0, [1], [1], key=b'../../etc/passwd'), [('data/0', b'\0' * 4)]), 'invalid storage key'))
# legacy files: a huge declared numel is refused before allocating; storage views refused
LEGACY_MAGIC = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)


def legacy_file(numel, view=b'N', data=b''):
    obj = (b'\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n'
           + b'X\x01\x00\x00\x000X\x03\x00\x00\x00cpu\x8a\x08' + struct.pack('<q', numel) + view + b'tQK\x00(K\x01t(K\x01t\x89'
           + b'ccollections\nOrderedDict\n)RtR.')
    return (LEGACY_MAGIC + pickle.dumps(1001, protocol=2) + pickle.dumps({'little_endian': True}, protocol=2) + obj
            + pickle.dumps(['0'], protocol=2) + struct.pack('<q', numel) + data)


bad.append(('legacy_huge_numel.pt', legacy_file(2**40), 'more than the file holds'))
bad.append(('legacy_view.pt', legacy_file(1, b'(X\x01\x00\x00\x001K\x00K\x01t', b'\0' * 4), 'legacy storage views'))
# a doubling tuple bomb whose leaf is a tensor: the walk stops at its node cap
tb = tensor_pickle(1, 0, [1], [1])[:-1] + b'q\x00h\x00\x86q\x01'
for i in range(1, 40):
    tb += b'h' + bytes([i]) + b'\x86q' + bytes([i + 1])
bad.append(('tensor_bomb.pt', pt_with_pickle(tb + b'.', [('data/0', b'\0' * 4)]), 'too deep or too large'))
# central directory pointing outside the file
cd = bytearray(good)
eocd = cd.rfind(b'PK\x05\x06')
struct.pack_into('<I', cd, eocd + 16, 0x7fffff00)
# drop zip64 locator so the plain record is used
loc = cd.rfind(b'PK\x06\x07')
if loc >= 0:
    cd[loc:loc + 4] = b'XXXX'
bad.append(('bad_cd_offset.pt', bytes(cd), 'central directory'))
crc = bytearray(good)
i = crc.find(b'linear/data/0')
i = crc.find(b'PK\x01\x02')
data_at = good.find(b'linear/data/0') + len('linear/data/0')
crc[len(crc) - 40] ^= 0  # keep structure
# flip one byte of the first data record (located through zipfile)
with zipfile.ZipFile(io.BytesIO(good)) as z:
    info = z.getinfo('linear/data/0')
    off = info.header_offset + 30 + len(info.filename) + len(info.extra)
    hdr = good[info.header_offset:info.header_offset + 30]
    n_name, n_extra = struct.unpack('<HH', hdr[26:30])
    off = info.header_offset + 30 + n_name + n_extra
crc[off] ^= 0xff
bad.append(('crc.pt', bytes(crc), 'CRC-32 check failed'))
# safetensors refusals
def st_bytes(header, data):
    h = json.dumps(header).encode()
    return struct.pack('<Q', len(h)) + h + data
bad.append(('st_hole.safetensors', st_bytes({'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [4, 8]}}, b'\0' * 8), 'InvalidOffset'))
bad.append(('st_overlap.safetensors', st_bytes({'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]},
                                                'b': {'dtype': 'F32', 'shape': [1], 'data_offsets': [4, 8]}}, b'\0' * 8), 'InvalidOffset'))
bad.append(('st_size.safetensors', st_bytes({'a': {'dtype': 'F32', 'shape': [3], 'data_offsets': [0, 8]}}, b'\0' * 8), 'TensorInvalidInfo'))
bad.append(('st_short.safetensors', st_bytes({'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}}, b'\0' * 4), 'MetadataIncompleteBuffer'))
bad.append(('st_huge_header.safetensors', struct.pack('<Q', 2**40) + b'{}', 'HeaderTooLarge'))
bad.append(('st_bad_json.safetensors', struct.pack('<Q', 4) + b'{"a"', 'InvalidHeaderDeserialization'))
bad.append(('st_dtype.safetensors', st_bytes({'a': {'dtype': 'Q7', 'shape': [1], 'data_offsets': [0, 1]}}, b'\0'), 'unknown dtype'))
bad.append(('st_overflow.safetensors', st_bytes({'a': {'dtype': 'F64', 'shape': [2**62, 2**62], 'data_offsets': [0, 8]}}, b'\0' * 8), 'TensorInvalidInfo'))
bad.append(('st_dup.safetensors', b'', 'duplicate'))
h = b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}'
bad[-1] = ('st_dup.safetensors', struct.pack('<Q', len(h)) + h + b'\0\0', 'duplicate')

for name, data, err in bad:
    with open(os.path.join(BAD, name), 'wb') as f:
        f.write(data)
    lines.append('case bad_' + name)
    lines.append('file$ bad/' + name)
    lines.append('error$ ' + err)
    lines.append('end')

with open(os.path.join(HERE, 'data', 'io.txt'), 'w') as f:
    f.write('\n'.join(lines) + '\n')
print('wrote', len(lines), 'lines')
