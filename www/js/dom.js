// Small DOM builders shared by the views: el("p", { class: "x", text: "…" }, child, …) and the
// same for SVG. Text always goes in as textContent, never as markup.

export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

const SVGNS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Text with the course's subscripts ("x_t", "c_{t−1}") as <sub> elements: children for el(). */
export function subscripted(text) {
  return text.split(/_(\{[^}]*\}|\w)/).map((part, i) => (i % 2 ? el("sub", { text: part.replace(/^\{|\}$/g, "") }) : part));
}
