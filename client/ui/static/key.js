// The access key of `council ui`. Its printed link carries it in the fragment (#key=…), which no
// request sends; the page keeps it in this origin's localStorage (another port is another origin,
// with a storage of its own) and sends it with every API request. The fragment leaves the address bar.
'use strict';

const KEY_STORE = 'council-key';
// Where the key is kept when the browser refuses this page storage (site data blocked): this page only.
let keyInPage = '';

// The key this page took from its link, else the one kept for the origin.
function storedKey() {
  if (keyInPage) return keyInPage;
  try {
    return localStorage.getItem(KEY_STORE) || '';
  } catch {
    return '';
  }
}

function keepKey(key) {
  keyInPage = key;
  try {
    localStorage.setItem(KEY_STORE, key);
  } catch {
    // Kept in this page alone: the link opens the others.
  }
}

/**
 * Keeps the key of a `#key=…` fragment and takes the fragment out of the address bar; true when
 * there was one. Any printable text is kept: a mistyped key is then named wrong by the server,
 * rather than missing.
 */
function takeKeyFromLink() {
  const linked = /^#key=([\x21-\x7e]{1,200})$/.exec(location.hash);
  if (!linked) return false;
  keepKey(linked[1]);
  history.replaceState(null, '', location.pathname + location.search);
  return true;
}

takeKeyFromLink();
// A link pasted over a page of the same address changes only its fragment, which reloads nothing:
// the page loads again, with the key from storage (without storage, a reload would lose it).
window.addEventListener('hashchange', () => {
  if (takeKeyFromLink() && storageHoldsKey()) location.reload();
});

function storageHoldsKey() {
  try {
    return localStorage.getItem(KEY_STORE) === keyInPage;
  } catch {
    return false;
  }
}

/** The headers of an API request: the access key, then `extra`. */
function apiHeaders(extra) {
  return { 'X-Council-Key': storedKey(), ...extra };
}

/** The token stream's URL with the key in its query: an EventSource sends no header of the page's. */
function keyedStreamUrl(url) {
  return `${url}?key=${encodeURIComponent(storedKey())}`;
}

// The other scripts, loaded after this one, call them.
globalThis.apiHeaders = apiHeaders;
globalThis.keyedStreamUrl = keyedStreamUrl;
