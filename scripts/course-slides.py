#!/usr/bin/env python3
"""Splits the course deck's text (docs/course/slides.txt, a PDF's text) into slides for the
course view (www/js/views/course.js): writes JSON {"slides": [{"title", "part"?, "lines"}]}.
Run by scripts/prepare-data.sh (Trunk's pre-build hook) into www/data/course/slides.json,
which Trunk's copy-dir of www/data ships.

What the extraction looks like, and so the rules here:
- Every slide's text ends with its footer, "www.ai-xlab.com" then "AI MOOC"; the last slide
  (THANKS) has none. So a slide is the lines between two footers.
- A part's opening slide is two lines: its title and its number ("卷积神经网络CNN", "1").
- The title is the last line where the PDF wrote the heading box last (the CNN slides:
  "…", "卷积计算"), else the first ("Peephole LSTM", "和之前的公式…"). A last line is a title
  when it reads as a heading (no sentence punctuation, not a formula fragment such as "t−1");
  a first line of the form "topic:subtopic" ("序列模型应用:语音识别") is its slide's title
  wherever the last line is, since its subtitle ("把语音转换成为文字") also reads as a heading.
- Sub- and superscripts come out as lines of their own ("h", "t−1"); they are joined back in
  the course's notation that the page's subscripted() draws: "h_{t−1}". A lone "ǁ" or "෨"
  is a tilde the PDF lost its place for: "ǁ", "𝑐", "𝑡" is c̃_t.
- A sentence the PDF wrapped onto several lines is joined again: lines are joined up to the
  next one that ends with "。" when none before it ends a clause (。:: ”) and none starts
  a numbered item ("2.…"). Lists and diagram labels, which have no "。", stay line by line.
The slide text itself is kept as the deck has it (characters, full-width punctuation)."""
import json
import re
import sys
import unicodedata

FOOTER = ("www.ai-xlab.com", "AI MOOC")
TILDES = {"ǁ", "෨"}
# A line that is a subscript of what precedes it: t, t−1, t-1 (after the math letters are
# made plain: 𝑡 is t).
SUB = re.compile(r"^t(?:[−-]1)?$")
# Ends a clause or a sentence: what a wrapped line never ends with.
STOP = ("。", ":", ":", "”", "?", "!", "?", "!")
SENTENCE_PUNCT = re.compile(r"[。,,;;、“”]")
SERIES_TITLE = re.compile(r"^[^\s::]{1,8}[::][^\s::]{1,8}$")
NUMBERED = re.compile(r"^\d+[.、.]")


def plain_math(line):
    """Math italic letters (𝑐, 𝑡, ℎ) as plain ones; the rest of the line as it is."""
    return "".join(unicodedata.normalize("NFKC", c) if 0x1D400 <= ord(c) <= 0x1D7FF or c == "ℎ" else c for c in line)


def pages(text):
    """The deck's slides as lists of lines, footers dropped."""
    lines = [plain_math(l.strip()) for l in text.splitlines()]
    out, cur, i = [], [], 0
    while i < len(lines):
        if tuple(lines[i : i + 2]) == FOOTER:
            out.append(cur)
            cur, i = [], i + 2
            continue
        if lines[i]:
            cur.append(lines[i])
        i += 1
    if cur:
        out.append(cur)
    return [p for p in out if p]


def heading_like(line):
    """A line that reads as a slide title: no sentence punctuation, no trailing colon, at
    least two letters or characters, not a long sentence."""
    letters = sum(1 for c in line if c.isalpha())
    return letters >= 2 and not SENTENCE_PUNCT.search(line) and not line.endswith((":", ":")) and len(line) <= 40


def split_title(lines):
    """(title, body lines, part number or None) of one slide's lines."""
    if len(lines) == 1:
        return lines[0], [], None
    if len(lines) == 2 and lines[1].isdigit():
        return lines[0], [], int(lines[1])
    if SERIES_TITLE.match(lines[0]):
        return lines[0], lines[1:], None
    if heading_like(lines[-1]):
        return lines[-1], lines[:-1], None
    return lines[0], lines[1:], None


def sub(text):
    return text if len(text) == 1 else "{" + text + "}"


def join_scripts(lines):
    """Puts the lines that are sub- or superscripts, tildes and lone punctuation back into the
    line they belong to; returns the lines in the course's notation (h_{t−1})."""
    out = []
    after_sub = False  # the last thing added was a subscript
    tilde = False
    for line in lines:
        cur = out[-1] if out else ""
        if line in TILDES:
            tilde = True
            after_sub = False
            continue
        lone = len(line) == 1 and line.isalpha()
        if out and not tilde and (
            (SUB.match(line) and re.search(r"[A-Za-zσ]\u0303?$", cur)) or (lone and line.islower() and cur.endswith("σ"))
        ):
            out[-1] = cur + "_" + sub(line)
            after_sub = True
            continue
        if lone:
            # A symbol of its own: the start of a legend line ("i", "t", "输入门信号"), or inside
            # a formula when the line is open ("[h_{t−1},", "h̃_t").
            symbol = line + ("\u0303" if tilde else "")
            if out and cur.endswith((" ", "(", "[", ",", ",")):
                out[-1] = cur + symbol
            else:
                out.append(symbol)
            tilde = after_sub = False
            continue
        tilde = False
        if out and re.fullmatch(r"[\s\]\)。,,、]+.*", line) and len(re.sub(r"[\s\]\)。,,、]", "", line)) <= 2:
            # Lone punctuation ("。", "]", "] 。因"): the end of the line before.
            out[-1] = cur + line
            after_sub = False
            continue
        if after_sub and out and not re.match(r"^[A-Za-z]{2,}\s", line):
            # What follows a subscript on the same line of the slide ("是更新门…", ",c").
            out[-1] = cur + ("" if re.match(r"^[\]\),,。]", line) else " ") + line
            after_sub = False
            continue
        out.append(line)
        after_sub = False
    return out


def join_wrapped(lines):
    """Joins the lines of a sentence the PDF wrapped: see the module's comment."""
    out = []
    i = 0
    while i < len(lines):
        cur = lines[i]
        j = i + 1
        # The run of lines after cur up to the first that ends with a stop.
        end = j
        while end < len(lines) and not lines[end - 1].endswith(STOP) and not NUMBERED.match(lines[end]):
            if lines[end].endswith("。"):
                break
            end += 1
        if (
            end < len(lines)
            and not cur.endswith(STOP)
            and lines[end].endswith("。")
            and not any(NUMBERED.match(l) for l in lines[j : end + 1])
        ):
            cur = "".join(lines[i : end + 1])
            i = end + 1
        else:
            i = j
        out.append(cur)
    return out


def slides(text):
    out = []
    for page in pages(text):
        title, body, part = split_title(page)
        slide = {"title": title, "lines": join_wrapped(join_scripts(body))}
        if part is not None:
            slide["part"] = part
        out.append(slide)
    return out


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    deck = slides(open(src, encoding="utf-8").read())
    with open(dst, "w", encoding="utf-8") as f:
        json.dump({"source": "docs/course/slides.txt", "slides": deck}, f, ensure_ascii=False, indent=0)
        f.write("\n")
