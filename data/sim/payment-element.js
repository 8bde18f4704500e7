/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Payment Element's frame (simulator origin): validates card details as
 * Stripe does, creates the PaymentMethod and confirms the PaymentIntent with
 * the publishable key, and reports to the host page with postMessage. */
(function () {
  'use strict';

  var config = {};
  try {
    config = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  } catch (e) {
    config = {};
  }
  var parentOrigin = config.parentOrigin || '*';
  var $ = function (id) { return document.getElementById(id); };
  var fields = { number: $('number'), expiry: $('expiry'), cvc: $('cvc'), postal: $('postal'), country: $('country') };
  var touched = {};
  var locked = false;

  function post(message) {
    if (window.parent !== window)
      window.parent.postMessage(Object.assign({ simStripe: true }, message), parentOrigin === 'null' ? '*' : parentOrigin);
  }

  /* ---------------------------------------------------------------- */
  /* appearance                                                        */

  function applyAppearance(appearance) {
    appearance = appearance || {};
    var root = document.documentElement.style;
    var themes = {
      stripe: {},
      flat: { colorBackground: '#f6f8fa', borderColor: '#f6f8fa' },
      night: { colorBackground: '#30313d', colorText: '#ffffff', colorTextSecondary: '#c9cbd4', borderColor: '#424353', colorPrimary: '#0570de' }
    };
    var vars = Object.assign({}, themes[appearance.theme] || {}, appearance.variables || {});
    var map = {
      colorPrimary: '--p-primary', colorBackground: '--p-background', colorText: '--p-text',
      colorTextSecondary: '--p-text-secondary', colorDanger: '--p-danger', fontFamily: '--p-font',
      fontSizeBase: '--p-font-size', borderRadius: '--p-radius', spacingUnit: '--p-spacing', borderColor: '--p-border'
    };
    Object.keys(map).forEach(function (k) {
      if (vars[k])
        root.setProperty(map[k], vars[k]);
    });
    document.body.classList.toggle('theme-night', appearance.theme === 'night');
  }

  /* ---------------------------------------------------------------- */
  /* validation, as Stripe's Payment Element                           */

  function digits(s) { return (s || '').replace(/\D/g, ''); }

  function brandOf(number) {
    if (/^4/.test(number)) return 'visa';
    if (/^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/.test(number)) return 'mastercard';
    if (/^3[47]/.test(number)) return 'amex';
    if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
    if (/^35/.test(number)) return 'jcb';
    if (/^3(0[0-5]|[68])/.test(number)) return 'diners';
    if (/^62/.test(number)) return 'unionpay';
    return 'unknown';
  }

  function numberLength(brand) {
    return brand === 'amex' ? [15] : brand === 'diners' ? [14, 16] : brand === 'unknown' ? [16, 19] : [16];
  }

  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var d = +number[number.length - 1 - i];
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return number.length > 0 && sum % 10 === 0;
  }

  function formatNumber(number, brand) {
    var groups = brand === 'amex' ? [4, 6, 5] : brand === 'diners' && number.length === 14 ? [4, 6, 4] : [4, 4, 4, 4, 3];
    var out = [], pos = 0;
    for (var g = 0; g < groups.length && pos < number.length; g++) {
      out.push(number.slice(pos, pos + groups[g]));
      pos += groups[g];
    }
    return out.join(' ');
  }

  function checkNumber() {
    var n = digits(fields.number.value);
    var brand = brandOf(n);
    if (!n) return { code: 'incomplete_number', message: 'Your card number is incomplete.' };
    if (numberLength(brand).indexOf(n.length) < 0 && n.length < Math.max.apply(null, numberLength(brand)))
      return { code: 'incomplete_number', message: 'Your card number is incomplete.' };
    if (!luhn(n) || n.length > 19) return { code: 'invalid_number', message: 'Your card number is invalid.' };
    return null;
  }

  function parseExpiry() {
    var d = digits(fields.expiry.value);
    return { month: parseInt(d.slice(0, 2), 10), year: d.length >= 4 ? 2000 + parseInt(d.slice(2, 4), 10) : NaN, raw: d };
  }

  function checkExpiry() {
    var e = parseExpiry();
    var now = new Date();
    if (e.raw.length < 4) return { code: 'incomplete_expiry', message: 'Your card\u2019s expiration date is incomplete.' };
    if (!(e.month >= 1 && e.month <= 12)) return { code: 'invalid_expiry_month', message: 'Your card\u2019s expiration month is invalid.' };
    if (e.year < now.getFullYear()) return { code: 'invalid_expiry_year_past', message: 'Your card\u2019s expiration year is in the past.' };
    if (e.year === now.getFullYear() && e.month < now.getMonth() + 1)
      return { code: 'invalid_expiry_month_past', message: 'Your card\u2019s expiration date is in the past.' };
    if (e.year > now.getFullYear() + 50) return { code: 'invalid_expiry_year', message: 'Your card\u2019s expiration year is invalid.' };
    return null;
  }

  function checkCvc() {
    var c = digits(fields.cvc.value);
    var amex = brandOf(digits(fields.number.value)) === 'amex';
    if (c.length < (amex ? 4 : 3)) return { code: 'incomplete_cvc', message: 'Your card\u2019s security code is incomplete.' };
    return null;
  }

  function checkPostal() {
    var p = fields.postal.value.trim();
    var country = fields.country.value;
    if (!p) return { code: 'incomplete_zip', message: country === 'US' ? 'Your ZIP is incomplete.' : 'Your postal code is incomplete.' };
    if (country === 'US' && !/^\d{5}(-?\d{4})?$/.test(p)) return { code: 'invalid_zip', message: 'Your ZIP is invalid.' };
    return null;
  }

  var checks = { number: checkNumber, expiry: checkExpiry, cvc: checkCvc, postal: checkPostal };

  function showError(name, error) {
    var el = $(name + '-error');
    el.textContent = error ? error.message : '';
    fields[name].classList.toggle('invalid', !!error);
    fields[name].setAttribute('aria-invalid', error ? 'true' : 'false');
  }

  function firstError(showAll) {
    var first = null;
    Object.keys(checks).forEach(function (name) {
      var error = checks[name]();
      if (showAll || touched[name])
        showError(name, error);
      if (error && !first)
        first = Object.assign({ type: 'validation_error', field: name }, error);
    });
    return first;
  }

  function isEmpty() {
    return !fields.number.value && !fields.expiry.value && !fields.cvc.value && !fields.postal.value;
  }

  var lastChange = null;
  function reportChange() {
    var error = firstError(false);
    var payload = { complete: !error, empty: isEmpty(), value: { type: 'card' } };
    var key = JSON.stringify(payload);
    if (key !== lastChange) {
      lastChange = key;
      post({ type: 'change', payload: payload });
    }
  }

  /* ---------------------------------------------------------------- */
  /* formatting                                                        */

  fields.number.addEventListener('input', function () {
    var n = digits(fields.number.value).slice(0, 19);
    var brand = brandOf(n);
    var max = Math.max.apply(null, numberLength(brand));
    n = n.slice(0, max);
    fields.number.value = formatNumber(n, brand);
    var badge = $('brand');
    badge.className = 'brand' + (n ? ' brand-' + brand : '');
    badge.textContent = n && brand !== 'unknown' ? { visa: 'VISA', mastercard: 'MC', amex: 'AMEX', discover: 'DISC', jcb: 'JCB', diners: 'DC', unionpay: 'UP' }[brand] : '';
    fields.cvc.placeholder = brand === 'amex' ? 'CVC (4)' : 'CVC';
    if (n.length === max && luhn(n))
      fields.expiry.focus();
    reportChange();
  });

  fields.expiry.addEventListener('input', function (event) {
    var d = digits(fields.expiry.value).slice(0, 4);
    if (d.length === 1 && +d > 1)
      d = '0' + d;
    var deleting = event.inputType && event.inputType.indexOf('delete') === 0;
    fields.expiry.value = d.length > 2 || (d.length === 2 && !deleting) ? d.slice(0, 2) + ' / ' + d.slice(2) : d;
    if (d.length === 4 && !checkExpiry())
      fields.cvc.focus();
    reportChange();
  });

  fields.cvc.addEventListener('input', function () {
    fields.cvc.value = digits(fields.cvc.value).slice(0, 4);
    reportChange();
  });

  fields.postal.addEventListener('input', reportChange);
  fields.country.addEventListener('change', function () {
    var us = fields.country.value === 'US';
    $('postal-label').textContent = us ? 'ZIP' : 'Postal code';
    fields.postal.placeholder = us ? '12345' : '';
    reportChange();
  });

  Object.keys(checks).forEach(function (name) {
    fields[name].addEventListener('blur', function () {
      if (fields[name].value)
        touched[name] = true;
      showError(name, touched[name] ? checks[name]() : null);
      post({ type: 'blur' });
    });
    fields[name].addEventListener('focus', function () { post({ type: 'focus' }); });
  });

  /* ---------------------------------------------------------------- */
  /* API                                                               */

  function form(params) {
    var parts = [];
    (function add(prefix, value) {
      if (value === undefined || value === null)
        return;
      if (typeof value === 'object') {
        Object.keys(value).forEach(function (k) { add(prefix ? prefix + '[' + k + ']' : k, value[k]); });
      } else {
        parts.push(encodeURIComponent(prefix) + '=' + encodeURIComponent(String(value)));
      }
    })('', params);
    return parts.join('&');
  }

  function api(path, params) {
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form(Object.assign({ key: config.key }, params))
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function lock(on) {
    locked = on;
    Object.keys(fields).forEach(function (name) { fields[name].disabled = on; });
  }

  function confirm(data) {
    var error = firstError(true);
    if (error) {
      fields[error.field].focus();
      delete error.field;
      return Promise.resolve({ error: error });
    }
    var clientSecret = data.clientSecret || config.clientSecret;
    var piId = clientSecret ? clientSecret.slice(0, clientSecret.indexOf('_secret_')) : null;
    if (!piId)
      return Promise.resolve({ error: { type: 'invalid_request_error', message: 'The Elements group has no clientSecret.' } });
    var e = parseExpiry();
    var params = data.confirmParams || {};
    lock(true);
    return api('/v1/payment_methods', {
      type: 'card',
      card: { number: digits(fields.number.value), exp_month: e.month, exp_year: e.year, cvc: digits(fields.cvc.value) },
      billing_details: Object.assign({}, params.payment_method_data && params.payment_method_data.billing_details,
                                     { address: { postal_code: fields.postal.value.trim(), country: fields.country.value } })
    }).then(function (pm) {
      if (pm.body.error) {
        if (pm.body.error.code === 'incorrect_number') {
          touched.number = true;
          showError('number', { message: pm.body.error.message });
        }
        return { error: pm.body.error };
      }
      return api('/v1/payment_intents/' + encodeURIComponent(piId) + '/confirm', {
        payment_method: pm.body.id,
        client_secret: clientSecret,
        return_url: params.return_url,
        receipt_email: params.receipt_email,
        use_stripe_sdk: 'true'
      }).then(function (confirmed) {
        var body = confirmed.body;
        if (body.error)
          return { error: body.error };
        if (body.status === 'requires_action' && body.next_action) {
          var na = body.next_action;
          var url = na.type === 'redirect_to_url' ? na.redirect_to_url.url : na.use_stripe_sdk && na.use_stripe_sdk.stripe_js;
          return { nextActionUrl: url, paymentIntent: body };
        }
        return { paymentIntent: body };
      });
    }).catch(function () {
      return { error: { type: 'api_connection_error', message: 'We could not reach the payment service. Check the connection and try again.' } };
    }).then(function (result) {
      if (!result.nextActionUrl && !(result.paymentIntent && result.paymentIntent.status === 'succeeded'))
        lock(false);
      return result;
    });
  }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent)
      return;
    if (parentOrigin !== '*' && event.origin !== parentOrigin)
      return;
    var data = event.data || {};
    if (!data.simStripe)
      return;
    switch (data.type) {
    case 'confirm':
      if (locked)
        return post({ type: 'result', requestId: data.requestId, result: { error: { type: 'invalid_request_error', message: 'A payment is already being processed.' } } });
      confirm(data).then(function (result) {
        post({ type: 'result', requestId: data.requestId, result: result });
      });
      break;
    case 'validate':
      var error = firstError(true);
      if (error) delete error.field;
      post({ type: 'result', requestId: data.requestId, result: error ? { error: error } : {} });
      break;
    case 'unlock':
      lock(false);
      break;
    case 'focus':
      fields.number.focus();
      break;
    case 'blur':
      document.activeElement && document.activeElement.blur();
      break;
    case 'clear':
      Object.keys(checks).forEach(function (name) { fields[name].value = ''; showError(name, null); touched[name] = false; });
      reportChange();
      break;
    case 'update':
      if (data.options && data.options.appearance)
        applyAppearance(data.options.appearance);
      break;
    }
  });

  $('form').addEventListener('submit', function (event) { event.preventDefault(); });

  function reportSize() {
    post({ type: 'resize', height: document.documentElement.scrollHeight });
  }

  applyAppearance(config.appearance);
  if (config.defaultValues && config.defaultValues.billingDetails && config.defaultValues.billingDetails.address) {
    var address = config.defaultValues.billingDetails.address;
    if (address.postal_code) fields.postal.value = address.postal_code;
    if (address.country) fields.country.value = address.country;
  }
  if (window.ResizeObserver)
    new ResizeObserver(reportSize).observe(document.body);
  reportSize();
  post({ type: 'ready' });
  reportChange();
})();
