// A grid of numbered cells (input, kernel or feature map), keyboard-operable as a WAI-ARIA
// grid: one cell in the tab order, arrow keys move, typing edits. Small grids show their
// numbers; large ones (28×28) show shades and can be drawn on. An optional ring of padding
// cells shows SAME's zeros around the plane. Its colours come from the caller (palette.js).

import { fmt } from "./format.js";

function short(v) {
  const s = String(Math.round(v * 10) / 10);
  return s.replace(/^(-?)0\./, "$1.").replace(/^-?\.?0$/, "0");
}

export function makeGrid(o) {
  const ring = o.ring ?? { top: 0, bottom: 0, left: 0, right: 0 };
  const totalCols = o.cols + ring.left + ring.right;
  const size = totalCols <= 8 ? "lg" : totalCols <= 16 ? "md" : "sm";
  const showText = size !== "sm";
  const grid = document.createElement("div");
  grid.className = `grid size-${size}`;
  // Read-only grids are ARIA grids (rows of gridcells); editable ones are groups of labelled
  // inputs, since an input cannot also be a gridcell.
  const aria = o.editable === "type" && showText ? "group" : "grid";
  grid.setAttribute("role", aria);
  grid.style.gridTemplateColumns = `repeat(${totalCols}, var(--cell-${size}))`;
  const byPos = new Map();
  const real = []; // [r][c] -> element
  let marked = new Map(); // cls -> elements

  function paint(cell, v, undo = false) {
    cell.style.backgroundColor = o.color(v);
    cell.classList.toggle("dark", o.dark(v));
    const label = o.label(cell._r, cell._c, v);
    const text = showText ? fmtCell(v) : "";
    // Five characters or more ("0.875") overflow a large cell at its usual size.
    cell.classList.toggle("long", text.length > 4);
    if (cell.tagName === "INPUT") {
      // Not under the student's fingers, unless undoing what they typed.
      if (undo || document.activeElement !== cell) cell.value = text;
      cell.setAttribute("aria-label", label);
    } else {
      if (showText) cell.textContent = text;
      cell.setAttribute("aria-label", label);
      cell.title = label;
    }
  }
  // Medium cells (up to 16 columns) have room for two characters or so: one decimal, no
  // leading zero (".4"). The exact value is always in the label and the arithmetic.
  const fmtCell = (v) => (size === "md" && !Number.isInteger(v) ? short(v) : fmt(v));

  for (let r = -ring.top; r < o.rows + ring.bottom; r++) {
    const row = [];
    // A row element that the CSS grid ignores (display: contents) but assistive tech sees.
    const rowEl = document.createElement("div");
    rowEl.className = "grid-row";
    if (aria === "grid") rowEl.setAttribute("role", "row");
    for (let c = -ring.left; c < o.cols + ring.right; c++) {
      const inside = r >= 0 && r < o.rows && c >= 0 && c < o.cols;
      let cell;
      if (!inside) {
        cell = document.createElement("div");
        cell.className = "cell pad";
        cell.setAttribute("aria-hidden", "true");
        cell.title = o.padLabel ?? "";
        if (showText) cell.textContent = "0";
      } else if (o.editable === "type" && showText) {
        cell = document.createElement("input");
        cell.className = "cell";
        cell.inputMode = "decimal";
        cell.autocomplete = "off";
        cell.spellcheck = false;
      } else {
        cell = document.createElement("div");
        cell.className = "cell";
        cell.setAttribute("role", "gridcell");
      }
      cell._r = r;
      cell._c = c;
      byPos.set(`${r},${c}`, cell);
      if (inside) {
        cell.tabIndex = r === 0 && c === 0 ? 0 : -1;
        paint(cell, o.values[r * o.cols + c]);
        row.push(cell);
      }
      rowEl.append(cell);
    }
    grid.append(rowEl);
    if (row.length) real.push(row);
  }

  const cellAt = (r, c) => real[r]?.[c];
  function moveTo(r, c) {
    const next = cellAt(Math.max(0, Math.min(o.rows - 1, r)), Math.max(0, Math.min(o.cols - 1, c)));
    if (!next) return;
    for (const row of real) for (const cell of row) cell.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
    if (next.tagName === "INPUT") next.select();
  }
  const set = (cell, v) => {
    if (!Number.isFinite(v) || !o.onEdit) return;
    o.onEdit(cell._r * o.cols + cell._c, v);
  };
  /** What an input cell holds as a number ("−1" as typed on a phone too), or NaN. */
  const typed = (cell) => (cell.value.trim() === "" ? NaN : Number(cell.value.trim().replace("−", "-")));
  /** Commits an input cell: its number, or back to the value it had if it is not one. */
  const commit = (cell) => {
    const v = typed(cell);
    if (Number.isFinite(v)) set(cell, v);
    else paint(cell, o.values[cell._r * o.cols + cell._c], true);
  };

  grid.addEventListener("keydown", (e) => {
    const cell = e.target;
    if (cell._r === undefined || cell.classList.contains("pad")) return;
    const { _r: r, _c: c } = cell;
    const isInput = cell.tagName === "INPUT";
    const atStart = !isInput || cell.selectionStart === 0;
    const atEnd = !isInput || cell.selectionEnd === cell.value.length;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key] && (e.key.endsWith("Up") || e.key.endsWith("Down") || (e.key === "ArrowLeft" ? atStart : atEnd))) {
      e.preventDefault();
      if (isInput && typed(cell) !== o.values[r * o.cols + c]) {
        // Commit the typed value first (moving would blur the cell mid-move, and its change
        // event would rebuild the grid under the move). The view rebuilds the grid and the
        // page puts the focus on this cell of the new grid: the move goes on from there.
        commit(cell);
        if (!cell.isConnected) {
          document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: e.key, bubbles: true }));
          return;
        }
      }
      moveTo(r + moves[e.key][0], c + moves[e.key][1]);
    } else if (e.key === "Home" || e.key === "End") {
      if (isInput) return;
      e.preventDefault();
      moveTo(r, e.key === "Home" ? 0 : o.cols - 1);
    } else if (isInput && e.key === "Enter") {
      e.preventDefault();
      commit(cell);
    } else if (o.editable === "draw" && (e.key === " " || e.key === "Enter")) {
      e.preventDefault();
      set(cell, o.values[r * o.cols + c] > 0.5 ? 0 : 1);
    } else if (o.editable === "draw" && /^[0-9]$/.test(e.key)) {
      set(cell, Number(e.key) / 9);
    }
  });
  grid.addEventListener("change", (e) => {
    if (e.target.tagName === "INPUT") commit(e.target);
  });
  // The first click on a number selects it, as in a spreadsheet, so typing 2 replaces the 0
  // instead of making it 20; a second click places the caret.
  grid.addEventListener("mousedown", (e) => {
    const cell = e.target;
    if (cell.tagName !== "INPUT" || cell === document.activeElement) return;
    e.preventDefault();
    cell.focus();
    cell.select();
  });

  if (o.onFocus) {
    const pick = (e) => {
      const cell = e.target.closest?.(".cell");
      if (cell && !cell.classList.contains("pad")) o.onFocus(cell._r, cell._c);
    };
    grid.addEventListener("focusin", pick);
    grid.addEventListener("pointerover", pick);
  }

  if (o.editable === "draw") {
    let ink = null;
    const draw = (e) => {
      const cell = document.elementFromPoint(e.clientX, e.clientY);
      if (ink === null || !cell || cell._r === undefined || !grid.contains(cell) || cell.classList.contains("pad")) return;
      if (o.values[cell._r * o.cols + cell._c] !== ink) set(cell, ink);
    };
    grid.addEventListener("pointerdown", (e) => {
      ink = e.shiftKey || e.button === 2 ? 0 : 1;
      grid.setPointerCapture(e.pointerId);
      draw(e);
      e.preventDefault();
    });
    grid.addEventListener("pointermove", draw);
    const stop = () => (ink = null);
    grid.addEventListener("pointerup", stop);
    grid.addEventListener("pointercancel", stop);
    grid.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  return {
    el: grid,
    /** Marks exactly these [row, col] cells (padding cells included) with `cls`. */
    highlight(cells, cls) {
      for (const e of marked.get(cls) ?? []) e.classList.remove(cls);
      const now = cells.map(([r, c]) => byPos.get(`${r},${c}`)).filter(Boolean);
      for (const e of now) e.classList.add(cls);
      marked.set(cls, now);
    },
    highlightAll(cls) {
      this.highlight([...byPos.keys()].map((k) => k.split(",").map(Number)), cls);
    },
    /** Shows the padding band of one padding mode; ring cells outside it are hidden. */
    showPadding(p) {
      for (const [key, e] of byPos) {
        if (!e.classList.contains("pad")) continue;
        const [r, c] = key.split(",").map(Number);
        const on = r >= -p.top && r < o.rows + p.bottom && c >= -p.left && c < o.cols + p.right;
        e.classList.toggle("off", !on);
      }
    },
    /** Repaints values in place (used while drawing on a large grid). */
    repaint(values) {
      o.values = values;
      for (const row of real) for (const cell of row) paint(cell, values[cell._r * o.cols + cell._c]);
    },
  };
}
