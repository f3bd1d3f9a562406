// Decode the Python side's {dtype, shape, data} arrays (intershap_widget/buffers.py).

const TYPES = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array };

/**
 * @param {{dtype: string, shape: number[], data: DataView|ArrayBuffer|ArrayBufferView}|null|undefined} value
 * @returns {{array: Float32Array|Float64Array|Int32Array|Uint8Array, shape: number[]}}
 */
export function decodeArray(value) {
  if (!value) return { array: new Float32Array(0), shape: [0] };
  const Type = TYPES[value.dtype ?? "float32"];
  if (!Type) throw new Error(`unsupported dtype ${value.dtype}`);
  const d = value.data;
  let array;
  if (d instanceof Type) array = d;
  else if (d instanceof ArrayBuffer) array = new Type(d);
  else if (ArrayBuffer.isView(d)) {
    const n = d.byteLength / Type.BYTES_PER_ELEMENT;
    array = d.byteOffset % Type.BYTES_PER_ELEMENT === 0
      ? new Type(d.buffer, d.byteOffset, n)
      : new Type(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  } else throw new Error("array data must be a binary buffer");
  const expected = value.shape.reduce((a, b) => a * b, 1);
  if (array.length !== expected) throw new Error(`buffer holds ${array.length} values, shape needs ${expected}`);
  return { array, shape: value.shape };
}
