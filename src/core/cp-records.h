/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Plain records that the store fills and callers own. Dates are ISO 8601
 * calendar dates "YYYY-MM-DD" (they compare as strings); times are
 * "YYYY-MM-DDTHH:MM:SSZ" in UTC. Money is minor units of `currency`. */

typedef enum {
  CP_ROLE_CLERK,
  CP_ROLE_SUPERVISOR,
  CP_ROLE_ADMIN,
} CpRole;

typedef enum {
  CP_INVOICE_STATUS_PENDING,
  CP_INVOICE_STATUS_OVERDUE,
  CP_INVOICE_STATUS_PARTIALLY_PAID,
  CP_INVOICE_STATUS_PAID,
  CP_INVOICE_STATUS_CANCELLED,
  CP_INVOICE_STATUS_REFUNDED,
  CP_N_INVOICE_STATUSES
} CpInvoiceStatus;

typedef enum {
  CP_PAYMENT_CHANNEL_DESK,
  CP_PAYMENT_CHANNEL_KIOSK,
  CP_PAYMENT_CHANNEL_LINK,
} CpPaymentChannel;

typedef struct {
  gint64  id;
  char   *mrn;             /* medical record number, unique */
  char   *given_name;
  char   *family_name;
  char   *date_of_birth;   /* YYYY-MM-DD */
  char   *email;
  char   *phone;
  char   *address;         /* multi-line postal address */
  char   *preferred_language; /* BCP 47, "en" or "es" */
  char   *stripe_customer_id; /* cus_..., NULL until first payment */
} CpPatient;

typedef struct {
  gint64  id;
  gint64  invoice_id;
  int     position;        /* order on the invoice, from 0 */
  char   *description;     /* "Chest X-ray, two views" */
  char   *service_code;    /* CPT/HCPCS or local code */
  gint64  quantity;        /* whole units */
  gint64  unit_amount;     /* minor units */
  gint64  amount;          /* quantity * unit_amount, computed */
  char   *service_date;
  char   *provider;        /* "Dr. Amara Okafor, Radiology" */
} CpLineItem;

typedef struct {
  gint64            id;
  gint64            invoice_id;
  char             *stripe_payment_intent_id; /* unique */
  char             *stripe_charge_id;
  gint64            amount;
  char             *currency;
  char             *status;        /* Stripe's PaymentIntent status */
  char             *card_brand;
  char             *card_last4;
  char             *failure_code;
  char             *failure_message;
  char             *receipt_url;
  CpPaymentChannel  channel;
  gint64            staff_id;      /* 0 for kiosk and link payments */
  char             *created_at;
  gboolean          disputed;
  /* since schema v2 */
  char             *attempt_id;    /* our UUID for the attempt, in its idempotency key */
  gboolean          overpaid;      /* succeeded beyond the balance due: refund the excess */
} CpPayment;

typedef struct {
  gint64  id;
  gint64  invoice_id;
  gint64  payment_id;
  char   *stripe_refund_id;  /* unique */
  gint64  amount;
  char   *currency;
  char   *status;            /* pending, succeeded, failed, canceled */
  char   *reason;
  gint64  staff_id;
  char   *created_at;
  char   *failure_reason;    /* since schema v2: Stripe's reason when status is failed */
} CpRefund;

/* A Stripe Payment Link made for an invoice's balance (schema v2). */
typedef struct {
  char     *id;            /* plink_... */
  gint64    invoice_id;
  char     *url;
  gint64    amount;
  char     *currency;
  gboolean  active;
  char     *created_at;
  char     *revoked_at;    /* NULL while active */
  char     *reason;        /* why it was revoked: paid, voided, balance changed */
} CpPaymentLink;

/* One row of the invoice list: what the list, filters and summary need. */
typedef struct {
  gint64           id;
  char            *number;
  gint64           patient_id;
  char            *patient_name;  /* "Family, Given" */
  char            *mrn;
  char            *issue_date;
  char            *due_date;
  char            *currency;
  gint64           total;
  gint64           amount_paid;
  gint64           amount_refunded;
  gint64           balance_due;
  gboolean         voided;
  gboolean         disputed;
  CpInvoiceStatus  status;        /* derived; never stored */
} CpInvoiceSummary;

typedef struct {
  gint64           id;
  char            *number;        /* unique, e.g. "INV-2026-000123" */
  CpPatient       *patient;
  char            *issue_date;
  char            *due_date;
  char            *currency;
  int              tax_rate_bp;   /* basis points: 825 = 8.25 % */
  char            *notes;
  gboolean         voided;
  GPtrArray       *line_items;    /* CpLineItem, owned */
  GPtrArray       *payments;      /* CpPayment, owned */
  GPtrArray       *refunds;       /* CpRefund, owned */
  /* derived by cp_invoice_compute(): */
  gint64           subtotal;
  gint64           tax;
  gint64           total;
  gint64           amount_paid;      /* succeeded payments */
  gint64           amount_refunded;  /* succeeded or pending refunds */
  gint64           balance_due;
  CpInvoiceStatus  status;
} CpInvoice;

