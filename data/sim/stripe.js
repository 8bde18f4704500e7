/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CarePay Stripe simulator: a stand-in for Stripe.js v3 (https://js.stripe.com/v3/).
 *
 * Supports what CarePay uses:
 *   var stripe = Stripe('pk_test_...');
 *   var elements = stripe.elements({ clientSecret: '...', appearance: { theme: 'stripe', variables: {...} } });
 *   var payment = elements.create('payment');
 *   payment.mount('#payment-element');  payment.on('ready' | 'change' | 'focus' | 'blur', cb);  payment.unmount();
 *   stripe.confirmPayment({ elements, redirect: 'if_required', confirmParams: { return_url, receipt_email } })
 *     -> Promise<{ paymentIntent } | { error: { type, code, decline_code, message, ... } }>
 *   stripe.retrievePaymentIntent(clientSecret) -> Promise<{ paymentIntent } | { error }>
 *
 * Card details never touch the host page: the Payment Element is an <iframe>
 * served from the simulator's origin, which creates the PaymentMethod and
 * confirms the PaymentIntent itself and reports the result with postMessage.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var SIM_ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var nextId = 1;

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  function piIdFromSecret(clientSecret) {
    var i = typeof clientSecret === 'string' ? clientSecret.indexOf('_secret_') : -1;
    return i > 0 ? clientSecret.slice(0, i) : null;
  }

  function formEncode(params) {
    return Object.keys(params).filter(function (k) {
      return params[k] !== undefined && params[k] !== null;
    }).map(function (k) {
      return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]);
    }).join('&');
  }

  function apiGet(key, path, params) {
    params = Object.assign({ key: key }, params || {});
    return fetch(SIM_ORIGIN + path + '?' + formEncode(params), { method: 'GET', credentials: 'omit' })
      .then(function (response) {
        return response.json();
      });
  }

  /* ------------------------------------------------------------------ */
  /* 3-D Secure: an overlay with the challenge page, like Stripe's modal */

  function showChallenge(url) {
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.setAttribute('role', 'dialog');
      overlay.setAttribute('aria-modal', 'true');
      overlay.setAttribute('aria-label', '3D Secure authentication');
      overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,0.45);' +
        'display:flex;align-items:center;justify-content:center;';
      var frame = document.createElement('iframe');
      frame.title = '3D Secure authentication';
      frame.src = url + (url.indexOf('?') >= 0 ? '&' : '?') + 'in_frame=1';
      frame.style.cssText = 'width:min(500px,94vw);height:min(600px,90vh);border:0;border-radius:8px;' +
        'background:#fff;box-shadow:0 10px 40px rgba(0,0,0,0.3);';
      overlay.appendChild(frame);
      document.body.appendChild(overlay);

      function onMessage(event) {
        if (event.origin !== SIM_ORIGIN || event.source !== frame.contentWindow)
          return;
        var data = event.data || {};
        if (!data.simStripe || data.type !== '3ds-complete')
          return;
        window.removeEventListener('message', onMessage);
        overlay.remove();
        resolve(data);
      }
      window.addEventListener('message', onMessage);
    });
  }

  /* ------------------------------------------------------------------ */
  /* the Payment Element                                                 */

  function PaymentElement(elements, options) {
    this._elements = elements;
    this._options = options || {};
    this._handlers = {};
    this._frame = null;
    this._pending = {};
    this._state = { complete: false, empty: true };
    this._id = 'payment-' + (nextId++);
    this._onMessage = this._onMessage.bind(this);
  }

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  PaymentElement.prototype.once = function (event, handler) {
    var self = this;
    function wrapper(payload) {
      self.off(event, wrapper);
      handler(payload);
    }
    return this.on(event, wrapper);
  };

  PaymentElement.prototype.off = function (event, handler) {
    var list = this._handlers[event] || [];
    this._handlers[event] = handler ? list.filter(function (h) { return h !== handler; }) : [];
    return this;
  };

  PaymentElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).slice().forEach(function (handler) {
      try {
        handler(payload);
      } catch (e) {
        setTimeout(function () { throw e; });
      }
    });
  };

  PaymentElement.prototype.mount = function (target) {
    var container = typeof target === 'string' ? document.querySelector(target) : target;
    if (!container)
      throw IntegrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.');
    if (this._frame)
      throw IntegrationError('This Element is already mounted. Use `unmount()` to unmount the Element before re-mounting.');

    var config = {
      id: this._id,
      key: this._elements._stripe._key,
      clientSecret: this._elements._clientSecret,
      appearance: this._elements._appearance,
      layout: this._options.layout || 'tabs',
      defaultValues: this._options.defaultValues || null,
      parentOrigin: location.origin
    };
    var frame = document.createElement('iframe');
    frame.name = '__privateStripeFrame' + this._id;
    frame.title = 'Secure payment input frame';
    frame.setAttribute('allow', 'payment *');
    frame.setAttribute('scrolling', 'no');
    frame.style.cssText = 'border:0;width:100%;min-width:100%;height:300px;display:block;overflow:hidden;color-scheme:normal;';
    frame.src = SIM_ORIGIN + '/elements/payment#' + encodeURIComponent(JSON.stringify(config));
    this._frame = frame;
    this._container = container;
    window.addEventListener('message', this._onMessage);
    container.appendChild(frame);
    container.classList.add('StripeElement');
  };

  PaymentElement.prototype.unmount = function () {
    if (!this._frame)
      return;
    window.removeEventListener('message', this._onMessage);
    this._frame.remove();
    this._container.classList.remove('StripeElement');
    this._frame = null;
    this._ready = false;
  };

  PaymentElement.prototype.destroy = function () {
    this.unmount();
    this._elements._remove(this);
    this._handlers = {};
  };

  PaymentElement.prototype._post = function (message) {
    if (this._frame && this._frame.contentWindow)
      this._frame.contentWindow.postMessage(Object.assign({ simStripe: true }, message), SIM_ORIGIN);
  };

  PaymentElement.prototype.focus = function () { this._post({ type: 'focus' }); };
  PaymentElement.prototype.blur = function () { this._post({ type: 'blur' }); };
  PaymentElement.prototype.clear = function () { this._post({ type: 'clear' }); };
  PaymentElement.prototype.collapse = function () {};
  PaymentElement.prototype.update = function (options) {
    Object.assign(this._options, options || {});
    this._post({ type: 'update', options: options || {} });
  };

  PaymentElement.prototype._request = function (type, payload) {
    var self = this;
    return new Promise(function (resolve) {
      var requestId = 'r' + (nextId++);
      self._pending[requestId] = resolve;
      self._post(Object.assign({ type: type, requestId: requestId }, payload || {}));
    });
  };

  PaymentElement.prototype._onMessage = function (event) {
    if (!this._frame || event.source !== this._frame.contentWindow || event.origin !== SIM_ORIGIN)
      return;
    var data = event.data || {};
    if (!data.simStripe)
      return;
    switch (data.type) {
    case 'ready':
      this._ready = true;
      this._emit('ready', { elementType: 'payment' });
      break;
    case 'resize':
      this._frame.style.height = Math.ceil(data.height) + 'px';
      break;
    case 'change':
      this._state = data.payload;
      this._emit('change', Object.assign({ elementType: 'payment', collapsed: false }, data.payload));
      break;
    case 'focus':
    case 'blur':
      this._emit(data.type, { elementType: 'payment' });
      break;
    case 'result':
      if (this._pending[data.requestId]) {
        this._pending[data.requestId](data.result);
        delete this._pending[data.requestId];
      }
      break;
    }
  };

  /* ------------------------------------------------------------------ */

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._clientSecret = options.clientSecret || null;
    this._appearance = options.appearance || {};
    this._list = [];
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'payment')
      throw IntegrationError('The simulator supports only the Payment Element (elements.create(\'payment\')), not \'' + type + '\'.');
    if (this._list.length > 0)
      throw IntegrationError('Can only create one Element of type payment.');
    var element = new PaymentElement(this, options);
    this._list.push(element);
    return element;
  };

  Elements.prototype.getElement = function (type) {
    return type === 'payment' && this._list.length ? this._list[0] : null;
  };

  Elements.prototype._remove = function (element) {
    this._list = this._list.filter(function (e) { return e !== element; });
  };

  Elements.prototype.update = function (options) {
    if (options && options.appearance)
      this._appearance = options.appearance;
    this._list.forEach(function (element) {
      element._post({ type: 'update', options: { appearance: options.appearance } });
    });
  };

  Elements.prototype.fetchUpdates = function () {
    return Promise.resolve({});
  };

  Elements.prototype.submit = function () {
    var element = this.getElement('payment');
    if (!element || !element._frame)
      return Promise.resolve({ error: { type: 'validation_error', message: 'The Payment Element is not mounted.' } });
    return element._request('validate').then(function (result) {
      return result && result.error ? { error: result.error } : {};
    });
  };

  /* ------------------------------------------------------------------ */

  function Stripe(key, options) {
    if (!(this instanceof Stripe))
      return new Stripe(key, options);
    if (typeof key !== 'string' || key.indexOf('pk_') !== 0)
      throw IntegrationError('Invalid value for Stripe(): apiKey should be a publishable key starting with pk_. You specified: ' + key + '.');
    if (key.indexOf('pk_live_') === 0)
      throw IntegrationError('The CarePay Stripe simulator accepts only test keys (pk_test_...).');
    this._key = key;
    this._options = options || {};
  }

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options || {});
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var id = piIdFromSecret(clientSecret);
    if (!id)
      return Promise.reject(IntegrationError('Invalid value for retrievePaymentIntent: clientSecret should be a client secret of the form ${id}_secret_${secret}.'));
    return apiGet(this._key, '/v1/payment_intents/' + encodeURIComponent(id), { client_secret: clientSecret })
      .then(function (body) {
        return body.error ? { error: body.error } : { paymentIntent: body };
      }, function () {
        return { error: { type: 'api_connection_error', message: 'We could not reach the payment service. Check the connection and try again.' } };
      });
  };

  Stripe.prototype.confirmPayment = function (options) {
    var self = this;
    options = options || {};
    var elements = options.elements;
    var confirmParams = options.confirmParams || {};
    var redirect = options.redirect || 'always';
    if (!elements || !(elements instanceof Elements))
      return Promise.reject(IntegrationError('Invalid value for confirmPayment: elements should be an Elements group.'));
    if (redirect !== 'always' && redirect !== 'if_required')
      return Promise.reject(IntegrationError('Invalid value for confirmPayment: redirect should be one of always, if_required.'));
    if (redirect === 'always' && !confirmParams.return_url)
      return Promise.reject(IntegrationError('stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`'));
    var element = elements.getElement('payment');
    if (!element || !element._frame)
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'payment_element_not_mounted', message: 'The Payment Element is not mounted.' } });
    var clientSecret = options.clientSecret || elements._clientSecret;

    return element._request('confirm', { confirmParams: confirmParams, clientSecret: clientSecret })
      .then(function (result) {
        if (result.error || !result.nextActionUrl)
          return result;
        return showChallenge(result.nextActionUrl).then(function () {
          return self.retrievePaymentIntent(clientSecret);
        }).then(function (retrieved) {
          if (retrieved.error)
            return retrieved;
          var pi = retrieved.paymentIntent;
          if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
            var error = Object.assign({}, pi.last_payment_error, { payment_intent: pi });
            element._post({ type: 'unlock' });
            return { error: error };
          }
          return { paymentIntent: pi };
        });
      })
      .then(function (result) {
        if (result.paymentIntent && redirect === 'always' && confirmParams.return_url) {
          var pi = result.paymentIntent;
          var url = new URL(confirmParams.return_url, location.href);
          url.searchParams.set('payment_intent', pi.id);
          url.searchParams.set('payment_intent_client_secret', pi.client_secret);
          url.searchParams.set('redirect_status', pi.status === 'succeeded' ? 'succeeded' : pi.status);
          location.assign(url.toString());
          return new Promise(function () {});  /* Stripe.js never resolves after redirecting */
        }
        return result;
      });
  };

  Stripe.version = 3;
  Stripe.simulator = true;
  window.Stripe = Stripe;
})();
