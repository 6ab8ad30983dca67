// The page's one colour palette: every view, chart and the 3D mode draw with these. style.css
// declares the same colours as custom properties of the same names (--ink, --accent, …), and
// tests/e2e/palette.test.mjs keeps the two equal.

export const COLORS = {
  ink: "#1d2733", // text; the drawing pad's ink
  muted: "#5b6776", // secondary text, axis ticks
  line: "#d5dbe3", // borders, grid lines
  paper: "#fbfcfd", // the page
  surface: "#ffffff", // panels, cells, the chain's finished steps
  accent: "#c2410c", // the selection, results, the loss axis
  orange: "#ea580c", // the loss curve, CNN bars, positive weights in 3D
  blue: "#2563eb", // the keyboard focus, test accuracy, negative weights in 3D
  green: "#16a34a", // the pooling winner, the units that feed a unit, its receptive field
  slate: "#64748b", // a neutral series (batch accuracy, Elman)
  grey: "#94a3b8", // neutral bars, arrowheads
  wire: "#b8c1cc", // idle wires and outlines
  dim: "#9aa4b1", // the padding cells' zeros
  faint: "#f1f4f8", // a step not computed yet; padding stripes
  empty: "#eef1f5", // a value not computed yet, bar tracks
  stage: "#e0e6ed", // the 3D view's background, so units at zero (white) still show
  tint: "#dbeafe", // a hovered term
  error: "#b91c1c",
};

/** "#rrggbb" as [r, g, b] in 0–255. */
function rgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** "#rrggbb" as [r, g, b] in 0–1, as WebGL takes colours. */
export const rgb01 = (hex) => rgb(hex).map((c) => c / 255);

const clamp01 = (v) => Math.max(0, Math.min(1, v));

// Orange for positive, blue for negative, white at zero, in two strengths:

/** For cells and swatches that carry text (v in [-1, 1]): never darker than 48% lightness, so
 *  dark ink reads on every shade (contrast ≥ 4.5). */
export function diverging(v) {
  const a = clamp01(Math.abs(v));
  return v >= 0 ? `hsl(28 92% ${Math.round(100 - a * 52)}%)` : `hsl(212 80% ${Math.round(100 - a * 52)}%)`;
}

/** For images without text (feature maps, the 3D units): white at 0 to these at ±1, in RGB
 *  0–255, so a pixel is a linear blend written byte by byte. */
export const IMAGE = { pos: [195, 85, 20], neg: [55, 135, 235], ink: rgb(COLORS.ink) };

/** Input values in [0, 1], from white to a dark blue-grey (for the convolution lab's input). */
export const inputShade = (v) => `hsl(210 25% ${Math.round(100 - clamp01(v) * 72)}%)`;

/** Non-negative activations in [0, 1], from white to orange (the pooling lab's input). */
export const activationShade = (v) => `hsl(28 80% ${Math.round(100 - clamp01(v) * 45)}%)`;
