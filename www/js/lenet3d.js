// The LeNet-5 view's 3D node-link mode (like Harley's 3D visualizer): every unit a point in
// its layer's plane, coloured by its activation; the selected unit's edges drawn from the
// units that feed it. WebGL 2 with a small orbit camera; no library.

import { COLORS, IMAGE, rgb01 } from "./palette.js";
import { LAYERS } from "./views/lenet/geometry.js";

const VERT = `#version 300 es
uniform mat4 u_mvp;
uniform float u_size;
in vec3 a_pos;
in vec3 a_color;
out vec3 v_color;
void main() {
  gl_Position = u_mvp * vec4(a_pos, 1.0);
  gl_PointSize = u_size / gl_Position.w;
  v_color = a_color;
}`;
const FRAG = `#version 300 es
precision mediump float;
in vec3 v_color;
out vec4 color;
void main() { color = vec4(v_color, 1.0); }`;

// Layer planes along z; maps tiled in a grid within each plane (units are 1 apart).
// The layers are the flat view's (its geometry: LeNet-5's, or a student's network's); a
// plane holds its maps in rows of ceil(√maps) (LeNet-5: 3 for C1 and S2, 4 for C3 and S4).
const planOf = (layers) => layers.map((l) => (l.maps ? { ...l, cols: Math.ceil(Math.sqrt(l.maps)) } : l));

/** Positions of every unit of `plan`, layer by layer: { offsets: {layer: first index}, pos:
 *  Float32Array }; the planes centred on z = 0. */
export function layout(plan = planOf(LAYERS)) {
  const pos = [];
  const offsets = {};
  plan.forEach((l, z) => {
    offsets[l.key] = pos.length / 3;
    const zz = (z - (plan.length - 1) / 2) * 26;
    if (l.units) {
      const spacing = 3;
      const rows = Math.ceil(l.units / l.cols);
      for (let u = 0; u < l.units; u++) pos.push(((u % l.cols) - (l.cols - 1) / 2) * spacing, (rows / 2 - Math.floor(u / l.cols)) * spacing, zz);
      return;
    }
    const gap = 4;
    const rows = Math.ceil(l.maps / l.cols);
    const span = l.w + gap;
    for (let m = 0; m < l.maps; m++) {
      const [mx, my] = [(m % l.cols) - (l.cols - 1) / 2, (rows - 1) / 2 - Math.floor(m / l.cols)];
      for (let y = 0; y < l.h; y++) {
        for (let x = 0; x < l.w; x++) pos.push(mx * span + x - l.w / 2, my * span + l.h / 2 - y, zz);
      }
    }
  });
  return { offsets, pos: new Float32Array(pos) };
}

function mul(a, b) {
  const o = new Float32Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) o[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k];
  return o;
}

// The flat view's colours (palette.js) in WebGL's 0–1: white at zero, falling toward IMAGE.pos
// as a unit rises to +1 and toward IMAGE.neg as it drops to -1; edges coloured by weight sign.
const FALL = { pos: IMAGE.pos.map((c) => 1 - c / 255), neg: IMAGE.neg.map((c) => 1 - c / 255) };
const EDGE = { pos: rgb01(COLORS.orange), neg: rgb01(COLORS.blue) };
const STAGE = rgb01(COLORS.stage);

const FOCAL = 1 / Math.tan(Math.PI / 8); // a 45° vertical field of view

/** The world turned by yaw (about y) then pitch (about x), column-major, before the camera
 *  moves back by its distance. */
function turn(yaw, pitch) {
  const [cy, sy, cp, sp] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch)];
  return [cy, sy * sp, -sy * cp, 0, 0, cp, sp, 0, sy, -cy * sp, cy * cp, 0];
}

/** Where the camera starts looking from (radians). */
export const START_VIEW = { yaw: 0.55, pitch: 0.3 };

