// The course, live (#view=course): the deck's slides in the course's order, moved by keys (a
// clicker's PageUp / PageDown too), buttons and the URL; each slide's live figure works in its
// frame (the convolution's "= 4", the language model's choices); projector mode has no text
// under 24 px at 1920×1080; both languages.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, textSizes, RESULTS, DIST } from "./harness.mjs";
import { FIGURES, withFigures } from "../../www/js/views/course/figures.js";

const env = sharedBrowser();

/** The built deck (scripts/course-slides.py's output, as the page fetches it). */
const deck = () => JSON.parse(fs.readFileSync(path.join(DIST, "data/course/slides.json"), "utf8")).slides;
/** The 1-based number of the first slide whose text includes `text`. */
const slideWith = (text) => deck().findIndex((s) => [s.title, ...s.lines].join("\n").includes(text)) + 1;

async function openCourse(hash, { locale = "zh-CN", viewport } = {}) {
  const o = await openPage(env.browser, env.server.url, { locale });
  if (viewport) await o.page.setViewportSize(viewport);
  await gotoView(o.page, env.server.url, hash);
  await o.page.waitForSelector(".view.course[data-ready=true]");
  return o;
}

const slideOf = (page) => Number(new URL(page.url()).hash.match(/[#&]slide=(\d+)/)?.[1]);
/** The figure's frame, once the page in it has started. */
async function figure(page) {
  const frame = await (await page.waitForSelector(".slide-figure:not([hidden]) iframe")).contentFrame();
  await frame.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  return frame;
}

test("the deck is the course's, split into its slides in order, and every figure finds its slide", () => {
  const slides = deck();
  assert.equal(slides.length, 41);
  const titles = slides.map((s) => s.title);
  const order = [
    "pytorch 卷积神经网络CNN", "卷积神经网络CNN", "CNN", "局部感受野", "局部感受野和权值共享", "卷积计算", "不同步长的卷积",
    "池化Pooling", "Padding", "LeNET-5", "ImageNet介绍", "ImageNet", "李飞飞", "ILSVRC", "序列模型",
    "RNN(Recurrent Neural Network)", "序列模型应用:语音识别", "序列模型应用:分词标注", "长短时记忆网络LSTM",
    "LSTM(Long Short Term Memory)", "Peephole LSTM", "FC-LSTM(Fully-connected LSTM )", "门控循环单元GRU",
    "GRU(Gated Recurrent Unit)", "其他RNN模型", "双向RNN(Bidirectional RNNs)", "Stacked Bidirectional RNNs", "THANKS",
  ];
  let at = -1;
  for (const title of order) {
    const i = titles.indexOf(title, at + 1);
    assert.ok(i > at, `"${title}" comes after slide ${at + 1} (titles: ${titles.join(" | ")})`);
    at = i;
  }
  // The parts' opening slides carry their numbers; the footer never reaches a slide.
  assert.deepEqual(slides.filter((s) => s.part).map((s) => s.part), [1, 2, 3, 4, 5, 6]);
  assert.ok(!JSON.stringify(slides).includes("www.ai-xlab.com"));
  // The PDF's wrapped sentences are joined again, its subscripts put back.
  assert.ok(slides[slideWith("Hubel") - 1].lines.length === 1, "the history slide is one paragraph");
  assert.ok(slides[slideWith("输入门信号") - 1].lines.includes("i_t 输入门信号"));
  assert.ok(slides[slideWith("GRU 这个结构") - 1].lines.includes("h_t 是当前输出,接收 [h_{t−1},h̃_t]"));
  // Every entry of the figure table is matched to one slide, in order, and the right one.
  const matched = withFigures(slides);
  assert.deepEqual(matched.map((s) => s.id).filter(Boolean), FIGURES.map((f) => f.id));
  assert.equal(matched[slideWith("= 4") - 1].id, "arith");
  assert.equal(matched[slideWith("例子1") - 1].id, "blanks");
  assert.equal(matched[slideWith("Stacked") - 1].id, "stacked");
});

test("PageDown / PageUp, arrows, Home / End and the buttons move; the URL follows and a reload keeps the slide", async () => {
  const { page, context, errors, foreign } = await openCourse("#view=course");
  const entries = await page.evaluate(() => history.length);
  assert.equal(slideOf(page), 1);
  assert.equal(await page.textContent("#course-slide-title"), "pytorch 卷积神经网络CNN");
  await page.keyboard.press("PageDown");
  assert.equal(slideOf(page), 2);
  assert.equal(await page.textContent(".slide-part"), "第 1 部分");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Space");
  assert.equal(slideOf(page), 4);
  assert.equal(await page.textContent("#course-slide-title"), "局部感受野");
  await page.keyboard.press("PageUp");
  await page.keyboard.press("ArrowLeft");
  assert.equal(slideOf(page), 2);
  await page.click("#course-next");
  assert.equal(slideOf(page), 3);
  assert.equal(await page.textContent("#course-count"), "3 / 41");
  await page.click("#course-prev");
  assert.equal(slideOf(page), 2);
  await page.keyboard.press("End");
  assert.equal(slideOf(page), 41);
  assert.equal(await page.isDisabled("#course-next"), true);
  await page.keyboard.press("PageDown"); // past the end: stays
  assert.equal(slideOf(page), 41);
  await page.keyboard.press("Home");
  assert.equal(slideOf(page), 1);
  assert.equal(await page.isDisabled("#course-prev"), true);
  // The slide list jumps.
  await page.selectOption("#course-slide", String(slideWith("池化Pooling")));
  assert.equal(await page.textContent("#course-slide-title"), "池化Pooling");
  await page.reload();
  await page.waitForSelector(".view.course[data-ready=true]");
  assert.equal(await page.textContent("#course-slide-title"), "池化Pooling", "a reload keeps the slide");
  assert.equal(slideOf(page), slideWith("池化Pooling"));
  // The slides leave no trail in the browser's history (the frame's hash is replaced too).
  assert.equal(await page.evaluate(() => history.length), entries);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test("the convolution slide's figure shows the = 4 arithmetic; the figure keeps its arrow keys, PageDown still turns the slide", async () => {
  const n = slideWith("= 4");
  const { page, context, errors } = await openCourse(`#view=course&slide=${n}`);
  assert.equal(await page.textContent("#course-slide-title"), "卷积计算");
  assert.match(await page.textContent(".slide-text"), /1\*1\+1\*0\+1\*1\+0\*0\+1\*1\+1\*0\+0\*1\+0\*0\+1\*1 = 4/);
  const frame = await figure(page);
  assert.match(frame.url(), /view=conv/);
  assert.equal(await frame.isVisible("header.top"), false, "the figure's page has no header");
  await frame.hover(".out-valid .grid .cell:not(.pad) >> nth=0");
  assert.match(await frame.textContent("#conv-arith"), /= 4$/);
  // Keys inside the figure are the figure's: arrows on the stride select change the stride.
  await frame.focus("#conv-stride");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await frame.waitForFunction(() => /stride=3/.test(location.hash));
  assert.equal(slideOf(page), n, "an arrow in the figure does not turn the slide");
  // A clicker's PageDown while the figure has the focus (not in a form field) turns the slide.
  await frame.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("PageDown");
  assert.equal(slideOf(page), n + 1);
  assert.equal(await page.textContent("#course-slide-title"), "不同步长的卷积");
  // The same frame now shows this slide's figure: stride 2.
  await frame.waitForFunction(() => /stride=2/.test(location.hash));
  assert.equal(await frame.inputValue("#conv-stride"), "2");
  assert.deepEqual(errors, []);
  await context.close();
});

test("turning slides while the figure's page still loads ends on the figure shown now, no download cut off", async () => {
  const { page, errors, context } = await openCourse(`#view=course&lang=zh&slide=${slideWith("= 4")}`);
  // The frame has begun loading the convolution's figure: turn at once to pooling.
  await page.selectOption("#course-slide", String(slideWith("Pooling常用")));
  const frame = await figure(page);
  await frame.waitForSelector("section.view.pool");
  assert.match(frame.url(), /view=pool/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the fill-in-the-blank slides show the language model's choices for the two sentences", async () => {
  const n = slideWith("例子1");
  const { page, context, errors, foreign } = await openCourse(`#view=course&slide=${n}`);
  const frame = await figure(page);
  await frame.waitForSelector(".view.lm[data-ready=true] .lm-next li", { timeout: 30000 });
  assert.equal(await frame.inputValue("#lm-text"), "有一朵云飘在");
  const choices = await frame.locator(".lm-next li").count();
  assert.ok(choices >= 5, `${choices} choices`);
  assert.match(await frame.textContent(".lm-next"), /\d+(\.\d)?%/);
  await page.click("#course-next");
  await frame.waitForFunction(() => document.querySelector("#lm-text")?.value === "我从小生长在美国。。。我可以说一口流利的");
  await frame.waitForSelector(".view.lm[data-ready=true] .lm-next li");
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

for (const lang of ["zh", "en"]) {
  test(`projector mode (${lang}): no text under 24 px at 1920×1080, the figure large; the toggle and the URL agree`, async () => {
    const { page, context, errors } = await openCourse(`#view=course&lang=${lang}&slide=1`, { locale: lang === "zh" ? "zh-CN" : "en-US", viewport: { width: 1920, height: 1080 } });
    await page.click("#course-projector");
    assert.match(page.url(), /projector=1/);
    assert.equal(await page.getAttribute("#course-projector", "aria-pressed"), "true");
    assert.equal(await page.isVisible("header.top"), false);
    for (const text of ["pytorch", "卷积神经网络CNN", "= 4", "Pooling常用", "28*28", "美国银行", "1500万", "BMES", "例子1", "输入门信号", "GRU 这个结构", "Stacked"]) {
      const n = slideWith(text);
      await page.selectOption("#course-slide", String(n));
      await page.waitForFunction((k) => new URLSearchParams(location.hash.slice(1)).get("slide") === String(k), n);
      const sizes = await textSizes(page);
      assert.ok(sizes.length >= 6, `slide ${n}: ${sizes.length} texts checked`);
      assert.deepEqual(sizes.filter((s) => s.px < 24), [], `slide ${n}: text under 24 px`);
      if (await page.isVisible(".slide-figure")) {
        const box = await page.locator(".slide-figure").boundingBox();
        assert.ok(box.width >= 1150 && box.height >= 900, `slide ${n}: the figure is ${box.width}×${box.height}`);
        // The figure is in projector mode too, its frame drawn at its own size.
        const frame = await figure(page);
        const fig = Object.fromEntries(new URLSearchParams(withFigures(deck())[n - 1].fig));
        await frame.waitForFunction((want) => {
          const has = new URLSearchParams(location.hash.slice(1));
          // A field at its default is left out of the hash.
          const shows = ([k, v]) => !has.has(k) || has.get(k) === v;
          return has.get("projector") === "1" && has.get("view") === want.view && Object.entries(want).every(shows) && document.querySelector(`.view.${want.view}`);
        }, fig);
        // Views that load a network first say when it has come.
        await frame.waitForSelector(`.view.${fig.view}${["lenet", "lm", "seg"].includes(fig.view) ? "[data-ready=true]" : ""}`, { timeout: 30000 });
        const frameBox = await page.locator(".slide-figure iframe").boundingBox();
        assert.equal(Math.round(frameBox.width), await frame.evaluate(() => innerWidth), "the frame is not scaled");
        await page.waitForTimeout(300); // SVG labels are lifted in the frame after it renders
        const inFigure = await textSizes(frame);
        assert.ok(inFigure.length >= 10, `slide ${n}: ${inFigure.length} texts checked in the figure`);
        assert.deepEqual(inFigure.filter((s) => s.px < 24), [], `slide ${n}: text under 24 px in the figure`);
      }
      if (n === slideWith("= 4")) {
        fs.mkdirSync(RESULTS, { recursive: true });
        const frame = await figure(page);
        await frame.focus(".out-valid .grid .cell:not(.pad) >> nth=0");
        assert.match(await frame.textContent("#conv-arith"), /= 4$/);
        await page.screenshot({ path: path.join(RESULTS, `course-projector-${lang}.png`) });
      }
    }
    // Ink on white: the slide's words are the palette's ink on a light ground.
    const colours = await page.evaluate(() => [getComputedStyle(document.querySelector(".slide-text p")).color, getComputedStyle(document.querySelector(".slide-gloss")).color]);
    for (const c of colours) assert.equal(c, "rgb(29, 39, 51)");
    await page.reload();
    await page.waitForSelector(".view.course[data-ready=true]");
    assert.equal(await page.evaluate(() => document.body.classList.contains("projector")), true, "a reload stays in projector mode");
    await page.click("#course-projector");
    assert.doesNotMatch(page.url(), /projector=1/);
    assert.equal(await page.isVisible("header.top"), true);
    // Turning projector mode on over a figure keeps what was done with it (the last slide
    // above has the RNN).
    const frame = await figure(page);
    await frame.waitForFunction(() => !document.body.classList.contains("projector"));
    await frame.click("#rnn-step");
    await frame.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get("pos") === "1");
    await page.click("#course-projector");
    await frame.waitForFunction(() => document.body.classList.contains("projector"));
    assert.equal(new URLSearchParams(new URL(frame.url()).hash.slice(1)).get("pos"), "1", "the figure's step is kept");
    // Leaving the course leaves projector mode behind.
    await gotoView(page, env.server.url, `#view=pool&lang=${lang}`);
    await page.waitForSelector("section.view.pool");
    assert.equal(await page.evaluate(() => document.body.classList.contains("projector")), false);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("in English the slide keeps the deck's Chinese, marked as Chinese, with an English summary; the nav links the course", async () => {
  const n = slideWith("Peephole");
  const { page, context, errors } = await openCourse(`#view=course&lang=en&slide=${n}`, { locale: "en-US" });
  assert.equal(await page.textContent("#course-slide-title"), "Peephole LSTM");
  assert.equal(await page.getAttribute("#course-slide-title", "lang"), "zh-CN");
  assert.match(await page.textContent(".slide-text p"), /窥视孔/);
  assert.match(await page.textContent(".slide-gloss"), /gates read the cell state/);
  // The course's subscripts, drawn as such: h_{t−1} is h with a subscript t−1.
  assert.ok((await page.locator(".slide-text sub").allTextContents()).includes("t−1"));
  assert.equal(await page.textContent("#course-prev"), "◀ Previous");
  assert.equal(await page.getAttribute("nav a[data-view=course]", "aria-current"), "page");
  const frame = await figure(page);
  assert.match(frame.url(), /cell=peephole/);
  assert.equal(await frame.evaluate(() => document.documentElement.lang), "en");
  await page.setViewportSize({ width: 1280, height: 800 });
  fs.mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, "course-en.png") });
  // The language button switches the slide's words around it, and the figure with them.
  await page.click("#lang-switch");
  await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
  await page.waitForSelector(".view.course[data-ready=true]");
  assert.match(await page.textContent(".slide-gloss"), /窥视孔 LSTM/);
  assert.equal(slideOf(page), n);
  const zhFrame = await figure(page);
  assert.match(zhFrame.url(), /lang=zh/);
  assert.equal(await zhFrame.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.deepEqual(errors, []);
  await context.close();
});

test("on a phone the figure is under the words and nothing scrolls sideways", async () => {
  const n = slideWith("= 4");
  const { page, context } = await openCourse(`#view=course&slide=${n}`, { viewport: { width: 360, height: 740 } });
  const words = await page.locator(".slide-words").boundingBox();
  const fig = await page.locator(".slide-figure").boundingBox();
  assert.ok(fig.y >= words.y + words.height - 1, "the figure is below the words");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), "no sideways scrolling");
  fs.mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, "course-phone.png"), fullPage: true });
  await context.close();
});
