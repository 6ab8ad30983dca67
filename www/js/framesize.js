// Frames that size themselves: while this page is framed, every change of its content height is
// posted to the parent, as the host protocol's `resize` event (www/js/host.js; dist/embed.js
// makes a host's frames follow it) and as Canvas's `lti.frameResize` message, which Canvas
// and other LTI platforms already understand. Nothing is posted when the page is not framed.

import { emit, toParent } from "./host.js";

/** The content's height in CSS pixels: <html>'s box (its height is auto, so it is the
 *  content's, not the frame's), rounded up so the frame never needs a scrollbar. */
const contentHeight = () => Math.ceil(document.documentElement.getBoundingClientRect().height);

export function watchFrameHeight() {
  if (window.parent === window || typeof ResizeObserver !== "function") return;
  let posted = -1;
  // A width change can change the height too (text rewraps): the observer sees both.
  new ResizeObserver(() => {
    const height = contentHeight();
    if (height === posted) return;
    posted = height;
    emit("resize", { height });
    toParent({ subject: "lti.frameResize", height }, "lti.frameResize");
  }).observe(document.documentElement);
}