/** The camera: perspective of an orbit around the origin (yaw, pitch in radians). */
export function camera(aspect, yaw, pitch, dist) {
  const [n, fa] = [1, 2000];
  const proj = new Float32Array([FOCAL / aspect, 0, 0, 0, 0, FOCAL, 0, 0, 0, 0, (fa + n) / (n - fa), -1, 0, 0, (2 * fa * n) / (n - fa), 0]);
  return mul(proj, new Float32Array([...turn(yaw, pitch), 0, 0, -dist, 1]));
}

/** The least distance at which every point, seen from (yaw, pitch), lies within `margin` of
 *  the canvas edges: a point at depth z' toward the camera and offsets (x, y) across the
 *  view projects to FOCAL·x / (aspect·(dist - z')), so dist >= z' + FOCAL·|x| / (aspect·margin),
 *  and likewise for y. */
export function fitDistance(pos, yaw, pitch, aspect, margin = 0.92) {
  const m = turn(yaw, pitch);
  let dist = 0;
  for (let i = 0; i < pos.length; i += 3) {
    const [x, y, z] = [pos[i], pos[i + 1], pos[i + 2]];
    const across = Math.max(Math.abs(m[0] * x + m[4] * y + m[8] * z) / aspect, Math.abs(m[1] * x + m[5] * y + m[9] * z));
    dist = Math.max(dist, m[2] * x + m[6] * y + m[10] * z + (FOCAL * across) / margin);
  }
  return dist;
}

/** Unit i of `pos` through the matrix m: its x and y in normalised device coordinates (-1 to
 *  1 across the canvas) and its clip w (depth from the camera). */
export function project(m, pos, i) {
  const [x, y, z] = [pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]];
  const w = m[3] * x + m[7] * y + m[11] * z + m[15];
  return [(m[0] * x + m[4] * y + m[8] * z + m[12]) / w, (m[1] * x + m[5] * y + m[9] * z + m[13]) / w, w];
}

