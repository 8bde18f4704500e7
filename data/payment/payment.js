// SPDX-License-Identifier: GPL-3.0-or-later
// CarePay payment page: mounts Stripe's Payment Element and reports what
// happens to the native CpPaymentView. Nothing here touches card data.
//
// In:  window.carepay.prepare({stripeJsUrl, publishableKey})
//      window.carepay.start({clientSecret, amount, invoice, patient, locale, labels})
//      (labels: the page's texts, translated by gettext in C; LABELS below is
//      only the fallback for a page opened without them.)
//      window.carepay.submit()
// Out: a 'carepay:message' DOM event whose detail is a JSON string, picked up
//      by the bridge in the private script world (payment-bridge.js).
'use strict';

(() => {
  const LABELS = {
    en: { patient: 'Patient', invoice: 'Invoice', amount: 'Amount due', title: 'Payment',
          unavailable: 'Card payments are unavailable right now.' },
    es: { patient: 'Paciente', invoice: 'Factura', amount: 'Importe a pagar', title: 'Pago',
          unavailable: 'Los pagos con tarjeta no están disponibles ahora.' },
  };

  let stripe = null;
  let elements = null;
  let paymentElement = null;
  let prepareCalled = false;
  let started = false;
  let submitting = false;
  let locale = 'en';
  let resolvePrepared;
  let rejectPrepared;
  const prepared = new Promise((resolve, reject) => {
    resolvePrepared = resolve;
    rejectPrepared = reject;
  });
  prepared.catch(() => {});

  const str = (value, max = 500) => (typeof value === 'string' ? value.slice(0, max) : '');

  function send(type, fields) {
    const detail = JSON.stringify(Object.assign({}, fields || {}, { type }));
    document.dispatchEvent(new CustomEvent('carepay:message', { detail }));
  }

  function setText(id, value) {
    const node = document.getElementById(id);
    if (node)
      node.textContent = str(value);
  }

  let labels = LABELS.en;

  function setLocale(value, given) {
    locale = Object.prototype.hasOwnProperty.call(LABELS, value) ? value : 'en';
    labels = Object.assign({}, LABELS[locale]);
    if (given && typeof given === 'object')
      for (const key of Object.keys(labels))
        if (typeof given[key] === 'string' && given[key] !== '')
          labels[key] = str(given[key]);
    document.documentElement.lang = locale;
    document.title = labels.title;
    setText('patient-label', labels.patient);
    setText('invoice-label', labels.invoice);
    setText('amount-label', labels.amount);
  }

  function showMessage(text) {
    setText('message', text);
  }

  // 3-D Secure: Stripe.js shows the challenge in an iframe of its own outside
  // the Payment Element while confirmPayment runs; report when one comes and goes.
  const challengeFrames = new Set();
  function isChallengeFrame(node) {
    return node instanceof HTMLIFrameElement &&
           !document.getElementById('payment-element').contains(node);
  }
  const observer = new MutationObserver((records) => {
    if (!submitting)
      return;
    const before = challengeFrames.size;
    for (const record of records) {
      for (const node of record.addedNodes) {
        const frames = node instanceof Element ? [node, ...node.querySelectorAll('iframe')] : [];
        frames.filter(isChallengeFrame).forEach((f) => challengeFrames.add(f));
      }
    }
    for (const frame of [...challengeFrames]) {
      if (!frame.isConnected)
        challengeFrames.delete(frame);
    }
    if (before === 0 && challengeFrames.size > 0)
      send('requires_action', { phase: 'shown' });
    else if (before > 0 && challengeFrames.size === 0)
      send('requires_action', { phase: 'finished' });
  });

  function prepare(config) {
    if (prepareCalled || !config)
      return;
    prepareCalled = true;
    const script = document.createElement('script');
    script.src = str(config.stripeJsUrl, 2000);
    script.onload = () => {
      try {
        if (typeof window.Stripe !== 'function')
          throw new Error('Stripe.js did not define Stripe()');
        stripe = window.Stripe(str(config.publishableKey, 300));
        resolvePrepared();
        send('prepared');
      } catch (e) {
        rejectPrepared(e);
        send('error', { code: 'stripe_js_failed', message: str(String(e && e.message)) });
      }
    };
    script.onerror = () => {
      const error = new Error('Stripe.js could not be loaded');
      rejectPrepared(error);
      showMessage(labels.unavailable);
      send('error', { code: 'stripe_js_unavailable', message: error.message });
    };
    document.head.appendChild(script);
  }

  async function start(facts) {
    if (started || !facts)
      return;
    started = true;
    setLocale(facts.locale, facts.labels);
    setText('patient', facts.patient);
    setText('invoice', facts.invoice);
    setText('amount', facts.amount);
    if (facts.summary === true)
      document.getElementById('summary').hidden = false;
    try {
      await prepared;
    } catch (e) {
      return;
    }
    try {
      elements = stripe.elements({
        clientSecret: str(facts.clientSecret),
        locale,
        appearance: {
          theme: 'stripe',
          variables: { colorPrimary: '#1c71d8', fontSizeBase: '17px', borderRadius: '8px' },
        },
      });
      paymentElement = elements.create('payment', { layout: 'tabs' });
      paymentElement.on('ready', () => send('ready'));
      paymentElement.on('change', (event) => send('change', { complete: !!(event && event.complete === true) }));
      paymentElement.mount('#payment-element');
    } catch (e) {
      send('error', { code: 'payment_element_failed', message: str(String(e && e.message)) });
    }
  }

  async function submit() {
    if (!stripe || !elements || submitting)
      return;
    submitting = true;
    challengeFrames.clear();
    observer.observe(document.body, { childList: true, subtree: true });
    showMessage('');
    send('submitting');
    let result;
    try {
      result = await stripe.confirmPayment({
        elements,
        redirect: 'if_required',
        confirmParams: { return_url: 'https://pay.carepay.invalid/return' },
      });
    } catch (e) {
      result = { error: { type: 'integration_error', code: 'integration_error', message: String(e && e.message) } };
    }
    observer.disconnect();
    if (challengeFrames.size > 0) {
      challengeFrames.clear();
      send('requires_action', { phase: 'finished' });
    }
    submitting = false;

    if (result && result.error) {
      const error = result.error;
      showMessage(str(error.message));
      send('failed', {
        code: str(error.code) || str(error.type) || 'payment_failed',
        decline_code: str(error.decline_code) || null,
        message: str(error.message),
      });
      return;
    }
    const intent = result && result.paymentIntent;
    if (intent && typeof intent.id === 'string' &&
        (intent.status === 'succeeded' || intent.status === 'processing' || intent.status === 'requires_capture')) {
      send('succeeded', { payment_intent_id: str(intent.id, 200), status: str(intent.status) });
    } else {
      send('failed', { code: 'unexpected_status', message: intent ? str(intent.status) : 'no PaymentIntent' });
    }
  }

  Object.defineProperty(window, 'carepay', {
    value: Object.freeze({ prepare, start, submit }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
  setLocale('en');
})();
