/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-records.h"

CpPatient *
cp_patient_new (void)
{
  CpPatient *patient = g_new0 (CpPatient, 1);

  patient->preferred_language = g_strdup ("en");
  return patient;
}

CpPatient *
cp_patient_copy (const CpPatient *patient)
{
  CpPatient *copy;

  if (patient == NULL)
    return NULL;

  copy = g_new0 (CpPatient, 1);
  copy->id = patient->id;
  copy->mrn = g_strdup (patient->mrn);
  copy->given_name = g_strdup (patient->given_name);
  copy->family_name = g_strdup (patient->family_name);
  copy->date_of_birth = g_strdup (patient->date_of_birth);
  copy->email = g_strdup (patient->email);
  copy->phone = g_strdup (patient->phone);
  copy->address = g_strdup (patient->address);
  copy->preferred_language = g_strdup (patient->preferred_language);
  copy->stripe_customer_id = g_strdup (patient->stripe_customer_id);
  return copy;
}

void
cp_patient_free (CpPatient *patient)
{
  if (patient == NULL)
    return;

  g_free (patient->mrn);
  g_free (patient->given_name);
  g_free (patient->family_name);
  g_free (patient->date_of_birth);
  g_free (patient->email);
  g_free (patient->phone);
  g_free (patient->address);
  g_free (patient->preferred_language);
  g_free (patient->stripe_customer_id);
  g_free (patient);
}

char *
cp_patient_display_name (const CpPatient *patient)
{
  g_return_val_if_fail (patient != NULL, NULL);

  if (patient->given_name == NULL || *patient->given_name == '\0')
    return g_strdup (patient->family_name ? patient->family_name : "");
  if (patient->family_name == NULL || *patient->family_name == '\0')
    return g_strdup (patient->given_name);
  return g_strdup_printf ("%s %s", patient->given_name, patient->family_name);
}

CpLineItem *
cp_line_item_new (void)
{
  CpLineItem *item = g_new0 (CpLineItem, 1);

  item->quantity = 1;
  return item;
}

void
cp_line_item_free (CpLineItem *item)
{
  if (item == NULL)
    return;

  g_free (item->description);
  g_free (item->service_code);
  g_free (item->service_date);
  g_free (item->provider);
  g_free (item);
}

CpPayment *
cp_payment_new (void)
{
  return g_new0 (CpPayment, 1);
}

void
cp_payment_free (CpPayment *payment)
{
  if (payment == NULL)
    return;

  g_free (payment->stripe_payment_intent_id);
  g_free (payment->stripe_charge_id);
  g_free (payment->currency);
  g_free (payment->status);
  g_free (payment->card_brand);
  g_free (payment->card_last4);
  g_free (payment->failure_code);
  g_free (payment->failure_message);
  g_free (payment->receipt_url);
  g_free (payment->created_at);
  g_free (payment->attempt_id);
  g_free (payment);
}

CpRefund *
cp_refund_new (void)
{
  return g_new0 (CpRefund, 1);
}

void
cp_refund_free (CpRefund *refund)
{
  if (refund == NULL)
    return;

  g_free (refund->stripe_refund_id);
  g_free (refund->currency);
  g_free (refund->status);
  g_free (refund->reason);
  g_free (refund->created_at);
  g_free (refund->failure_reason);
  g_free (refund);
}

CpPaymentLink *
cp_payment_link_new (void)
{
  return g_new0 (CpPaymentLink, 1);
}

void
cp_payment_link_free (CpPaymentLink *link)
{
  if (link == NULL)
    return;

  g_free (link->id);
  g_free (link->url);
  g_free (link->currency);
  g_free (link->created_at);
  g_free (link->revoked_at);
  g_free (link->reason);
  g_free (link);
}

CpInvoiceSummary *
cp_invoice_summary_new (void)
{
  return g_new0 (CpInvoiceSummary, 1);
}

void
cp_invoice_summary_free (CpInvoiceSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->number);
  g_free (summary->patient_name);
  g_free (summary->mrn);
  g_free (summary->issue_date);
  g_free (summary->due_date);
  g_free (summary->currency);
  g_free (summary);
}

CpInvoice *
cp_invoice_new (void)
{
  CpInvoice *invoice = g_new0 (CpInvoice, 1);

  invoice->line_items = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_line_item_free);
  invoice->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_payment_free);
  invoice->refunds = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_refund_free);
  invoice->currency = g_strdup ("USD");
  return invoice;
}