/** The 3D network of the view's current geometry on `canvas` (null without WebGL 2). */
export function create(canvas) {
  const gl = canvas.getContext("webgl2", { antialias: true });
  if (!gl) return null;
  const shader = (type, src) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    return s;
  };
  const prog = gl.createProgram();
  gl.attachShader(prog, shader(gl.VERTEX_SHADER, VERT));
  gl.attachShader(prog, shader(gl.FRAGMENT_SHADER, FRAG));
  gl.linkProgram(prog);
  const plan = planOf(LAYERS);
  const { offsets, pos } = layout(plan);
  const n = pos.length / 3;
  const buf = (data) => {
    const b = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, b);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.DYNAMIC_DRAW);
    return b;
  };
  const posBuf = buf(pos);
  const colors = new Float32Array(n * 3).fill(1);
  const colBuf = buf(colors);
  const lineBuf = gl.createBuffer();
  const lineCol = gl.createBuffer();
  let lines = 0;
  // The distance is fitted to the canvas (the whole network in view, filling it) whenever
  // the canvas changes shape; zooming scales the fitted distance.
  const cam = { ...START_VIEW, zoom: 1, fit: 0, aspect: 0 };
  const loc = { mvp: gl.getUniformLocation(prog, "u_mvp"), size: gl.getUniformLocation(prog, "u_size"), pos: gl.getAttribLocation(prog, "a_pos"), color: gl.getAttribLocation(prog, "a_color") };

  const attrib = (b, l) => {
    gl.bindBuffer(gl.ARRAY_BUFFER, b);
    gl.enableVertexAttribArray(l);
    gl.vertexAttribPointer(l, 3, gl.FLOAT, false, 0, 0);
  };
  let mvp = null;
  function draw() {
    const [w, h] = [canvas.clientWidth, canvas.clientHeight];
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(...STAGE, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.useProgram(prog);
    const aspect = canvas.width / canvas.height;
    if (aspect !== cam.aspect) [cam.aspect, cam.fit] = [aspect, fitDistance(pos, START_VIEW.yaw, START_VIEW.pitch, aspect)];
    mvp = camera(aspect, cam.yaw, cam.pitch, cam.fit * cam.zoom);
    gl.uniformMatrix4fv(loc.mvp, false, mvp);
    gl.uniform1f(loc.size, 500 * (canvas.height / 600));
    attrib(posBuf, loc.pos);
    attrib(colBuf, loc.color);
    gl.drawArrays(gl.POINTS, 0, n);
    if (lines) {
      attrib(lineBuf, loc.pos);
      attrib(lineCol, loc.color);
      gl.drawArrays(gl.LINES, 0, lines * 2);
    }
  }

  return {
    offsets,
    camera: cam,
    /** Colours every unit: `values[layer]` are that layer's activations, scaled per layer. */
    setActivations(values) {
      for (const l of plan) {
        const v = values[l.key];
        let s = 1e-6;
        for (const x of v) s = Math.max(s, Math.abs(x));
        for (let i = 0; i < v.length; i++) {
          const a = Math.max(-1, Math.min(1, v[i] / s));
          const o = (offsets[l.key] + i) * 3;
          const [f, k] = a >= 0 ? [FALL.pos, a] : [FALL.neg, -a];
          colors.set([1 - f[0] * k, 1 - f[1] * k, 1 - f[2] * k], o);
        }
      }
      gl.bindBuffer(gl.ARRAY_BUFFER, colBuf);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, colors);
      draw();
    },
    /** Edges into unit `unit` of `layer` from `sources` (indices in the layer below), by weight sign. */
    setEdges(layer, unit, below, sources) {
      const to = pos.subarray((offsets[layer] + unit) * 3, (offsets[layer] + unit) * 3 + 3);
      const p = new Float32Array(sources.length * 6);
      const c = new Float32Array(sources.length * 6);
      sources.forEach(({ index, w }, i) => {
        p.set(pos.subarray((offsets[below] + index) * 3, (offsets[below] + index) * 3 + 3), i * 6);
        p.set(to, i * 6 + 3);
        const col = w >= 0 ? EDGE.pos : EDGE.neg;
        c.set(col, i * 6);
        c.set(col, i * 6 + 3);
      });
      gl.bindBuffer(gl.ARRAY_BUFFER, lineBuf);
      gl.bufferData(gl.ARRAY_BUFFER, p, gl.DYNAMIC_DRAW);
      gl.bindBuffer(gl.ARRAY_BUFFER, lineCol);
      gl.bufferData(gl.ARRAY_BUFFER, c, gl.DYNAMIC_DRAW);
      lines = sources.length;
      draw();
    },
    /** The unit nearest to canvas pixel (x, y), as [layer, unit], or null. */
    pick(x, y) {
      if (!mvp) return null;
      const [w, h] = [canvas.clientWidth, canvas.clientHeight];
      let best = null;
      let bestD = 36; // within 6 CSS pixels
      let bestZ = Infinity;
      for (let i = 0; i < n; i++) {
        const [nx, ny, cw] = project(mvp, pos, i);
        const [sx, sy] = [((nx + 1) * w) / 2, ((1 - ny) * h) / 2];
        const d = (sx - x) ** 2 + (sy - y) ** 2;
        if (d < bestD || (d === bestD && cw < bestZ)) [best, bestD, bestZ] = [i, d, cw];
      }
      if (best === null) return null;
      const layer = [...plan].reverse().find((l) => offsets[l.key] <= best);
      return [layer.key, best - offsets[layer.key]];
    },
    draw,
    orbit(dYaw, dPitch, zoom = 1) {
      cam.yaw += dYaw;
      cam.pitch = Math.max(-1.4, Math.min(1.4, cam.pitch + dPitch));
      cam.zoom = Math.max(0.3, Math.min(4, cam.zoom * zoom));
      draw();
    },
  };
}
