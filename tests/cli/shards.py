#!/usr/bin/python3
"""Reads a sharded safetensors checkpoint as a Hugging Face loader would, with
no nninit code, and checks it against a one-file checkpoint of the same model.

    shards.py DIR REF.safetensors LIMIT_BYTES

- The split is recomputed here from huggingface_hub's documented rule
  (split_state_dict_into_shards_factory): tensors in the model's order (the
  spec in the metadata), a tensor's size is its data bytes; a tensor over the
  limit gets a shard of its own, appended at once while the open shard stays
  open; a tensor that would take the open shard past the limit closes it first.
  One shard in all: model.safetensors and no index.
- model.safetensors.index.json: {"metadata": {"total_size": sum of bytes},
  "weight_map": {name: file}} with exactly the expected mapping.
- Each shard is a valid safetensors file (data at a multiple of 64, no gaps,
  tensors listed in model order, laid out by decreasing element size), holds
  exactly its tensors, each byte for byte the reference's, and REF's metadata.
"""
import json
import os
import sys

SIZE = {'F64': 8, 'F32': 4, 'BF16': 2, 'F16': 2}


def parse(path):
    with open(path, 'rb') as f:
        b = f.read()
    n = int.from_bytes(b[:8], 'little')
    if (8 + n) % 64:
        sys.exit('%s: data starts at %d, not a multiple of 64' % (path, 8 + n))
    pairs = json.loads(b[8:8 + n].decode('utf-8'), object_pairs_hook=list)
    meta = dict(next((v for k, v in pairs if k == '__metadata__'), []))
    entries = [(k, dict(v)) for k, v in pairs if k != '__metadata__']
    data = b[8 + n:]
    spans = sorted(e['data_offsets'] for _, e in entries)
    pos = 0
    for lo, hi in spans:
        if lo != pos:
            sys.exit('%s: gap or overlap at %d' % (path, pos))
        pos = hi
    if pos != len(data):
        sys.exit('%s: %d data bytes, tensors end at %d' % (path, len(data), pos))
    tensors = {k: (e, data[e['data_offsets'][0]:e['data_offsets'][1]]) for k, e in entries}
    return meta, [k for k, _ in entries], tensors


def hf_split(names, sizes, limit):
    shards, current, current_size = [], [], 0
    for name in names:
        size = sizes[name]
        if size > limit:
            shards.append([name])
            continue
        if current_size + size > limit:
            shards.append(current)
            current, current_size = [], 0
        current.append(name)
        current_size += size
    if current:
        shards.append(current)
    return shards


def main():
    d, ref, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    meta, _, ref_tensors = parse(ref)
    order = [t['name'] for t in json.loads(meta['spec'])['tensors']]
    sizes = {k: len(v[1]) for k, v in ref_tensors.items()}
    shards = hf_split(order, sizes, limit)
    if len(shards) == 1:
        files = ['model.safetensors']
        if sorted(os.listdir(d)) != files:
            sys.exit('%s holds %s, expected %s' % (d, sorted(os.listdir(d)), files))
        with open(os.path.join(d, files[0]), 'rb') as a, open(ref, 'rb') as b:
            if a.read() != b.read():
                sys.exit('%s/model.safetensors differs from %s' % (d, ref))
        return
    n = len(shards)
    files = ['model-%05d-of-%05d.safetensors' % (k + 1, n) for k in range(n)]
    have = sorted(os.listdir(d))
    if have != sorted(files + ['model.safetensors.index.json']):
        sys.exit('%s holds %s, expected %s' % (d, have, files))
    with open(os.path.join(d, 'model.safetensors.index.json')) as f:
        index = json.load(f)
    if set(index) != {'metadata', 'weight_map'}:
        sys.exit('index keys %s' % sorted(index))
    if index['metadata'] != {'total_size': sum(sizes.values())}:
        sys.exit('index metadata %s, expected total_size %d' % (index['metadata'], sum(sizes.values())))
    want = {name: files[k] for k, shard in enumerate(shards) for name in shard}
    if index['weight_map'] != want:
        bad = sorted(k for k in set(want) | set(index['weight_map']) if want.get(k) != index['weight_map'].get(k))
        sys.exit('weight_map differs from the rule for %s' % bad[:5])
    for k, shard in enumerate(shards):
        path = os.path.join(d, files[k])
        smeta, listed, tensors = parse(path)
        if smeta != meta:
            sys.exit('%s: metadata differs from the reference' % path)
        if listed != shard:
            sys.exit('%s: lists %s, expected %s in model order' % (path, listed[:4], shard[:4]))
        laid = sorted(shard, key=lambda t: tensors[t][0]['data_offsets'])
        by_size = sorted(shard, key=lambda t: (-SIZE[tensors[t][0]['dtype']], shard.index(t)))
        if [t for t in laid if sizes[t]] != [t for t in by_size if sizes[t]]:
            sys.exit('%s: data not laid out by decreasing element size, then model order' % path)
        for t in shard:
            e, b = tensors[t]
            re, rb = ref_tensors[t]
            if (e['dtype'], e['shape'], b) != (re['dtype'], re['shape'], rb):
                sys.exit('%s: tensor %s differs from the reference' % (path, t))


if __name__ == '__main__':
    main()
