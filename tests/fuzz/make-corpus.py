#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ from real examples:
Stripe's sample objects (../shared/stripe-reference/fixtures3.2026-08.json),
Stripe error bodies, signed webhook events, amounts and form bodies.
Run from anywhere: python3 tests/fuzz/make-corpus.py"""
import hashlib
import hmac
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, '..', 'shared', 'stripe-reference', 'fixtures3.2026-08.json')
NOW = 1790000000  # the webhook target's pinned clock
SECRET = 'whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH'


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


fixtures = json.load(open(FIXTURES))['resources']
objects = {k: fixtures[k] for k in
           ['payment_intent', 'charge', 'refund', 'event', 'customer', 'payment_link']}

errors = {
    'card-declined': {'error': {
        'charge': 'ch_3PgafwB7WZ01zgkW0fRmX0zW', 'code': 'card_declined',
        'decline_code': 'insufficient_funds',
        'doc_url': 'https://stripe.com/docs/error-codes/card-declined',
        'message': 'Your card has insufficient funds.',
        'payment_intent': {'id': 'pi_3PgafwB7WZ01zgkW0sSuGcC1', 'object': 'payment_intent',
                           'amount': 2500, 'status': 'requires_payment_method'},
        'payment_method': {'id': 'pm_1PgafwB7WZ01zgkWx0', 'object': 'payment_method', 'type': 'card'},
        'request_log_url': 'https://dashboard.stripe.com/test/logs/req_8nSSbFXHhkq5Ga?t=1721948604',
        'type': 'card_error'}},
    'parameter-unknown': {'error': {
        'code': 'parameter_unknown',
        'doc_url': 'https://stripe.com/docs/error-codes/parameter-unknown',
        'message': 'Received unknown parameter: colour', 'param': 'colour',
        'type': 'invalid_request_error'}},
    'resource-missing': {'error': {
        'code': 'resource_missing',
        'doc_url': 'https://stripe.com/docs/error-codes/resource-missing',
        'message': "No such payment_intent: 'pi_nope'", 'param': 'intent',
        'type': 'invalid_request_error'}},
    'bad-key': {'error': {
        'message': 'Invalid API Key provided: sk_test_********************1234',
        'type': 'invalid_request_error'}},
    'expired-card': {'error': {
        'code': 'expired_card', 'doc_url': 'https://stripe.com/docs/error-codes/expired-card',
        'message': 'Your card has expired.', 'param': 'exp_month',
        'payment_intent': 'pi_expired', 'type': 'card_error'}},
    'idempotency': {'error': {
        'message': 'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        'type': 'idempotency_error'}},
    'lock-timeout': {'error': {
        'code': 'lock_timeout', 'message': 'This object cannot be accessed right now because another API request or Stripe process is currently accessing it.',
        'type': 'invalid_request_error'}},
    'api-error': {'error': {'message': 'An unknown error occurred', 'type': 'api_error'}},
    'rate-limit': {'error': {'code': 'rate_limit', 'message': 'Too many requests', 'type': 'invalid_request_error'}},
}

# --- stripe-json: error bodies and objects; a leading status byte on some ---
for name, body in errors.items():
    write('stripe-json', 'error-' + name + '.json', json.dumps(body, indent=2))
write('stripe-json', 'error-card-declined-status-400', b'\x01' + json.dumps(errors['card-declined']).encode())
write('stripe-json', 'error-network-status-0', b'\x00' + json.dumps(errors['api-error']).encode())
for name, obj in objects.items():
    write('stripe-json', name + '.json', json.dumps(obj, indent=2))
pi_expanded = dict(objects['payment_intent'], latest_charge=objects['charge'],
                   last_payment_error={'type': 'card_error', 'code': 'card_declined',
                                       'decline_code': 'stolen_card', 'message': 'Your card was declined.'},
                   metadata={'invoice_id': '12', 'patient_id': '3'})
write('stripe-json', 'payment_intent-expanded.json', json.dumps(pi_expanded))
for name in ['payment_intent', 'refund', 'event', 'customer']:
    lst = {'object': 'list', 'url': '/v1/' + name + 's', 'has_more': True,
           'data': [objects[name], objects[name]]}
    write('stripe-json', 'list-' + name + '.json', json.dumps(lst))
write('stripe-json', 'search-payment_intent.json', json.dumps(
    {'object': 'search_result', 'url': '/v1/payment_intents/search', 'has_more': True,
     'next_page': 'WzE3MjE5NDg2MDRd', 'data': [pi_expanded]}))
write('stripe-json', 'customer-deleted.json', json.dumps({'id': 'cus_x', 'object': 'customer', 'deleted': True}))

# Every member of each object (and of error bodies) given another JSON type:
# the parsers must read them leniently (json-glib is not instrumented, so
# the fuzzer cannot find these shapes by coverage alone).
ODD = {'object': {}, 'array': [], 'null': None, 'int': -9223372036854775808,
       'double': 1.5e300, 'string': 'x', 'bool': True}


def retyped(obj, value):
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict) and v and k != 'metadata':
            out[k] = retyped(v, value) if isinstance(value, (list, dict)) is False else value
        else:
            out[k] = value
    return out


for kind, value in ODD.items():
    for name in ['payment_intent', 'charge', 'refund', 'event', 'customer', 'payment_link']:
        write('stripe-json', f'odd-{kind}-{name}.json', json.dumps(retyped(pi_expanded if name == 'payment_intent' else objects[name], value)))
    write('stripe-json', f'odd-{kind}-error.json', json.dumps({'error': retyped(errors['card-declined']['error'], value)}))
    write('stripe-json', f'odd-{kind}-list.json', json.dumps({'object': 'list', 'has_more': value, 'next_page': value, 'data': value}))
    write('stripe-json', f'odd-{kind}-list-items.json', json.dumps({'object': 'list', 'has_more': False, 'data': [value, objects['refund']]}))

# --- webhook: header line, secret line, body ---
events = []
for typ, obj in [('payment_intent.succeeded', pi_expanded),
                 ('payment_intent.payment_failed', pi_expanded),
                 ('charge.refunded', objects['charge']),
                 ('refund.updated', objects['refund']),
                 ('checkout.session.completed', {'id': 'cs_test_1', 'object': 'checkout.session',
                                                 'payment_link': 'plink_1', 'payment_intent': 'pi_1'})]:
    ev = dict(objects['event'], type=typ, data={'object': obj})
    events.append((typ, json.dumps(ev)))
events.append(('fixture', json.dumps(objects['event'])))
for i, (typ, body) in enumerate(events):
    t = NOW - 10
    sig = hmac.new(SECRET.encode(), f'{t}.{body}'.encode(), hashlib.sha256).hexdigest()
    header = f't={t},v1={sig}'
    write('webhook', f'{typ}.txt', f'{header}\n{SECRET}\n{body}')
    if i == 0:
        write('webhook', 'v0-and-two-v1.txt',
              f't={t},v1={"0" * 64},v0=abc,v1={sig.upper()}\n{SECRET}\n{body}')
        write('webhook', 'stale.txt', f't={NOW - 301},v1={sig}\n{SECRET}\n{body}')
        write('webhook', 'wrong-secret.txt', f'{header}\nwhsec_other\n{body}')
for kind, value in ODD.items():
    for member in ['object', 'id', 'type', 'data', 'created']:
        ev = dict(objects['event'])
        ev[member] = value
        write('webhook', f'odd-{member}-{kind}.txt', f't={NOW},v1=00\n{SECRET}\n{json.dumps(ev)}')
write('webhook', 'not-an-event.txt', f't={NOW},v1=00\n{SECRET}\n{{"object": "charge", "id": "ch_1"}}')
write('webhook', 'not-json.txt', f't={NOW},v1=00\n{SECRET}\nhello')
write('webhook', 'malformed-header.txt', f't=,v1\n{SECRET}\n{{}}')
write('webhook', 'two-timestamps.txt', f't=1,t=2,v1=ab\n{SECRET}\n{{}}')
write('webhook', 'no-secret.txt', f't={NOW},v1=ab\n\n{{}}')

# --- money: currency, decimal sep, group sep, "<flags> <int64>", text ---
amounts = [
    ('USD', '.', ',', '0 1250', '12.50'),
    ('USD', '.', ',', '0 123456', '$1,234.56'),
    ('USD', '.', ',', '3 -500', '-5.00'),
    ('USD', '.', ',', '1 -100010', '-$1,000.10'),
    ('USD', '.', ',', '2 0', '0'),
    ('USD', '.', ',', '3 9223372036854775807', '92233720368547758.07'),
    ('USD', '.', ',', '3 -9223372036854775808', '-92233720368547758.08'),
    ('EUR', ',', '.', '0 123456', '1.234,56 €'),
    ('EUR', ',', '.', '0 1250', '12,5'),
    ('EUR', ',', '\u202f', '0 123456', '1\u202f234,56'),
    ('JPY', '.', ',', '0 5000', '¥5,000'),
    ('KWD', '.', ',', '0 1234', '1.234 KWD'),
    ('GBP', '.', ',', '1 -99', '−£0.99'),
    ('CHF', '.', "'", '0 100000', "1'000.00"),
    ('USD', '.', ',', '0 1', '  12.345 '),
    ('XXX', '.', ',', '0 1', '12'),
    ('usd', '.', ',', '0 1', 'usd 12.00'),
]
for i, (cur, dec, grp, num, text) in enumerate(amounts):
    write('money', f'amount-{i:02d}-{cur}', f'{cur}\n{dec}\n{grp}\n{num}\n{text}')

# --- stripe-form: JSON parameters, and key<TAB>value lines ---
forms_json = {
    'payment-intent-create': {'amount': 2500, 'currency': 'usd', 'customer': 'cus_1',
                              'description': 'Invoice INV-0012 (Ana Pérez)',
                              'metadata': {'invoice_id': '12', 'patient_id': 3, 'note': 'a&b=c d+e%'},
                              'payment_method_types': ['card'], 'receipt_email': 'ana@example.org',
                              'automatic_payment_methods': {'enabled': True}, 'expand': ['latest_charge']},
    'payment-link-create': {'line_items': [{'price_data': {'currency': 'usd', 'unit_amount': 2500,
                                                           'product_data': {'name': 'Invoice INV-0012'}},
                                            'quantity': 1}],
                            'metadata': {'invoice_id': '12'},
                            'after_completion': {'type': 'redirect', 'redirect': {'url': 'https://example.org/thanks?x=1&y=2'}},
                            'restrictions': {'completed_sessions': {'limit': 1}}},
    'refund-create': {'payment_intent': 'pi_1', 'amount': 500, 'reason': 'requested_by_customer',
                      'metadata': {'refund_id': '4', 'unset': None}},
    'search': {'query': "metadata['invoice_id']:'12' AND status:'succeeded'", 'limit': 100, 'page': 'WzE3XQ=='},
    'nested-arrays': {'a': [['x', 'y'], [{'b': 'c'}]], 'mixed': ['s', {'k': 'v'}, 3, None, False]},
}
for name, obj in forms_json.items():
    write('stripe-form', name + '.json', json.dumps(obj, ensure_ascii=False))
write('stripe-form', 'array-root.json', json.dumps(['a', 'b']))
write('stripe-form', 'scalar-root.json', '"just a string"')
write('stripe-form', 'pairs-basic.txt', 'amount\t2500\ncurrency\tusd\nmetadata[invoice_id]\t12\nexpand[]\tlatest_charge\n')
write('stripe-form', 'pairs-special.txt', 'q\tstatus:\'succeeded\' AND metadata[\'x\']:\'1\'\nk=v&w\t+%20 &=\ncafé\tPérez €\nempty\n')
write('stripe-form', 'pairs-conflict.txt', 'a\t1\na[b]\t2\nitems[0][price]\tx\nitems[2][price]\ty\n')

# --- sim-form: raw request bodies and query strings ---
bodies = [
    'amount=2500&currency=usd&metadata%5Binvoice_id%5D=12&expand%5B%5D=latest_charge',
    'line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=2500&line_items%5B0%5D%5Bquantity%5D=1',
    'a[b][c]=1&a[b][d]=2&expand[]=x&expand[]=y',
    'items[0][price]=y&items[1][price]=z&items[1][qty]=2',
    'q=status%3A%27succeeded%27+AND+metadata%5B%27invoice_id%27%5D%3A%2712%27&limit=100',
    'description=Ana+P%C3%A9rez&metadata[note]=',
    'a=1&a=2&&b&=c',
    'a=1&a[b]=2',
    'items[1][x]=1',
    'bad=%zz&x=%4',
    'utf=%C3%28',
    'a[][b]=1&a[][b]=2',
    'a[0][]=1&a[0][]=2&a[1][]=3',
    'metadata[0]=x&metadata[x]=1',
    '[x]=1',
    'a[b=1',
    'a[b]c=1',
]
for i, b in enumerate(bodies):
    write('sim-form', f'body-{i:02d}', b)

# --- import: first line the file name (or a format name), then the file ---
IMPORT_DATA = os.path.join(ROOT, 'tests', 'data', 'import')
for name in ['patients.csv', 'invoices.csv', 'bundle.json', 'invoice.json', 'patient.json']:
    with open(os.path.join(IMPORT_DATA, name), 'rb') as f:
        write('import', name, name.encode() + b'\n' + f.read())
with open(os.path.join(IMPORT_DATA, 'invoices.csv'), 'rb') as f:
    write('import', 'format-csv-invoices', b'csv-invoices\n' + f.read())
with open(os.path.join(IMPORT_DATA, 'patient.json'), 'rb') as f:
    write('import', 'format-fhir', b'fhir\n' + f.read())
write('import', 'bad-quote.csv', b'auto\nmrn,given_name\r\nMRN-9,"unterminated\r\n')
write('import', 'bad-utf8.csv', b'patients.csv\n\xef\xbb\xbfmrn,given_name,family_name\nMRN-1,A\xff,B\n')
write('import', 'bad-values.csv',
      'invoices.csv\ninvoice_number,mrn,issue_date,currency,description,quantity,unit_price\n'
      'INV-1,MRN-1001,2026-02-30,USD,x,1e3,-0.001\n'
      'INV-2,MRN-404,2026-01-01,XXX,y,99999999999999999999,92233720368547758.08\n')
write('import', 'odd-bundle.json',
      'bundle.json\n{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Invoice","identifier":{},'
      '"totalGross":{"value":"x"},"lineItem":[{"priceComponent":[{"amount":{"value":1e400,"currency":7}}]}]}},'
      '{"resource":[]},null]}\n')

for target in ['stripe-json', 'webhook', 'money', 'stripe-form', 'sim-form', 'import']:
    print(target, len(os.listdir(os.path.join(HERE, 'corpus', target))), file=sys.stderr)
