// The KV cache: for each layer, the keys and values of every position seen so far, fed back to
// the model as `past_key_values.{i}.key|value` and replaced by its `present.{i}.key|value`.

import { emptyFloatData, type FloatData, type FloatDType } from './float16.js';
import type { OrtModule, OrtTensor } from './ort.js';

export interface KvLayout {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
}

export const pastKeyName = (layer: number) => `past_key_values.${layer}.key`;
export const pastValueName = (layer: number) => `past_key_values.${layer}.value`;
export const presentKeyName = (layer: number) => `present.${layer}.key`;
export const presentValueName = (layer: number) => `present.${layer}.value`;

export class KvCache {
  /** Per layer: [key, value], each (batch=1, kvHeads, length, headDim) in the dtype the model declares. */
  private tensors: [OrtTensor, OrtTensor][];

  /** `dtypeOf(inputName)`: the element type of each past_key_values.* input (float16 in fp16 exports). */
  constructor(
    private readonly ort: OrtModule,
    private readonly layout: KvLayout,
    private readonly dtypeOf: (inputName: string) => FloatDType = () => 'float32',
  ) {
    this.tensors = this.emptyTensors();
  }

  /** Positions cached, read from the tensors themselves (dims.at(-2)). */
  get length(): number {
    return this.tensors[0][0].dims[2];
  }

  /** The past_key_values.* inputs for the next forward pass. */
  feeds(): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    this.tensors.forEach(([k, v], layer) => {
      feeds[pastKeyName(layer)] = k;
      feeds[pastValueName(layer)] = v;
    });
    return feeds;
  }

  /** Take the present.* outputs of a forward pass as the new cache; the old tensors are disposed. */
  update(outputs: Record<string, OrtTensor>): void {
    const next = this.tensors.map((_, layer): [OrtTensor, OrtTensor] => [outputs[presentKeyName(layer)], outputs[presentValueName(layer)]]);
    if (next.some(([k, v]) => !k || !v)) throw new Error('the model did not return present.* for every layer');
    this.disposeTensors();
    this.tensors = next;
  }

  /** Keep the first `length` positions: rewinding costs a copy, not a recompute. */
  truncate(length: number): void {
    if (length >= this.length) return;
    if (length <= 0) return this.clear();
    const { numKvHeads: heads, headDim } = this.layout;
    const old = this.length;
    const next = this.tensors.map((pair) =>
      pair.map((t) => {
        // float32 or float16 bits: the same copy on the array type the tensor already has
        const src = t.data as FloatData;
        const dst = new (src.constructor as new (n: number) => FloatData)(heads * length * headDim);
        for (let h = 0; h < heads; h++) {
          dst.set(src.subarray(h * old * headDim, (h * old + length) * headDim), h * length * headDim);
        }
        return new this.ort.Tensor(t.type as FloatDType, dst, [1, heads, length, headDim]);
      }) as [OrtTensor, OrtTensor],
    );
    this.disposeTensors();
    this.tensors = next;
  }

  clear(): void {
    this.disposeTensors();
    this.tensors = this.emptyTensors();
  }

  dispose(): void {
    this.disposeTensors();
    this.tensors = [];
  }

  private emptyTensors(): [OrtTensor, OrtTensor][] {
    const { numLayers, numKvHeads, headDim } = this.layout;
    const empty = (name: string) => new this.ort.Tensor(this.dtypeOf(name), emptyFloatData(this.dtypeOf(name)), [1, numKvHeads, 0, headDim]);
    return Array.from({ length: numLayers }, (_, layer) => [empty(pastKeyName(layer)), empty(pastValueName(layer))]);
  }

  private disposeTensors(): void {
    for (const [k, v] of this.tensors) {
      k.dispose();
      v.dispose();
    }
  }
}
