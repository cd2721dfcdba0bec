// The walk's layout rules (tests/integration/walk.py): sideways overflow and overlapping boxes.
// Evaluated in the page; returns one line per problem.
(() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.right > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed';
    }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''));
    problems.push(`overflow: page ${doc.scrollWidth}px wide in a ${window.innerWidth}px window (${wide.join(', ')})`);
  }
  const root = document.querySelector('#content') || document.querySelector('main') || document.body;
  const flowing = e => {
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.display === 'inline' || s.display === 'contents') return false;
    if (s.visibility === 'hidden' || ['absolute', 'fixed', 'sticky'].includes(s.position)) return false;
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'BR', 'INPUT'].includes(e.tagName) && e.type === 'hidden') return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).slice(0, 2).join('.') : '');
  const atomic = new Set(['TABLE', 'SVG', 'svg', 'CANVAS', 'SELECT', 'TEXTAREA', 'IFRAME', 'IMG', 'BUTTON']);
  const visit = parent => {
    const kids = [...parent.children].filter(flowing);
    for (let i = 0; i < kids.length; i++) {
      const a = kids[i].getBoundingClientRect();
      for (let j = i + 1; j < kids.length; j++) {
        const b = kids[j].getBoundingClientRect();
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) problems.push(`overlap: ${name(kids[i])} and ${name(kids[j])} (${Math.round(w)}x${Math.round(h)} px)`);
      }
    }
    for (const kid of kids) if (!atomic.has(kid.tagName)) visit(kid);
  };
  visit(root);
  return problems.slice(0, 10);
})
