// The access key of `council ui`. Its printed link carries it in the fragment (#key=…), which no
// request sends; the page keeps it in this origin's localStorage (another port is another origin,
// with a storage of its own) and sends it with every API request. The fragment leaves the address bar.
'use strict';

const KEY_STORE = 'council-key';

const linked = /^#key=([0-9a-f]{48})$/.exec(location.hash);
if (linked) {
  localStorage.setItem(KEY_STORE, linked[1]);
  history.replaceState(null, '', location.pathname + location.search);
}

/** The headers of an API request: the access key, then `extra`. */
function apiHeaders(extra) {
  return { 'X-Council-Key': localStorage.getItem(KEY_STORE) || '', ...extra };
}

/** The token stream's URL with the key in its query: an EventSource sends no header of the page's. */
function keyedStreamUrl(url) {
  return `${url}?key=${encodeURIComponent(localStorage.getItem(KEY_STORE) || '')}`;
}

// The other scripts, loaded after this one, call them.
globalThis.apiHeaders = apiHeaders;
globalThis.keyedStreamUrl = keyedStreamUrl;