void
cp_invoice_free (CpInvoice *invoice)
{
  if (invoice == NULL)
    return;

  g_free (invoice->number);
  g_clear_pointer (&invoice->patient, cp_patient_free);
  g_free (invoice->issue_date);
  g_free (invoice->due_date);
  g_free (invoice->currency);
  g_free (invoice->notes);
  g_clear_pointer (&invoice->line_items, g_ptr_array_unref);
  g_clear_pointer (&invoice->payments, g_ptr_array_unref);
  g_clear_pointer (&invoice->refunds, g_ptr_array_unref);
  g_free (invoice);
}

CpStaff *
cp_staff_new (void)
{
  CpStaff *staff = g_new0 (CpStaff, 1);

  staff->active = TRUE;
  return staff;
}

CpStaff *
cp_staff_copy (const CpStaff *staff)
{
  CpStaff *copy;

  if (staff == NULL)
    return NULL;
  copy = cp_staff_new ();
  copy->id = staff->id;
  copy->username = g_strdup (staff->username);
  copy->display_name = g_strdup (staff->display_name);
  copy->role = staff->role;
  copy->active = staff->active;
  return copy;
}

void
cp_staff_free (CpStaff *staff)
{
  if (staff == NULL)
    return;

  g_free (staff->username);
  g_free (staff->display_name);
  g_free (staff);
}

void
cp_invoice_totals_clear (CpInvoiceTotals *totals)
{
  if (totals == NULL)
    return;

  g_clear_pointer (&totals->currency, g_free);
  memset (totals, 0, sizeof *totals);
}

/* Strings */

static const char * const role_names[] = { "clerk", "supervisor", "admin" };
static const char * const channel_names[] = { "desk", "kiosk", "link" };
static const char * const status_names[] = {
  "pending", "overdue", "partially_paid", "paid", "cancelled", "refunded",
};

G_STATIC_ASSERT (G_N_ELEMENTS (status_names) == CP_N_INVOICE_STATUSES);

static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *text,
             int                *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (names[i], text))
        {
          if (out != NULL)
            *out = (int) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
cp_role_to_string (CpRole role)
{
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), NULL);
  return role_names[role];
}

gboolean
cp_role_from_string (const char *text,
                     CpRole     *out)
{
  int value;

  if (!lookup_name (role_names, G_N_ELEMENTS (role_names), text, &value))
    return FALSE;
  if (out != NULL)
    *out = (CpRole) value;
  return TRUE;
}

