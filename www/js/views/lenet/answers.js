// What a bare state_dict cannot tell nnplay (its image size, each parameter-free layer's
// kind, each convolution's stride and padding), asked as a form: nnplay's assumptions are
// filled in, the student changes what is wrong and applies it.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";

const FREE = {
  relu: { type: "relu" },
  tanh: { type: "tanh" },
  sigmoid: { type: "sigmoid" },
  identity: { type: "identity" },
  max_pool2d: { type: "max_pool2d", kernel: [2, 2], stride: [2, 2] },
  avg_pool2d: { type: "avg_pool2d", kernel: [2, 2], stride: [2, 2] },
  flatten: { type: "flatten" },
};

const dims = (d) => d.join("×");

function select(id, options, value) {
  const s = el("select", { id }, ...options.map(([v, text]) => el("option", { value: v, text })));
  s.value = value;
  return s;
}

/** The form for `seen` (Network.inspect's { input, layers, questions }, the layers as last
 *  answered); `apply(described)` builds the network with the answers ({ input, layers }). */
export function answersForm(seen, apply) {
  const fields = [];
  const items = seen.questions.map((q, i) => {
    const id = `lenet-answer-${i}`;
    const row = el("li", {}, el("span", { text: q.sentence + " " }));
    if (q.kind === "input") {
      const s = select(id, q.fits.map((f) => [JSON.stringify(f), dims(f)]), JSON.stringify(seen.input));
      fields.push((d) => (d.input = JSON.parse(s.value)));
      s.setAttribute("aria-label", t("lenet.answer.input"));
      row.append(s);
    } else if (q.kind === "layer") {
      const s = select(id, Object.keys(FREE).map((k) => [k, t(`lenet.answer.${k}`)]), seen.layers[q.index].type);
      fields.push((d) => (d.layers[q.index] = FREE[s.value]));
      s.setAttribute("aria-label", t("lenet.answer.layer", { i: q.index }));
      row.append(s);
    } else if (q.kind === "window") {
      const now = seen.layers[q.index];
      const k = now.kernel[0];
      const strides = select(`${id}-s`, [1, 2, 3, 4].map((v) => [String(v), String(v)]), String(now.stride[0]));
      const pads = [...Array.from({ length: k }, (_, p) => [String(p), String(p)]), ["same", "SAME"], ["valid", "VALID"]];
      const pad = select(`${id}-p`, pads, typeof now.padding === "string" ? now.padding : String(now.padding[0]));
      fields.push((d) => {
        const p = pad.value === "same" || pad.value === "valid" ? pad.value : [Number(pad.value), Number(pad.value)];
        d.layers[q.index] = { ...d.layers[q.index], stride: [Number(strides.value), Number(strides.value)], padding: p };
      });
      row.append(
        el("label", { for: `${id}-s`, text: ` ${t("lenet.answer.stride")} ` }), strides,
        el("label", { for: `${id}-p`, text: ` ${t("lenet.answer.padding")} ` }), pad,
      );
    }
    return row;
  });
  const go = el("button", { type: "button", id: "lenet-answers-apply", text: t("lenet.answer.apply") });
  go.addEventListener("click", () => {
    const d = { input: [...seen.input], layers: seen.layers.map((l) => ({ ...l })) };
    for (const f of fields) f(d);
    apply(d);
  });
  return el("div", { class: "lenet-answers" }, el("ul", { class: "hint lenet-questions" }, ...items), fields.length ? go : "");
}
