// Run in the page by tests/browser/helpers.py: which elements stick out of the
// viewport sideways, and which text is smaller than minPx CSS pixels.
(minPx) => {
    const width = document.documentElement.clientWidth;
    const describe = (el) => el.tagName.toLowerCase()
        + (el.id ? '#' + el.id : '')
        + (el.className && typeof el.className === 'string'
            ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    // checkVisibility() is false inside a closed <details> as well.
    const visible = (el) => {
        const box = el.getBoundingClientRect();
        return el.checkVisibility({visibilityProperty: true})
            && box.width > 0 && box.height > 0;
    };
    const overflowing = [];
    const tiny = [];
    for (const el of document.body.querySelectorAll('*')) {
        if (!visible(el) || el.closest('.skip-link')) continue;
        const box = el.getBoundingClientRect();
        if (box.right > width + 1 || box.left < -1) {
            overflowing.push(`${describe(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
        }
        const ownText = [...el.childNodes].some(
            (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (ownText && size < minPx) {
            tiny.push(`${describe(el)} at ${size}px: ${el.textContent.trim().slice(0, 40)}`);
        }
    }
    return {
        clientWidth: width,
        scrollWidth: document.documentElement.scrollWidth,
        bodyFontSize: parseFloat(getComputedStyle(document.body).fontSize),
        overflowing: overflowing.slice(0, 10),
        tiny: tiny.slice(0, 10),
    };
}
