// Every string the page shows, in Chinese and English, in one table. Chinese is the default
// for browsers that prefer Chinese; the header button (or #lang=en / #lang=zh) switches.

const TABLE = {
  zh: {
    "app.title": "nnplay · 神经网络游乐场",
    "app.tagline": "卷积与循环神经网络，每个数字都在浏览器里由 Rust/WebAssembly 实时算出",
    "app.loading": "正在加载 WebAssembly……",
    "app.wasmFailed": "WebAssembly 加载失败：{msg}",
    "lang.switch": "English",
    "lang.switchLabel": "切换到英文界面",
    "nav.label": "视图",
    "nav.conv": "卷积",
    "nav.lenet": "LeNet-5",
    "nav.pool": "池化",
    "pool.title": "池化实验室",
    "pool.intro": "同一块激活值（ReLU 之后，都不小于 0），用课件讲的三种池化方式：最大池化、平均池化和随机池化。随机池化按概率 p_i = a_i / Σa 抽一个格子；推理时用期望 Σ a_i p_i。改一改格子里的数，换一个随机种子，看看会发生什么。",
    "pool.seed": "随机种子",
    "pool.resample": "重新抽样（种子 +1）",
    "pool.many": "抽样 1000 次",
    "pool.input": "激活值 4×4（窗口 2×2，步长 2）",
    "pool.max": "最大池化",
    "pool.maxRule": "取窗口里最大的",
    "pool.mean": "平均池化",
    "pool.meanRule": "取窗口的平均值",
    "pool.expect": "随机池化（推理）",
    "pool.expectRule": "期望 Σ a_i p_i",
    "pool.sample": "随机池化（训练）",
    "pool.sampleRule": "按 p_i 抽一个格子",
    "pool.window": "第 {n} 个窗口",
    "pool.freq": "{n} 次抽样的频率",
    "pool.sampled": "种子 {seed} 抽到的值：{v}",
    "pool.cellOut": "{kind} 第 {n} 个窗口，值 {v}",
    "lenet.title": "LeNet-5：手写数字识别",
    "lenet.intro": "在左边写一个数字（或选一张 MNIST 测试图片），LeNet-5 的每一层都会立刻重新计算。把鼠标移到任意一个单元上（或用 Tab 和方向键），就能看到它读了下一层的哪些单元、它在输入图上的感受野、它的权重，以及它的值是怎么算出来的。",
    "lenet.padLabel": "28×28 的写字板",
    "lenet.draw": "写一个数字",
    "lenet.clear": "清空",
    "lenet.next": "下一张测试图片",
    "lenet.pick": "选一张 MNIST 测试图片：",
    "lenet.testDigit": "测试图片",
    "lenet.label": "MNIST 测试图片 #{n}，标签是 {d}",
    "lenet.drawn": "你写的数字",
    "lenet.prediction": "预测",
    "lenet.predicted": "预测的数字是 {d}",
    "lenet.layer.input": "输入 28×28",
    "lenet.layer.c1": "C1 卷积 5×5",
    "lenet.layer.s2": "S2 池化 2×2",
    "lenet.layer.c3": "C3 卷积 5×5",
    "lenet.layer.s4": "S4 池化 2×2",
    "lenet.layer.f5": "F5 全连接",
    "lenet.layer.f6": "F6 全连接",
    "lenet.layer.logits": "输出层",
    "lenet.mapUnit": "第 {m} 张特征图，第 {y} 行第 {x} 列；感受野是输入图上 {h}×{w} 的区域",
    "lenet.denseUnit": "第 {u} 个单元；它看得到整张输入图",
    "lenet.winner": "（最大的 {v} 胜出）",
    "lenet.terms": "共 {n} 个乘积，加上偏置，再经过激活函数。",
    "lenet.moreTerms": "还有 {n} 项",
    "lenet.poolHint": "池化窗口 2×2，步长 2。",
    "lenet.weights": "它的卷积核：",
    "conv.title": "卷积实验室",
    "conv.intro":
      "每个输出单元只看输入里的一小块窗口（局部感受野），所有窗口共用同一个卷积核（权值共享）。把鼠标移到特征图的格子上，或用 Tab 键聚焦，就能看到它是怎么算出来的。",
    "conv.preset": "例子",
    "preset.course": "课件例子：5×5 输入，3×3 卷积核",
    "preset.digit": "28×28 手写数字，3×3 边缘检测核",
    "preset.pool28": "28×28 平面，2×2 窗口，步长 2",
    "preset.pad2x3": "2×3 平面，2×2 窗口，步长 2",
    "conv.stride": "步长",
    "conv.padding": "填充方式",
    "conv.input": "输入",
    "conv.kernel": "卷积核 / 滤波器",
    "conv.output": "特征图（feature map）",
    "conv.editHint": "点击格子后输入数字即可修改（方向键移动，Enter 确认）。",
    "conv.drawHint": "在大图上按住鼠标拖动可以涂写，Shift 拖动擦除。",
    "conv.same": "SAME：给平面外部补 0",
    "conv.valid": "VALID：不会超出平面外部",
    "conv.sameRule": "输出 = ⌈输入 ÷ 步长⌉",
    "conv.validRule": "输出 = ⌊(输入 − 窗口) ÷ 步长⌋ + 1",
    "conv.shape": "{h}×{w} → {oh}×{ow}",
    "conv.pads": "补 0：上 {t}，下 {b}，左 {l}，右 {r}",
    "conv.noOutput": "无法计算：{msg}",
    "conv.arithHint": "把鼠标移到特征图的一个格子上（或用 Tab 聚焦），这里会写出它的计算过程。",
    "conv.arithAt": "{pad} 输出第 {r} 行第 {c} 列：",
    "conv.bias": "偏置",
    "conv.sharing": "权值共享：同一个卷积核的 {k} 个权重用在全部 {n} 个输出位置；若用全连接层，需要 {fc} 个权重。",
    "conv.cellInput": "输入 第 {r} 行 第 {c} 列，值 {v}",
    "conv.cellKernel": "卷积核 第 {r} 行 第 {c} 列，值 {v}",
    "conv.cellOutput": "{pad} 输出 第 {r} 行 第 {c} 列，值 {v}",
    "conv.padCell": "补的 0",
  },
  en: {
    "app.title": "nnplay · neural network playground",
    "app.tagline": "Convolutional and recurrent networks; every number computed live in your browser by Rust/WebAssembly",
    "app.loading": "Loading WebAssembly…",
    "app.wasmFailed": "WebAssembly failed to load: {msg}",
    "lang.switch": "中文",
    "lang.switchLabel": "Switch to the Chinese interface",
    "nav.label": "Views",
    "nav.conv": "Convolution",
    "nav.lenet": "LeNet-5",
    "nav.pool": "Pooling",
    "pool.title": "Pooling lab",
    "pool.intro": "One patch of activations (after a ReLU, so none is below 0) through the course's three kinds of pooling: max, mean and stochastic. Stochastic pooling draws one cell with probability p_i = a_i / Σa; at inference it uses the expectation Σ a_i p_i. Change the numbers, change the seed, and watch.",
    "pool.seed": "Seed",
    "pool.resample": "Re-sample (seed + 1)",
    "pool.many": "Sample 1000 times",
    "pool.input": "Activations 4×4 (window 2×2, stride 2)",
    "pool.max": "Max pooling",
    "pool.maxRule": "the largest in the window",
    "pool.mean": "Mean pooling",
    "pool.meanRule": "the window's average",
    "pool.expect": "Stochastic (inference)",
    "pool.expectRule": "expectation Σ a_i p_i",
    "pool.sample": "Stochastic (training)",
    "pool.sampleRule": "one cell drawn with p_i",
    "pool.window": "Window {n}",
    "pool.freq": "frequency in {n} draws",
    "pool.sampled": "seed {seed} drew the value {v}",
    "pool.cellOut": "{kind}, window {n}, value {v}",
    "lenet.title": "LeNet-5: reading handwritten digits",
    "lenet.intro": "Write a digit on the left (or pick an MNIST test image) and every layer of LeNet-5 recomputes at once. Point at any unit (or use Tab and the arrow keys) to see which units of the layer below feed it, its receptive field on the input, its weights, and how its value is computed.",
    "lenet.padLabel": "28×28 drawing pad",
    "lenet.draw": "Write a digit",
    "lenet.clear": "Clear",
    "lenet.next": "Next test digit",
    "lenet.pick": "Pick an MNIST test image:",
    "lenet.testDigit": "test image",
    "lenet.label": "MNIST test image #{n}, labelled {d}",
    "lenet.drawn": "Your drawing",
    "lenet.prediction": "Prediction",
    "lenet.predicted": "Predicted digit: {d}",
    "lenet.layer.input": "Input 28×28",
    "lenet.layer.c1": "C1 convolution 5×5",
    "lenet.layer.s2": "S2 pooling 2×2",
    "lenet.layer.c3": "C3 convolution 5×5",
    "lenet.layer.s4": "S4 pooling 2×2",
    "lenet.layer.f5": "F5 fully connected",
    "lenet.layer.f6": "F6 fully connected",
    "lenet.layer.logits": "Output",
    "lenet.mapUnit": "map {m}, row {y}, column {x}; its receptive field is {h}×{w} of the input",
    "lenet.denseUnit": "unit {u}; it sees the whole input",
    "lenet.winner": "(the largest, {v}, wins)",
    "lenet.terms": "{n} products in all, plus the bias, then the activation.",
    "lenet.moreTerms": "{n} more terms",
    "lenet.poolHint": "Pooling window 2×2, stride 2.",
    "lenet.weights": "Its kernels:",
    "conv.title": "Convolution lab",
    "conv.intro":
      "Each output unit looks at a small window of the input (its local receptive field), and every window uses the same kernel (weight sharing). Hover over a cell of the feature map, or focus it with Tab, to see how it is computed.",
    "conv.preset": "Example",
    "preset.course": "Course example: 5×5 input, 3×3 kernel",
    "preset.digit": "28×28 handwritten digit, 3×3 edge kernel",
    "preset.pool28": "28×28 plane, 2×2 window, stride 2",
    "preset.pad2x3": "2×3 plane, 2×2 window, stride 2",
    "conv.stride": "Stride",
    "conv.padding": "Padding",
    "conv.input": "Input",
    "conv.kernel": "Kernel / filter",
    "conv.output": "Feature map",
    "conv.editHint": "Click a cell and type a number to change it (arrow keys move, Enter confirms).",
    "conv.drawHint": "Drag on the large image to draw; Shift-drag erases.",
    "conv.same": "SAME: pads the plane with zeros",
    "conv.valid": "VALID: windows stay inside the plane",
    "conv.sameRule": "out = ⌈in ÷ stride⌉",
    "conv.validRule": "out = ⌊(in − window) ÷ stride⌋ + 1",
    "conv.shape": "{h}×{w} → {oh}×{ow}",
    "conv.pads": "zeros: top {t}, bottom {b}, left {l}, right {r}",
    "conv.noOutput": "Cannot compute: {msg}",
    "conv.arithHint": "Hover over a cell of the feature map (or focus it with Tab) and its arithmetic appears here.",
    "conv.arithAt": "{pad} output row {r}, column {c}:",
    "conv.bias": "bias",
    "conv.sharing": "Weight sharing: the kernel's {k} weights are used at all {n} output positions; a fully connected layer would need {fc} weights.",
    "conv.cellInput": "input row {r}, column {c}, value {v}",
    "conv.cellKernel": "kernel row {r}, column {c}, value {v}",
    "conv.cellOutput": "{pad} output row {r}, column {c}, value {v}",
    "conv.padCell": "padding zero",
  },
};

export const LANGS = ["zh", "en"];

let lang = "zh";

/** The browser's preference: Chinese if any preferred language is Chinese, else English. */
export function browserLang() {
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || ""];
  return prefs.some((l) => /^zh\b/i.test(l)) ? "zh" : "en";
}

export function setLang(l) {
  lang = LANGS.includes(l) ? l : "zh";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export function getLang() {
  return lang;
}

/** The string for `key` in the current language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const s = TABLE[lang][key] ?? TABLE.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** Fills every element carrying data-i18n (text) or data-i18n-label (aria-label). */
export function translateDom(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

export const TABLES = TABLE; // for the test that every key exists in both languages
