// SPDX-License-Identifier: GPL-3.0-or-later
// Runs in the private script world "carepay-bridge" of the TOP frame only.
// The message handler lives in this world, so neither Stripe.js, nor our page
// script, nor any cross-origin iframe (card fields, 3-D Secure pages) can call
// it directly. Our page asks by dispatching a DOM event whose detail is a JSON
// string; the iframes cannot dispatch events on this document at all.
(() => {
  const handler = window.webkit.messageHandlers.carepay;
  document.addEventListener('carepay:message', (event) => {
    if (typeof event.detail === 'string' && event.detail.length <= 4096)
      handler.postMessage(event.detail);
  });
})();
