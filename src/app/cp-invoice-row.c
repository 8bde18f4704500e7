/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-invoice-row.h"

/* One row of the invoice list, made on demand by CpInvoiceModel for the rows
 * on screen; searching and sorting happen in CpInvoiceIndex. Plain
 * properties so that GtkExpressions can reach the fields. */
struct _CpInvoiceRow
{
  GObject           parent_instance;

  CpInvoiceSummary *summary;
};

G_DEFINE_FINAL_TYPE (CpInvoiceRow, cp_invoice_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NUMBER,
  PROP_PATIENT_ID,
  PROP_PATIENT_NAME,
  PROP_MRN,
  PROP_ISSUE_DATE,
  PROP_DUE_DATE,
  PROP_CURRENCY,
  PROP_TOTAL,
  PROP_AMOUNT_PAID,
  PROP_BALANCE_DUE,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cp_invoice_row_finalize (GObject *object)
{
  CpInvoiceRow *self = CP_INVOICE_ROW (object);

  g_clear_pointer (&self->summary, cp_invoice_summary_free);

  G_OBJECT_CLASS (cp_invoice_row_parent_class)->finalize (object);
}

static void
cp_invoice_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CpInvoiceRow *self = CP_INVOICE_ROW (object);
  const CpInvoiceSummary *s = self->summary;

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, s->id);
      break;
    case PROP_NUMBER:
      g_value_set_string (value, s->number);
      break;
    case PROP_PATIENT_ID:
      g_value_set_int64 (value, s->patient_id);
      break;
    case PROP_PATIENT_NAME:
      g_value_set_string (value, s->patient_name);
      break;
    case PROP_MRN:
      g_value_set_string (value, s->mrn);
      break;
    case PROP_ISSUE_DATE:
      g_value_set_string (value, s->issue_date);
      break;
    case PROP_DUE_DATE:
      g_value_set_string (value, s->due_date);
      break;
    case PROP_CURRENCY:
      g_value_set_string (value, s->currency);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, s->total);
      break;
    case PROP_AMOUNT_PAID:
      g_value_set_int64 (value, s->amount_paid);
      break;
    case PROP_BALANCE_DUE:
      g_value_set_int64 (value, s->balance_due);
      break;
    case PROP_STATUS:
      g_value_set_int (value, s->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_invoice_row_class_init (CpInvoiceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cp_invoice_row_finalize;
  object_class->get_property = cp_invoice_row_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NUMBER] = g_param_spec_string ("number", NULL, NULL, NULL, flags);
  properties[PROP_PATIENT_ID] = g_param_spec_int64 ("patient-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PATIENT_NAME] = g_param_spec_string ("patient-name", NULL, NULL, NULL, flags);
  properties[PROP_MRN] = g_param_spec_string ("mrn", NULL, NULL, NULL, flags);
  properties[PROP_ISSUE_DATE] = g_param_spec_string ("issue-date", NULL, NULL, NULL, flags);
  properties[PROP_DUE_DATE] = g_param_spec_string ("due-date", NULL, NULL, NULL, flags);
  properties[PROP_CURRENCY] = g_param_spec_string ("currency", NULL, NULL, NULL, flags);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_AMOUNT_PAID] = g_param_spec_int64 ("amount-paid", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_BALANCE_DUE] = g_param_spec_int64 ("balance-due", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, CP_N_INVOICE_STATUSES - 1, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Every field may have changed: one signal rather than a notify each. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cp_invoice_row_init (CpInvoiceRow *self)
{
}

CpInvoiceRow *
cp_invoice_row_new (CpInvoiceSummary *summary)
{
  CpInvoiceRow *self;

  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (CP_TYPE_INVOICE_ROW, NULL);
  self->summary = summary;
  return self;
}

const CpInvoiceSummary *
cp_invoice_row_get_summary (CpInvoiceRow *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_ROW (self), NULL);

  return self->summary;
}

void
cp_invoice_row_set_summary (CpInvoiceRow     *self,
                            CpInvoiceSummary *summary)
{
  g_return_if_fail (CP_IS_INVOICE_ROW (self));
  g_return_if_fail (summary != NULL);

  g_clear_pointer (&self->summary, cp_invoice_summary_free);
  self->summary = summary;
  g_signal_emit (self, signals[CHANGED], 0);
}

gint64
cp_invoice_row_get_id (CpInvoiceRow *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_ROW (self), 0);

  return self->summary->id;
}

CpInvoiceStatus
cp_invoice_row_get_status (CpInvoiceRow *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_ROW (self), 0);

  return self->summary->status;
}
