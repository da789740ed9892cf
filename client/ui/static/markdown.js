// Markdown for answers, built from DOM nodes: every piece of text is set as textContent, so model
// output never becomes markup or script. A small subset (what models write): fenced code, headings,
// lists, quotes and paragraphs; inline code, bold, italics and http(s) links. Anything else is text.
'use strict';

/** Inline spans, first match wins at each position: code, bold, italics, a link. */
const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\s][^*\n]*\*)|(\[[^\]\n]+\]\([^)\s]+\))/;
const LINK = /^\[([^\]\n]+)\]\(([^)\s]+)\)$/;
const FENCE = /^\s*```/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;
const QUOTE = /^>\s?(.*)$/;

function node(tag, ...children) {
  const element = document.createElement(tag);
  // shownText is app.js's; it runs once every script has loaded.
  element.append(...children.map((child) => (typeof child === 'string' ? shownText(child) : child)));
  return element;
}

/** The inline spans of one line of text, as nodes. */
function inline(text) {
  const nodes = [];
  let rest = text;
  // Each turn takes at least one character off `rest`, so the loop ends.
  while (rest.length > 0) {
    const match = INLINE.exec(rest);
    if (!match) {
      nodes.push(rest);
      break;
    }
    if (match.index > 0) nodes.push(rest.slice(0, match.index));
    const [span] = match;
    if (match[1]) nodes.push(node('code', span.slice(1, -1)));
    else if (match[2]) nodes.push(node('strong', span.slice(2, -2)));
    else if (match[3]) nodes.push(node('em', span.slice(1, -1)));
    else nodes.push(link(span));
    rest = rest.slice(match.index + span.length);
  }
  return nodes;
}

/** A link only to http(s): any other scheme (javascript:, data:) stays text. */
function link(span) {
  const [, label, href] = LINK.exec(span);
  if (!/^https?:\/\//i.test(href)) return span;
  const anchor = node('a', label);
  anchor.href = href;
  anchor.rel = 'noopener noreferrer nofollow';
  return anchor;
}

/** Lines joined inside one block, each line's inline spans, with a line break between lines. */
function lines(texts) {
  return texts.flatMap((text, index) => (index === 0 ? inline(text) : [node('br'), ...inline(text)]));
}

/** Consecutive lines that match `pattern`, from `start`: their captured text, and where they end. */
function run(all, start, pattern) {
  const texts = [];
  let end = start;
  while (end < all.length && pattern.test(all[end])) {
    texts.push(pattern.exec(all[end])[1]);
    end += 1;
  }
  return { texts, end };
}

/** The blocks of an answer, as a fragment to append. */
function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const all = String(text).split('\n');
  let at = 0;
  // Every branch moves `at` forward by at least one line.
  while (at < all.length) {
    const line = all[at];
    if (FENCE.test(line)) {
      let end = at + 1;
      while (end < all.length && !FENCE.test(all[end])) end += 1;
      fragment.append(node('pre', node('code', all.slice(at + 1, end).join('\n'))));
      at = end + 1;
    } else if (HEADING.test(line)) {
      const [, hashes, title] = HEADING.exec(line);
      // The page's own headings are h1 and h2: an answer's start at h3.
      fragment.append(node(`h${Math.min(6, hashes.length + 2)}`, ...inline(title)));
      at += 1;
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const pattern = BULLET.test(line) ? BULLET : NUMBERED;
      const { texts, end } = run(all, at, pattern);
      const items = texts.map((item) => node('li', ...inline(item)));
      fragment.append(node(pattern === BULLET ? 'ul' : 'ol', ...items));
      at = Math.max(end, at + 1);
    } else if (QUOTE.test(line)) {
      const { texts, end } = run(all, at, QUOTE);
      fragment.append(node('blockquote', ...lines(texts)));
      at = Math.max(end, at + 1);
    } else if (line.trim() === '') {
      at += 1;
    } else {
      const { texts, end } = run(all, at, /^(?!\s*```|#{1,6}\s|\s*[-*+]\s|\s*\d{1,9}[.)]\s|>)(.*\S.*)$/);
      fragment.append(node('p', ...lines(texts)));
      at = Math.max(end, at + 1);
    }
  }
  return fragment;
}

// app.js, loaded after this script, renders every answer with it.
globalThis.renderMarkdown = renderMarkdown;
