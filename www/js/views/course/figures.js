// Which live figure shows which slide of the course deck. The deck's text is data
// (data/course/slides.json, made from docs/course/slides.txt by scripts/course-slides.py); this
// table only says, slide by slide, which view state shows it, and names each slide for the
// i18n tables (course.s.<id>: an English title and summary, a Chinese note).
//
// Entries are matched to slides in order by `at`, a few characters of the slide's own text,
// rather than by slide number: a slide added to the deck then shifts nothing; it only shows
// without a figure until it gets an entry. tests/e2e/course.test.mjs checks every entry finds
// its slide.

/** The view state of each figure, as a hash (each view's own schema, as any link says it). */
const CONV = "view=conv&preset=course&stride=1&pad=valid";
const DIGIT = "view=conv&preset=digit&stride=1&pad=same";

export const FIGURES = [
  { id: "cover", at: "pytorch" },
  { id: "part1", at: "卷积神经网络CNN" },
  { id: "cnn", at: "传统BP" },
  // The receptive field: a 3×3 window over a handwritten 7, moved by pointing at an output.
  { id: "field", at: "receptive field", fig: DIGIT },
  { id: "sharing", at: "权值共享", fig: CONV },
  { id: "arith", at: "= 4", fig: CONV },
  { id: "stride", at: "步长为2", fig: "view=conv&preset=course&stride=2&pad=valid" },
  // The filter: an edge detector (Sobel) over the same digit.
  { id: "filter", at: "滤波器", fig: DIGIT },
  { id: "pooling", at: "Pooling常用", fig: "view=pool" },
  { id: "padding", at: "给平面外部补0", fig: "view=conv&preset=course&stride=1&pad=same" },
  { id: "padding-fig", at: "VALID PADDING", fig: "view=conv&preset=pool28&stride=2&pad=same" },
  // The slide's two examples: 28×28 (slide before) and 2×3 with a 2×2 window, stride 2.
  { id: "padding-sizes", at: "28*28", fig: "view=conv&preset=pad2x3&stride=2&pad=same" },
  { id: "lenet", at: "美国银行", fig: "view=lenet&digit=4" },
  // The slide links to Harley's visualisations; the 3D mode is this page's own.
  { id: "lenet-vis", at: "可视化", fig: "view=lenet&digit=4&mode=3d" },
  { id: "part2", at: "ImageNet介绍" },
  { id: "imagenet", at: "1500万", fig: "view=ilsvrc" },
  { id: "feifei", at: "1976年" },
  { id: "ilsvrc", at: "ILSVRC:", fig: "view=ilsvrc" },
  { id: "ilsvrc-2", at: "ILSVRC:", fig: "view=ilsvrc" },
  { id: "part3", at: "序列模型" },
  { id: "rnn", at: "1986年", fig: "view=rnn&cell=elman" },
  { id: "speech", at: "语音识别" },
  { id: "classify", at: "文本分类" },
  { id: "translate", at: "机器翻译" },
  { id: "bmes", at: "BMES", fig: "view=seg" },
  { id: "rnn-fig", at: "RNN(Recurrent", fig: "view=rnn&cell=elman" },
  { id: "elman", at: "Elman", fig: "view=rnn&cell=jordan" },
  // The two fill-in-the-blank sentences, one figure each (the language model's presets).
  { id: "blanks", at: "例子1", fig: `view=lm&text=${encodeURIComponent("有一朵云飘在")}` },
  { id: "blanks-2", at: "RNN(Recurrent", fig: `view=lm&text=${encodeURIComponent("我从小生长在美国。。。我可以说一口流利的")}` },
  { id: "part4", at: "长短时记忆网络LSTM" },
  { id: "lstm", at: "输入门信号", fig: "view=rnn&cell=lstm" },
  { id: "peephole", at: "Peephole", fig: "view=rnn&cell=peephole" },
  { id: "fc-lstm", at: "FC-LSTM", fig: "view=rnn&cell=fc" },
  { id: "lstm-fig", at: "LSTM(Long", fig: "view=rnn&cell=lstm" },
  // The deck's second LSTM diagram: the same cell a few steps on, its memory no longer empty.
  { id: "lstm-fig-2", at: "LSTM(Long", fig: "view=rnn&cell=lstm&pos=3" },
  { id: "part5", at: "门控循环单元GRU" },
  { id: "gru", at: "GRU(Gated", fig: "view=rnn&cell=gru" },
  { id: "part6", at: "其他RNN模型" },
  { id: "bi", at: "双向RNN", fig: "view=rnn&cell=lstm&bi=1" },
  // The slide's figure is "双向的三层 RNNs": three layers, both directions.
  { id: "stacked", at: "Stacked", fig: "view=rnn&cell=lstm&bi=1&layers=3" },
  { id: "thanks", at: "THANKS" },
];

/** The slide's text as one string, for matching `at`. */
const textOf = (s) => [s.title, ...s.lines].join("\n");

/** Each slide of `deck` with its entry of FIGURES (or null): the first entry not yet used
 *  whose `at` is in the slide's text, looking no further back than the last one matched. */
export function withFigures(deck) {
  let next = 0;
  return deck.map((slide) => {
    const text = textOf(slide);
    for (let k = next; k < FIGURES.length; k++) {
      if (text.includes(FIGURES[k].at)) {
        next = k + 1;
        return { ...slide, id: FIGURES[k].id, fig: FIGURES[k].fig ?? null };
      }
    }
    return { ...slide, id: null, fig: null };
  });
}