const char *
cp_role_label (CpRole role)
{
  switch (role)
    {
    case CP_ROLE_CLERK:
      return C_("staff role", "Clerk");
    case CP_ROLE_SUPERVISOR:
      return C_("staff role", "Supervisor");
    case CP_ROLE_ADMIN:
      return C_("staff role", "Administrator");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
cp_payment_channel_to_string (CpPaymentChannel channel)
{
  g_return_val_if_fail ((guint) channel < G_N_ELEMENTS (channel_names), NULL);
  return channel_names[channel];
}

gboolean
cp_payment_channel_from_string (const char       *text,
                                CpPaymentChannel *out)
{
  int value;

  if (!lookup_name (channel_names, G_N_ELEMENTS (channel_names), text, &value))
    return FALSE;
  if (out != NULL)
    *out = (CpPaymentChannel) value;
  return TRUE;
}

const char *
cp_invoice_status_to_string (CpInvoiceStatus status)
{
  g_return_val_if_fail ((guint) status < CP_N_INVOICE_STATUSES, NULL);
  return status_names[status];
}

gboolean
cp_invoice_status_from_string (const char      *text,
                               CpInvoiceStatus *out)
{
  int value;

  if (!lookup_name (status_names, G_N_ELEMENTS (status_names), text, &value))
    return FALSE;
  if (out != NULL)
    *out = (CpInvoiceStatus) value;
  return TRUE;
}

const char *
cp_invoice_status_label (CpInvoiceStatus status)
{
  switch (status)
    {
    case CP_INVOICE_STATUS_PENDING:
      return C_("invoice status", "Pending");
    case CP_INVOICE_STATUS_OVERDUE:
      return C_("invoice status", "Overdue");
    case CP_INVOICE_STATUS_PARTIALLY_PAID:
      return C_("invoice status", "Partially paid");
    case CP_INVOICE_STATUS_PAID:
      return C_("invoice status", "Paid");
    case CP_INVOICE_STATUS_CANCELLED:
      return C_("invoice status", "Cancelled");
    case CP_INVOICE_STATUS_REFUNDED:
      return C_("invoice status", "Refunded");
    case CP_N_INVOICE_STATUSES:
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Status and totals */

CpInvoiceStatus
cp_invoice_status_compute (gboolean    voided,
                           gint64      total,
                           gint64      amount_paid,
                           gint64      amount_refunded,
                           const char *due_date,
                           const char *today,
                           gint64     *out_balance_due)
{
  gint64 balance = 0;
  CpInvoiceStatus status;

  /* Refunds give money back; they never make it owed again (as in Stripe's
   * own invoicing, a refunded invoice stays paid). */
  if (voided)
    status = CP_INVOICE_STATUS_CANCELLED;
  else if (amount_paid > 0 && amount_refunded >= amount_paid)
    status = CP_INVOICE_STATUS_REFUNDED;
  else if (amount_paid >= total)
    status = CP_INVOICE_STATUS_PAID;
  else
    {
      balance = total - amount_paid;
      if (due_date != NULL && today != NULL && strcmp (due_date, today) < 0)
        status = CP_INVOICE_STATUS_OVERDUE;
      else if (amount_paid > 0)
        status = CP_INVOICE_STATUS_PARTIALLY_PAID;
      else
        status = CP_INVOICE_STATUS_PENDING;
    }

  if (out_balance_due != NULL)
    *out_balance_due = balance;
  return status;
}

gboolean
cp_payment_status_counts (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0;
}

gboolean
cp_payment_status_is_open (const char *status)
{
  static const char *const open[] = {
    "requires_payment_method", "requires_confirmation", "requires_action", "processing", NULL
  };

  return status != NULL && g_strv_contains (open, status);
}

gboolean
cp_refund_status_counts (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0 || g_strcmp0 (status, "pending") == 0;
}

gboolean
cp_invoice_compute (CpInvoice  *invoice,
                    const char *today,
                    GError    **error)
{
  gint64 subtotal = 0;
  gint64 tax = 0;
  gint64 total = 0;
  gint64 paid = 0;
  gint64 refunded = 0;

  g_return_val_if_fail (invoice != NULL, FALSE);

  for (guint i = 0; invoice->line_items != NULL && i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);

      if (!cp_money_mul (item->quantity, item->unit_amount, &item->amount, error) ||
          !cp_money_add (subtotal, item->amount, &subtotal, error))
        return FALSE;
    }

  if (!cp_money_apply_rate_bp (subtotal, invoice->tax_rate_bp, &tax, error) ||
      !cp_money_add (subtotal, tax, &total, error))
    return FALSE;

  for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_counts (payment->status) &&
          !cp_money_add (paid, payment->amount, &paid, error))
        return FALSE;
    }

  for (guint i = 0; invoice->refunds != NULL && i < invoice->refunds->len; i++)
    {
      CpRefund *refund = g_ptr_array_index (invoice->refunds, i);

      if (cp_refund_status_counts (refund->status) &&
          !cp_money_add (refunded, refund->amount, &refunded, error))
        return FALSE;
    }

  invoice->subtotal = subtotal;
  invoice->tax = tax;
  invoice->total = total;
  invoice->amount_paid = paid;
  invoice->amount_refunded = refunded;
  invoice->status = cp_invoice_status_compute (invoice->voided, total, paid, refunded,
                                               invoice->due_date, today,
                                               &invoice->balance_due);
  return TRUE;
}

/* Dates */

gboolean
cp_date_is_valid (const char *iso_date)
{
  guint year = 0, month = 0, day = 0;

  if (iso_date == NULL || strlen (iso_date) != 10)
    return FALSE;

  for (guint i = 0; i < 10; i++)
    {
      char c = iso_date[i];

      if (i == 4 || i == 7)
        {
          if (c != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (c))
        return FALSE;
    }

  for (guint i = 0; i < 4; i++)
    year = year * 10 + (guint) (iso_date[i] - '0');
  month = (guint) (iso_date[5] - '0') * 10 + (guint) (iso_date[6] - '0');
  day = (guint) (iso_date[8] - '0') * 10 + (guint) (iso_date[9] - '0');

  return year >= 1 && g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

char *
cp_today (void)
{
  const char *pinned = g_getenv ("CAREPAY_TODAY");
  g_autoptr(GDateTime) now = NULL;

  if (pinned != NULL && *pinned != '\0')
    {
      if (cp_date_is_valid (pinned))
        return g_strdup (pinned);
      g_warning_once ("CAREPAY_TODAY=%s is not a YYYY-MM-DD date; using the clock", pinned);
    }

  now = g_date_time_new_now_local ();
  return g_date_time_format (now, "%Y-%m-%d");
}
