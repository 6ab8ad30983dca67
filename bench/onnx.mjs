// A minimal ONNX protobuf writer, so the benchmark can hand onnxruntime-web a model built in
// memory from nnplay's own weights without Python's onnx package. It covers only what a
// float feed-forward graph needs: ModelProto, one GraphProto, NodeProto with int / ints
// attributes, float TensorProto initializers (raw_data) and tensor-typed inputs/outputs.
// Field numbers are those of onnx/onnx.proto.

const enc = new TextEncoder();

/** Protobuf writer: each method appends one field; `bytes()` returns the message. */
class Writer {
  constructor() {
    this.parts = [];
  }
  /** A base-128 varint; values stay below 2^53, so plain numbers suffice. */
  varint(v) {
    const out = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.parts.push(Uint8Array.from(out));
    return this;
  }
  tag(field, wire) {
    return this.varint(field * 8 + wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  /** Length-delimited: a nested message, a string or raw bytes. */
  blob(field, b) {
    this.tag(field, 2).varint(b.length);
    this.parts.push(b);
    return this;
  }
  str(field, s) {
    return this.blob(field, enc.encode(s));
  }
  msg(field, w) {
    return this.blob(field, w.bytes());
  }
  bytes() {
    const n = this.parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT
const ATTR_INTS = 7;

/** A NodeProto; `attrs` maps names to an integer or an array of integers. */
export function node(op, inputs, outputs, attrs = {}) {
  const w = new Writer();
  for (const i of inputs) w.str(1, i);
  for (const o of outputs) w.str(2, o);
  w.str(3, `${op}_${outputs[0]}`).str(4, op);
  for (const [name, v] of Object.entries(attrs)) {
    const a = new Writer().str(1, name);
    // Repeated ints are written unpacked (one tag each): onnx.proto is proto2, whose
    // default encoding every parser accepts.
    if (Array.isArray(v)) {
      for (const x of v) a.int(8, x);
      a.int(20, ATTR_INTS);
    } else a.int(3, v).int(20, ATTR_INT);
    w.msg(5, a);
  }
  return w;
}

/** A float TensorProto initializer; data is a Float32Array of the shape's size. */
export function tensor(name, dims, data) {
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: ${data.length} values for shape [${dims}]`);
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, FLOAT).str(8, name);
  // raw_data is little-endian, which is what a Float32Array holds on every platform Node runs.
  return w.blob(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** A ValueInfoProto for a float tensor; a string dimension is symbolic (dim_param). */
export function valueInfo(name, dims) {
  const shape = new Writer();
  for (const d of dims) shape.msg(1, typeof d === "string" ? new Writer().str(2, d) : new Writer().int(1, d));
  const tensorType = new Writer().int(1, FLOAT).msg(2, shape);
  return new Writer().str(1, name).msg(2, new Writer().msg(1, tensorType));
}

/** The serialized ModelProto of one graph in the default domain at `opset`. */
export function model({ name, nodes, initializers, inputs, outputs, opset = 13 }) {
  const g = new Writer();
  for (const n of nodes) g.msg(1, n);
  g.str(2, name);
  for (const t of initializers) g.msg(5, t);
  for (const i of inputs) g.msg(11, i);
  for (const o of outputs) g.msg(12, o);
  // IR version 7 is the one that goes with opset 13.
  return new Writer()
    .int(1, 7)
    .str(2, "nnplay-bench")
    .msg(7, g)
    .msg(8, new Writer().str(1, "").int(2, opset))
    .bytes();
}
