/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-notifier.h"

struct _CpNotifier
{
  GObject       parent_instance;

  GApplication *application;  /* weak: the application owns us */
};

G_DEFINE_FINAL_TYPE (CpNotifier, cp_notifier, G_TYPE_OBJECT)

char *
cp_notifier_dup_id (gint64 invoice_id)
{
  return g_strdup_printf ("payment-received-%" G_GINT64_FORMAT, invoice_id);
}

gboolean
cp_notifier_send (CpNotifier       *self,
                  const CpInvoice  *invoice,
                  GError          **error)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const CpPayment *newest = NULL;

  g_return_val_if_fail (CP_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (invoice != NULL, FALSE);

  if (self->application == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_FAILED, "The application is gone");
      return FALSE;
    }
  for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
    {
      const CpPayment *p = invoice->payments->pdata[i];

      if (cp_payment_status_counts (p->status))
        newest = p;
    }
  if (newest == NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("Invoice %s has no payment"), invoice->number);
      return FALSE;
    }

  amount = cp_money_format (newest->amount, newest->currency);
  /* No patient details: notifications show on the screen, and on a locked
   * one. The channel tells the desk whether the patient is standing there. */
  switch (newest->channel)
    {
    case CP_PAYMENT_CHANNEL_KIOSK:
      /* Translators: "$120.00 for invoice INV-2026-00042, paid at the kiosk" */
      body = g_strdup_printf (_("%s for invoice %s, paid at the kiosk"), amount, invoice->number);
      break;
    case CP_PAYMENT_CHANNEL_LINK:
      /* Translators: "$120.00 for invoice INV-2026-00042, paid by payment link" */
      body = g_strdup_printf (_("%s for invoice %s, paid by payment link"), amount, invoice->number);
      break;
    case CP_PAYMENT_CHANNEL_DESK:
    default:
      /* Translators: "$120.00 for invoice INV-2026-00042, taken at the desk" */
      body = g_strdup_printf (_("%s for invoice %s, taken at the desk"), amount, invoice->number);
      break;
    }
  notification = g_notification_new (_("Payment Received"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-invoice", "x", invoice->id);
  g_notification_add_button_with_target (notification, _("Open Invoice"), "app.open-invoice", "x",
                                         invoice->id);
  id = cp_notifier_dup_id (invoice->id);
  g_application_send_notification (self->application, id, notification);
  return TRUE;
}

static void
cp_notifier_dispose (GObject *object)
{
  CpNotifier *self = CP_NOTIFIER (object);

  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (cp_notifier_parent_class)->dispose (object);
}

static void
cp_notifier_class_init (CpNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cp_notifier_dispose;
}

static void
cp_notifier_init (CpNotifier *self)
{
}

CpNotifier *
cp_notifier_new (GApplication *application)
{
  CpNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);

  self = g_object_new (CP_TYPE_NOTIFIER, NULL);
  g_set_weak_pointer (&self->application, application);
  return self;
}
