// IEEE half precision (float16), which fp16 exports use for the KV cache and the logits.
// onnxruntime hands float16 tensor data over as raw bits in a Uint16Array (or a Float16Array
// where the JS engine has one); the engine works on Float32Array.

/** The float dtypes a model may use for its KV cache and logits. */
export type FloatDType = 'float32' | 'float16';

/** Whatever array type holds `dtype` data: Float32Array, or float16 as Uint16Array bits. */
export type FloatData = Float32Array | Uint16Array;

/** One float16 bit pattern → its number value. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and ±0)
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Tensor data as float32: copies float16 bits (or a Float16Array) into a new Float32Array. */
export function toFloat32(data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof Uint16Array) return Float32Array.from(data, halfToNumber);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new Error('expected float tensor data');
}

/** An empty (length 0) array for `dtype` tensors. */
export function emptyFloatData(dtype: FloatDType): FloatData {
  return dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0);
}
