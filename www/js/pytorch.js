// The PyTorch code behind each lab, written from what is on screen: a student can copy it
// into the course's notebook and get the same numbers. Pure functions of the view's state
// (no page access), so tests/python/check_snippets.py runs every kind of snippet against
// the golden cases with numpy standing in for torch. `t` words the comments.

/** A number as Python reads it back: 6 decimals (a grid the URL keeps has 4). */
const num = (v) => {
  const r = Math.round(v * 1e6) / 1e6;
  return Number.isInteger(r) ? `${r}.` : String(r);
};

/** `values` (row-major, of `shape`) as nested Python lists. */
function nested(values, shape) {
  if (shape.length === 1) return `[${Array.from(values, num).join(", ")}]`;
  const per = values.length / shape[0];
  const parts = [];
  for (let i = 0; i < shape[0]; i++) parts.push(nested(values.slice(i * per, (i + 1) * per), shape.slice(1)));
  return `[${parts.join(shape.length === 2 ? ",\n    " : ", ")}]`;
}

/** TensorFlow's SAME for one axis: output ceil(size / stride), the odd extra cell after. */
export function sameRule(size, k, stride) {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** `y = F.conv2d(...)` for input `x` [N, C, H, W], `weight` [O, C, kh, kw], `bias` [O],
 *  `stride` [sh, sw] and `padding` "same" | "valid" (TensorFlow's rules, as the lab's).
 *  PyTorch's padding="same" exists for stride 1 only: for a larger stride the padding is
 *  written out with F.pad. */
export function convCode({ x, xShape, weight, wShape, bias, stride, padding }, t) {
  const [sh, sw] = stride;
  const lines = [
    "import torch",
    "import torch.nn.functional as F",
    "",
    `x = torch.tensor(${nested(x, xShape)})  # ${t("code.input")} [N, C, H, W] = [${xShape.join(", ")}]`,
    `w = torch.tensor(${nested(weight, wShape)})  # ${t("code.kernel")} [out, in, kh, kw] = [${wShape.join(", ")}]`,
    `b = torch.tensor(${nested(bias, [bias.length])})`,
  ];
  const s = sh === sw ? String(sh) : `(${sh}, ${sw})`;
  if (padding === "valid") lines.push(`y = F.conv2d(x, w, b, stride=${s})  # VALID: ${t("code.valid")}`);
  else if (sh === 1 && sw === 1) lines.push(`y = F.conv2d(x, w, b, padding="same")  # SAME: ${t("code.same")}`);
  else {
    const [top, bottom] = sameRule(xShape[2], wShape[2], sh);
    const [left, right] = sameRule(xShape[3], wShape[3], sw);
    lines.push(
      `# SAME ${t("code.sameStride", { s })}`,
      `x = F.pad(x, (${left}, ${right}, ${top}, ${bottom}))  # (${t("code.padOrder")})`,
      `y = F.conv2d(x, w, b, stride=${s})`,
    );
  }
  lines.push("print(y)");
  return lines.join("\n");
}

/** `y = F.max_pool2d(...)` / `F.avg_pool2d(...)` over `x` [N, C, H, W], windows inside the
 *  map (VALID, PyTorch's default). */
export function poolCode({ x, xShape, kernel, stride, kind }) {
  const f = kind === "max" ? "max_pool2d" : "avg_pool2d";
  const k = kernel[0] === kernel[1] ? String(kernel[0]) : `(${kernel.join(", ")})`;
  const s = stride[0] === stride[1] ? String(stride[0]) : `(${stride.join(", ")})`;
  return [
    "import torch",
    "import torch.nn.functional as F",
    "",
    `x = torch.tensor(${nested(x, xShape)})  # [N, C, H, W] = [${xShape.join(", ")}]`,
    `y = F.${f}(x, kernel_size=${k}, stride=${s})`,
    "print(y)",
  ].join("\n");
}

const RECURRENT = { rnn: "nn.RNN", elman: "nn.RNN", gru: "nn.GRU", lstm: "nn.LSTM" };

/** The recurrent network of `cell` with `input` features, `hidden` units, `layers` and
 *  `bi`, run on `steps` steps of a batch of one from zero states. Cells PyTorch has no
 *  module for (Jordan's, the peephole and FC-LSTM variants) are said to be so, with the
 *  nearest module. Returns { setup, run } too, so the test can load weights in between. */
export function rnnCode({ cell, input, hidden, layers, bi, steps, relu = false }, t) {
  const cls = RECURRENT[cell] ?? (cell === "jordan" ? "nn.RNN" : "nn.LSTM");
  const note = RECURRENT[cell] ? [] : [`# ${t("code.noModule", { cell })}`];
  const act = relu ? ', nonlinearity="relu"' : "";
  const setup = `rnn = ${cls}(input_size=${input}, hidden_size=${hidden}, num_layers=${layers}${act}, bidirectional=${bi ? "True" : "False"})`;
  const dirs = bi ? 2 : 1;
  const x = `x = torch.randn(${steps}, 1, ${input})  # [${t("code.steps")}, batch, input_size]`;
  const run = cls === "nn.LSTM" ? "out, (h_n, c_n) = rnn(x)" : "out, h_n = rnn(x)";
  const shapes = `# out: [${steps}, 1, ${dirs * hidden}]  h_n: [${dirs * layers}, 1, ${hidden}]`;
  const code = ["import torch", "from torch import nn", "", ...note, setup, x, run, shapes, "print(out)"].join("\n");
  return { code, setup, run };
}

const LAYER = {
  conv2d: (l, c) => `nn.Conv2d(${c}, ${l.out_channels}, kernel_size=${pair(l.kernel)}, stride=${pair(l.stride)}, padding=${typeof l.padding === "string" ? `"${l.padding}"` : pair(l.padding)})`,
  relu: () => "nn.ReLU()",
  tanh: () => "nn.Tanh()",
  sigmoid: () => "nn.Sigmoid()",
  identity: () => "nn.Identity()",
  max_pool2d: (l) => `nn.MaxPool2d(kernel_size=${pair(l.kernel)}, stride=${pair(l.stride)})`,
  avg_pool2d: (l) => `nn.AvgPool2d(kernel_size=${pair(l.kernel)}, stride=${pair(l.stride)})`,
  flatten: () => "nn.Flatten()",
  linear: (l, c) => `nn.Linear(${c}, ${l.out_features})`,
};
const pair = (v) => (Array.isArray(v) ? (v[0] === v[1] ? String(v[0]) : `(${v.join(", ")})`) : String(v));

/** The network `layers` (the description a file carries, `Network.inspect`'s) on an image
 *  of `input` [C, H, W], with `shapes` (each layer's output per image, from the page) so
 *  every Conv2d and Linear knows its inputs; loads `file` (the student's weights). */
export function sequentialCode({ input, layers, shapes, file }, t) {
  const rows = layers.map((l, i) => {
    const before = i === 0 ? input : shapes[i - 1];
    const features = before.reduce((a, b) => a * b, 1);
    const text = LAYER[l.type](l, l.type === "linear" ? features : before[0]);
    return `    ${text},  # ${i}: → [${shapes[i].join(", ")}]`;
  });
  return [
    "import torch",
    "from torch import nn",
    "from safetensors.torch import load_file",
    "",
    "model = nn.Sequential(",
    ...rows,
    ")",
    `model.load_state_dict(load_file(${JSON.stringify(file)}))  # ${t("code.names")}`,
    "model.eval()",
    `x = torch.zeros(1, ${input.join(", ")})  # ${t("code.image")}`,
    "print(torch.softmax(model(x), dim=-1))",
  ].join("\n");
}

/** LeNet-5 as nnplay runs it (docs/pytorch/lenet5.py's module) with `activation` ("relu" |
 *  "tanh") and `pooling` ("max" | "avg"), loading `file`. */
export function lenetCode({ activation, pooling, file }, t) {
  const act = activation === "relu" ? "F.relu" : "torch.tanh";
  const pool = pooling === "max" ? "F.max_pool2d" : "F.avg_pool2d";
  return [
    "import torch",
    "import torch.nn.functional as F",
    "from torch import nn",
    "from safetensors.torch import load_file",
    "",
    "class LeNet5(nn.Module):",
    "    def __init__(self):",
    "        super().__init__()",
    "        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)  # C1: 6@28×28",
    "        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)  # C3: 16@10×10",
    "        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # F5",
    "        self.fc2 = nn.Linear(120, 84)  # F6",
    "        self.fc3 = nn.Linear(84, 10)  # " + t("code.logits"),
    "",
    "    def forward(self, x):",
    `        x = ${pool}(${act}(self.conv1(x)), 2)  # S2: 6@14×14`,
    `        x = ${pool}(${act}(self.conv2(x)), 2)  # S4: 16@5×5`,
    "        x = torch.flatten(x, 1)",
    `        x = ${act}(self.fc1(x))`,
    `        x = ${act}(self.fc2(x))`,
    "        return self.fc3(x)",
    "",
    "model = LeNet5()",
    `model.load_state_dict(load_file(${JSON.stringify(file)}))`,
    `x = torch.zeros(1, 1, 28, 28)  # ${t("code.image")}`,
    "print(torch.softmax(model(x), dim=-1))",
  ].join("\n");
}
