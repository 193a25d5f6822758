#!/usr/bin/env node
// `npm run bench` compares NextToken with onnxruntime-node and transformers.js on the same model.
// Those two are not dependencies of the project (onnxruntime-node's install script fetches CUDA
// files from outside the npm registry): this installs them, pinned, into .bench-peers/ without
// install scripts (the CPU binaries ship inside the npm package). Skipped when already there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PEERS = { 'onnxruntime-node': '1.30.0', '@huggingface/transformers': '4.3.2' };
const root = join(import.meta.dirname, '..');
const dir = join(root, '.bench-peers');
const stamp = join(dir, `.installed-${Object.entries(PEERS).map(([n, v]) => `${n.replace('/', '+')}@${v}`).join(',')}`);

if (!existsSync(stamp)) {
  console.error(`[bench] installing the benchmark peers into .bench-peers/ (${Object.entries(PEERS).map(([n, v]) => `${n}@${v}`).join(', ')})…`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nexttoken-bench-peers', private: true, dependencies: PEERS }, null, 2) + '\n');
  const npm = spawnSync('npm', ['install', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
  writeFileSync(stamp, '');
}
