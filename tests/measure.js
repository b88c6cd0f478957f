// What a person sees, measured in the page (tests/test_browser.py loads this as `window.mk`).
// Colours: computed styles, translucent backgrounds composited up the tree over the canvas;
// contrast: WCAG 2 relative luminance. Visibility: DOM boxes (text ranges) against the viewport
// and every clipping ancestor.
(() => {
  const parse = (c) => {
    let m = c && c.match(/rgba?\(([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = c && c.match(/color\(srgb\s+([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[\s/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] >= 1) break;
    }
    let result = [255, 255, 255, 1]; // the canvas
    for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
    return result;
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const contrast = (el) => {
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color) || [0, 0, 0, 1], bg);
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const hasText = (e) => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const shown = (e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden';
  const contrastOf = (root) => {
    let min = 99, worst = null, checked = 0;
    for (const e of [root, ...root.querySelectorAll('*')]) {
      if (!hasText(e) || !shown(e)) continue;
      checked += 1;
      const r = contrast(e);
      if (r < min) {
        min = r;
        worst = { text: e.textContent.trim().slice(0, 60), tag: e.tagName, cls: String(e.className).slice(0, 60),
                  color: getComputedStyle(e).color, background: background(e).map(Math.round) };
      }
    }
    return { min, worst, checked };
  };
  const clipRect = (el) => {
    let r = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'inline' || s.display === 'contents') continue;
      if (/(auto|scroll|hidden|clip)/.test(s.overflowX + ' ' + s.overflowY)) {
        const b = e.getBoundingClientRect();
        const left = b.left + e.clientLeft, top = b.top + e.clientTop;
        r = { left: Math.max(r.left, left), top: Math.max(r.top, top),
              right: Math.min(r.right, left + e.clientWidth), bottom: Math.min(r.bottom, top + e.clientHeight) };
      }
    }
    return r;
  };
  const textInside = (el) => {
    if (!el) return { inside: false, reason: 'no element' };
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    const c = clipRect(el);
    const out = rects.filter(r => r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1);
    return { inside: rects.length > 0 && out.length === 0, lines: rects.length, outside: out.length,
             clip: c, text: el.textContent.slice(0, 80) };
  };
  const hscroll = (root) => {
    const list = [];
    const els = [root, ...root.querySelectorAll('*')];
    for (let e = root.parentElement; e && !e.classList.contains('jp-Notebook') && e !== document.body; e = e.parentElement) els.push(e);
    for (const x of els) {
      const s = getComputedStyle(x);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && x.scrollWidth > x.clientWidth + 1) {
        list.push({ cls: String(x.className).slice(0, 80), scrollWidth: x.scrollWidth, clientWidth: x.clientWidth });
      }
    }
    return list;
  };
  const outputOf = (el) => el.closest('.jp-OutputArea-output') || el.parentElement;
  window.mk = {
    contrastOf, textInside, hscroll,
    explanation(el) {
      const winner = el.querySelector('tr.mk-winner .mk-reason');
      if (winner) winner.scrollIntoView({ block: 'center' });
      return { hscroll: hscroll(outputOf(el)), winner: winner ? textInside(winner) : null, contrast: contrastOf(el) };
    },
    explorer(el) {
      const rows = [...el.querySelectorAll('.mk-live tr.mk-row')];
      rows[0].scrollIntoView({ block: 'start' });
      const visible = rows.filter(r => {
        const b = r.getBoundingClientRect(), c = clipRect(r);
        return b.top >= c.top - 1 && b.bottom <= c.bottom + 1 && b.height > 0;
      }).length;
      const out = outputOf(el);
      return {
        rowsVisible: visible,
        winner: textInside(el.querySelector('.mk-live tr.mk-winner .mk-reason')),
        bars: [...el.querySelectorAll('.mk-live .mk-bar-fill')].map(b => b.getBoundingClientRect().width),
        scores: [...el.querySelectorAll('.mk-live .mk-score')].map(s => s.textContent),
        hscroll: hscroll(el),
        fits: el.getBoundingClientRect().right <= out.getBoundingClientRect().right + 1,
        contrast: contrastOf(el),
      };
    },
    outputs() {
      return [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')].map((o, i) => ({
        index: i, height: Math.round(o.getBoundingClientRect().height), hscroll: hscroll(o).length > 0,
        explorer: !!o.querySelector('.mk-explorer'),
        contrast: contrastOf(o),
        text: o.textContent.trim().slice(0, 60),
      }));
    },
  };
})();