typedef struct {
  gint64   id;
  char    *username;
  char    *display_name;
  CpRole   role;
  gboolean active;
} CpStaff;

/* The figures on the cards above the invoice list. */
typedef struct {
  char   *currency;
  gint64  outstanding;        /* sum of balance due over open invoices */
  gint64  outstanding_count;
  gint64  overdue;
  gint64  overdue_count;
  gint64  paid_this_month;    /* payments succeeded this calendar month, net of refunds */
  gint64  paid_this_month_count;
} CpInvoiceTotals;

CpPatient        *cp_patient_new             (void);
CpPatient        *cp_patient_copy            (const CpPatient *patient);
void              cp_patient_free            (CpPatient *patient);
char             *cp_patient_display_name    (const CpPatient *patient); /* "Given Family" */
CpLineItem       *cp_line_item_new           (void);
void              cp_line_item_free          (CpLineItem *item);
CpPayment        *cp_payment_new             (void);
void              cp_payment_free            (CpPayment *payment);
CpRefund         *cp_refund_new              (void);
void              cp_refund_free             (CpRefund *refund);
CpPaymentLink    *cp_payment_link_new        (void);
void              cp_payment_link_free       (CpPaymentLink *link);
/* A PaymentIntent status that still waits for the patient or the bank. */
gboolean          cp_payment_status_is_open  (const char *status);
CpInvoiceSummary *cp_invoice_summary_new     (void);
void              cp_invoice_summary_free    (CpInvoiceSummary *summary);
CpInvoice        *cp_invoice_new             (void);
void              cp_invoice_free            (CpInvoice *invoice);
CpStaff          *cp_staff_new               (void);
void              cp_staff_free              (CpStaff *staff);
/* A deep copy; NULL for NULL. */
CpStaff          *cp_staff_copy              (const CpStaff *staff);
void              cp_invoice_totals_clear    (CpInvoiceTotals *totals);

const char       *cp_role_to_string          (CpRole role);   /* "clerk", ... */
gboolean          cp_role_from_string        (const char *text, CpRole *out);
const char       *cp_role_label              (CpRole role);   /* translated */
const char       *cp_payment_channel_to_string   (CpPaymentChannel channel);
gboolean          cp_payment_channel_from_string (const char *text, CpPaymentChannel *out);

const char       *cp_invoice_status_to_string    (CpInvoiceStatus status); /* "partially_paid" */
gboolean          cp_invoice_status_from_string  (const char *text, CpInvoiceStatus *out);
const char       *cp_invoice_status_label        (CpInvoiceStatus status); /* translated "Partially paid" */

/* The status rule, in one place. Refunds return money to the patient but
 * never make it owed again (a refund is not a new debt):
 *   voided                          -> cancelled (balance 0)
 *   paid > 0 and refunded >= paid   -> refunded  (balance 0: the charge was reversed)
 *   paid >= total                   -> paid      (balance 0)
 *   due_date < today                -> overdue   (balance total - paid)
 *   paid > 0                        -> partially paid
 *   otherwise                       -> pending */
CpInvoiceStatus   cp_invoice_status_compute  (gboolean    voided,
                                              gint64      total,
                                              gint64      amount_paid,
                                              gint64      amount_refunded,
                                              const char *due_date,
                                              const char *today,
                                              gint64     *out_balance_due);
/* Fills subtotal, tax, total from the line items and tax rate, and
 * amount_paid, amount_refunded, balance_due and status from the payments and
 * refunds, as of `today` (YYYY-MM-DD). FALSE on overflow. */
gboolean          cp_invoice_compute         (CpInvoice  *invoice,
                                              const char *today,
                                              GError    **error);
/* A payment status that counts toward amount_paid, a refund status toward amount_refunded. */
gboolean          cp_payment_status_counts   (const char *status);
gboolean          cp_refund_status_counts    (const char *status);

/* Today's local date as YYYY-MM-DD, or CAREPAY_TODAY from the environment
 * (tests and demos pin the clock with it). */
char             *cp_today                   (void);
gboolean          cp_date_is_valid           (const char *iso_date);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpPatient, cp_patient_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpLineItem, cp_line_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpPayment, cp_payment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpRefund, cp_refund_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpPaymentLink, cp_payment_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpInvoiceSummary, cp_invoice_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpInvoice, cp_invoice_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStaff, cp_staff_free)

G_END_DECLS
