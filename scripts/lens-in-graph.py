#!/usr/bin/python3
"""For a measurement only: a copy of a model folder with the logit lens inside model.onnx.

    /usr/bin/python3 scripts/lens-in-graph.py <folder with onnx/lens.onnx> <new folder>

Merges onnx/lens.onnx into onnx/model.onnx (output lens_logits instead of residual_stream), the
one-graph design that src/bench/lens-graph-cost.ts compares with the shipped two-graph one.
"""
import os
import shutil
import sys

import onnx

src, dst = sys.argv[1], sys.argv[2]
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst)
os.remove(os.path.join(dst, 'onnx', 'lens.onnx'))
m = onnx.load(os.path.join(src, 'onnx', 'model.onnx'))
lens = onnx.load(os.path.join(src, 'onnx', 'lens.onnx'))
rename = lambda n: n if n in ('residual_stream', 'lens_logits') else 'lens/' + n  # noqa: E731
for node in lens.graph.node:
    node.input[:] = [rename(i) for i in node.input]
    node.output[:] = [rename(o) for o in node.output]
    node.name = 'lens/' + node.name
for init in lens.graph.initializer:
    init.name = rename(init.name)
m.graph.node.extend(lens.graph.node)
m.graph.initializer.extend(lens.graph.initializer)
outputs = [o for o in m.graph.output if o.name != 'residual_stream'] + list(lens.graph.output)
del m.graph.output[:]
m.graph.output.extend(outputs)
onnx.checker.check_model(m)
onnx.save(m, os.path.join(dst, 'onnx', 'model.onnx'))
print('wrote', dst, [o.name for o in m.graph.output][-2:])
