/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "CarePay-Kiosk"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <string.h>

#include "cp-error.h"
#include "cp-kiosk-checkout.h"
#include "cp-kiosk-private.h"
#include "cp-timing-mark.h"
#include "cp-kiosk-view.h"
#include "cp-money.h"
#include "cp-records.h"

struct _CpKioskView
{
  GtkWidget         parent_instance;

  CpStore          *store;
  CpLedger         *ledger;
  CpKioskGuard     *guard;
  GSettings        *settings;
  char             *language;
  char             *unavailable;
  GCancellable     *cancellable;
  gboolean          touched;
  guint             lock_timer;

  /* The patient, once found; all of it goes with the view. */
  CpPatient        *patient;
  GPtrArray        *open_invoices;   /* CpInvoiceSummary */

  /* Template children */
  GtkWidget        *stack;
  GtkWidget        *loading_label;
  GtkWidget        *loading_spinner;
  GtkWidget        *hospital_label;
  GtkWidget        *start_button;
  GtkWidget        *english_button;
  GtkWidget        *spanish_button;
  GtkWidget        *id_entry;
  GtkWidget        *dob_box;
  GtkWidget        *day_box;
  GtkWidget        *month_box;
  GtkWidget        *year_box;
  GtkWidget        *day_entry;
  GtkWidget        *month_entry;
  GtkWidget        *year_entry;
  GtkWidget        *lookup_error_label;
  GtkWidget        *lookup_spinner;
  GtkWidget        *lookup_back_button;
  GtkWidget        *find_button;
  GtkWidget        *greeting_label;
  GtkWidget        *invoices_caption;
  GtkWidget        *invoices_list;
  GtkWidget        *invoices_done_button;
  /* The invoice, card payment and confirmation (cp-kiosk-checkout.c) */
  CpKioskCheckout  *checkout;
};

G_DEFINE_FINAL_TYPE (CpKioskView, cp_kiosk_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- helpers -------------------------------------------------------------- */

static void
show_page (CpKioskView *self,
           const char  *name)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

void
cp_kiosk_show_error (GtkWidget  *label,
                     const char *message)
{
  gtk_label_set_text (GTK_LABEL (label), message != NULL ? message : "");
  gtk_widget_set_visible (label, message != NULL);
}

void
cp_kiosk_clear_list (GtkWidget *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (list), child);
}

static void
cancel_payment_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cp_ledger_cancel_payment_finish (CP_LEDGER (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not cancel the kiosk's PaymentIntent: %s", error->message);
}

void
cp_kiosk_cancel_payment (CpLedger     *ledger,
                         const char   *payment_intent_id,
                         GCancellable *cancellable)
{
  cp_ledger_cancel_payment_async (ledger, payment_intent_id, cancellable, cancel_payment_cb, NULL);
}

/* "2026-03-12" as the patient reads it: "March 12, 2026". */
char *
cp_kiosk_format_date (const char *iso)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;

  if (iso == NULL || !cp_date_is_valid (iso) || sscanf (iso, "%d-%d-%d", &y, &m, &d) != 3)
    return g_strdup (iso != NULL ? iso : "");
  dt = g_date_time_new_local (y, m, d, 12, 0, 0);
  /* TRANSLATORS: a date on the kiosk, see strftime: "March 12, 2026" */
  return g_date_time_format (dt, _("%B %-d, %Y"));
}

static gboolean
invoice_is_open (CpInvoiceStatus status)
{
  return status == CP_INVOICE_STATUS_PENDING ||
         status == CP_INVOICE_STATUS_OVERDUE ||
         status == CP_INVOICE_STATUS_PARTIALLY_PAID;
}

char *
cp_kiosk_date_order (const char *language)
{
  const char *fmt;
  GString *order;

  if (g_strcmp0 (language, "es") == 0)
    return g_strdup ("dmy");

  fmt = nl_langinfo (D_FMT);
  order = g_string_new (NULL);
  for (const char *p = fmt; p != NULL && *p != '\0'; p++)
    {
      if (*p != '%' || p[1] == '\0')
        continue;
      p++;
      while (*p == 'E' || *p == 'O' || *p == '-' || *p == '_' || *p == '0' || *p == '^' || *p == '#')
        p++;
      switch (*p)
        {
        case 'd': case 'e': if (!strchr (order->str, 'd')) g_string_append_c (order, 'd'); break;
        case 'm': case 'b': case 'B': if (!strchr (order->str, 'm')) g_string_append_c (order, 'm'); break;
        case 'y': case 'Y': if (!strchr (order->str, 'y')) g_string_append_c (order, 'y'); break;
        case 'D': g_string_append (order, "mdy"); break;
        case 'F': g_string_append (order, "ymd"); break;
        default: break;
        }
    }
  if (order->len != 3)
    {
      g_string_free (order, TRUE);
      return g_strdup ("mdy");
    }
  return g_string_free (order, FALSE);
}

static void
apply_date_order (CpKioskView *self)
{
  g_autofree char *order = cp_kiosk_date_order (self->language);
  GtkWidget *prev = NULL;

  for (const char *p = order; *p != '\0'; p++)
    {
      GtkWidget *box = *p == 'd' ? self->day_box : *p == 'm' ? self->month_box : self->year_box;

      gtk_box_reorder_child_after (GTK_BOX (self->dob_box), box, prev);
      prev = box;
    }
}

static GtkWidget *
dob_field (CpKioskView *self,
           guint        index)
{
  g_autofree char *order = cp_kiosk_date_order (self->language);
  char c = index < 3 ? order[index] : 0;

  return c == 'd' ? self->day_entry : c == 'm' ? self->month_entry : c == 'y' ? self->year_entry : NULL;
}

/* --- lookup --------------------------------------------------------------- */

typedef struct {
  CpStore   *store;
  char      *query;
  char      *dob;
} LookupData;

typedef struct {
  CpPatient *patient;
  GPtrArray *invoices;     /* the patient's open invoices */
  CpInvoice *matched;      /* the invoice asked for by number, NULL for an MRN */
} LookupResult;

static void
lookup_data_free (gpointer data)
{
  LookupData *ld = data;

  g_clear_object (&ld->store);
  g_free (ld->query);
  g_free (ld->dob);
  g_free (ld);
}

static void
lookup_result_free (gpointer data)
{
  LookupResult *lr = data;

  g_clear_pointer (&lr->patient, cp_patient_free);
  g_clear_pointer (&lr->invoices, g_ptr_array_unref);
  g_clear_pointer (&lr->matched, cp_invoice_free);
  g_free (lr);
}

static GPtrArray *
list_open_invoices (CpStore  *store,
                    gint64    patient_id,
                    GError  **error)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *open;

  query.patient_id = patient_id;
  all = cp_store_list_invoices (store, &query, error);
  if (all == NULL)
    return NULL;
  open = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  for (guint i = 0; i < all->len; i++)
    {
      CpInvoiceSummary *s = g_ptr_array_index (all, i);

      if (s->patient_id == patient_id && invoice_is_open (s->status) && s->balance_due > 0)
        g_ptr_array_add (open, g_steal_pointer (&all->pdata[i]));
    }
  return open;
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LookupData *ld = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPatient) patient = NULL;
  g_autofree char *upper = g_ascii_strup (ld->query, -1);
  LookupResult *lr;

  invoice = cp_store_get_invoice_by_number (ld->store, upper, &error);
  if (invoice == NULL && !g_error_matches (error, CP_ERROR, CP_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  if (invoice != NULL && invoice->patient != NULL)
    patient = cp_patient_copy (invoice->patient);
  else
    {
      patient = cp_store_get_patient_by_mrn (ld->store, upper, &error);
      if (patient == NULL && g_error_matches (error, CP_ERROR, CP_ERROR_NOT_FOUND) && strcmp (upper, ld->query) != 0)
        {
          g_clear_error (&error);
          patient = cp_store_get_patient_by_mrn (ld->store, ld->query, &error);
        }
      if (patient == NULL && !g_error_matches (error, CP_ERROR, CP_ERROR_NOT_FOUND))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_clear_error (&error);
      g_clear_pointer (&invoice, cp_invoice_free);
    }

  /* One answer for every miss: never which half was wrong. */
  if (patient == NULL || g_strcmp0 (patient->date_of_birth, ld->dob) != 0)
    {
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_NOT_FOUND, "no match");
      return;
    }

  lr = g_new0 (LookupResult, 1);
  /* A bill asked for by number that is still open is shown at once; the
   * patient's other bills are listed when asked for, off the way to the card
   * form (that list is the lookup's only query that grows with the file). */
  if (invoice != NULL && invoice_is_open (invoice->status) && invoice->balance_due > 0)
    lr->invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  else
    lr->invoices = list_open_invoices (ld->store, patient->id, &error);
  if (lr->invoices == NULL)
    {
      lookup_result_free (lr);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (invoice != NULL && invoice_is_open (invoice->status) && invoice->balance_due > 0)
    lr->matched = g_steal_pointer (&invoice);
  lr->patient = g_steal_pointer (&patient);
  g_task_return_pointer (task, lr, lookup_result_free);
}

static void show_invoices (CpKioskView *self);

static void
update_lock (CpKioskView *self)
{
  gint64 remaining = 0;

  if (self->guard != NULL && cp_kiosk_guard_is_locked (self->guard, &remaining))
    {
      guint minutes = (guint) MAX (1, (remaining + 60 * G_USEC_PER_SEC - 1) / (60 * G_USEC_PER_SEC));
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Too many tries. For your safety, please try again in %u minute or ask at the front desk.",
                                      "Too many tries. For your safety, please try again in %u minutes or ask at the front desk.",
                                      minutes), minutes);

      cp_kiosk_show_error (self->lookup_error_label, text);
      gtk_widget_set_sensitive (self->find_button, FALSE);
    }
  else if (!gtk_widget_get_sensitive (self->find_button) && !gtk_spinner_get_spinning (GTK_SPINNER (self->lookup_spinner)))
    {
      gtk_widget_set_sensitive (self->find_button, TRUE);
      cp_kiosk_show_error (self->lookup_error_label, NULL);
    }
}

static gboolean
lock_tick (gpointer user_data)
{
  CpKioskView *self = user_data;

  update_lock (self);
  return G_SOURCE_CONTINUE;
}

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CpKioskView *self = user_data;
  g_autoptr(GError) error = NULL;
  LookupResult *lr;

  lr = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_set_spinning (GTK_SPINNER (self->lookup_spinner), FALSE);
  gtk_widget_set_sensitive (self->find_button, TRUE);

  if (lr == NULL)
    {
      if (g_error_matches (error, CP_ERROR, CP_ERROR_NOT_FOUND))
        {
          if (cp_kiosk_guard_record_failure (self->guard) || cp_kiosk_guard_is_locked (self->guard, NULL))
            update_lock (self);
          else
            cp_kiosk_show_error (self->lookup_error_label,
                                 _("We couldn’t find a bill with those details. Please check them and try again."));
        }
      else
        {
          g_warning ("Kiosk lookup failed: %s", error->message);
          cp_kiosk_show_error (self->lookup_error_label,
                               _("Something went wrong. Please try again or ask at the front desk."));
        }
      return;
    }

  cp_timing_mark ("kiosk-lookup-succeeded");
  cp_kiosk_guard_record_success (self->guard);
  cp_kiosk_show_error (self->lookup_error_label, NULL);
  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->open_invoices, g_ptr_array_unref);
  self->patient = g_steal_pointer (&lr->patient);
  self->open_invoices = g_steal_pointer (&lr->invoices);
  cp_kiosk_checkout_set_patient (self->checkout, self->patient);

  /* A bill asked for by number opens directly while it is still open, as
   * the lookup read it a moment ago (no second trip to the store). */
  if (lr->matched != NULL)
    {
      cp_kiosk_checkout_show_invoice (self->checkout, g_steal_pointer (&lr->matched));
      lookup_result_free (lr);
      return;
    }
  lookup_result_free (lr);
  show_invoices (self);
}

static gboolean
parse_field (GtkWidget *entry,
             guint      max,
             guint     *out)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  guint64 value = 0;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0' || !g_ascii_string_to_unsigned (text, 10, 1, max, &value, NULL))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);
  g_autoptr(GTask) task = NULL;
  g_autofree char *query = NULL;
  g_autofree char *dob = NULL;
  LookupData *ld;
  guint day = 0, month = 0, year = 0;

  self->touched = TRUE;
  if (cp_kiosk_guard_is_locked (self->guard, NULL))
    {
      update_lock (self);
      return;
    }

  query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->id_entry))));
  if (*query == '\0')
    {
      cp_kiosk_show_error (self->lookup_error_label, _("Please enter your invoice number or the number on your hospital card."));
      gtk_widget_grab_focus (self->id_entry);
      return;
    }
  if (!parse_field (self->day_entry, 31, &day) ||
      !parse_field (self->month_entry, 12, &month) ||
      !parse_field (self->year_entry, 9999, &year) || year < 1000)
    {
      cp_kiosk_show_error (self->lookup_error_label, _("Please enter your date of birth: day, month and a four-digit year."));
      return;
    }
  dob = g_strdup_printf ("%04u-%02u-%02u", year, month, day);
  if (!cp_date_is_valid (dob))
    {
      cp_kiosk_show_error (self->lookup_error_label, _("That date of birth is not a real date. Please check it."));
      return;
    }

  cp_kiosk_show_error (self->lookup_error_label, NULL);
  gtk_spinner_set_spinning (GTK_SPINNER (self->lookup_spinner), TRUE);
  gtk_widget_set_sensitive (self->find_button, FALSE);

  ld = g_new0 (LookupData, 1);
  ld->store = g_object_ref (self->store);
  ld->query = g_steal_pointer (&query);
  ld->dob = g_steal_pointer (&dob);
  cp_timing_mark ("kiosk-lookup-started");
  task = g_task_new (NULL, self->cancellable, lookup_done_cb, self);
  g_task_set_source_tag (task, find_action);
  g_task_set_task_data (task, ld, lookup_data_free);
  g_task_run_in_thread (task, lookup_thread);
}

static void
id_entry_activate_cb (CpKioskView *self)
{
  /* A barcode scanner types the number and Enter: on to the date of birth. */
  gtk_widget_grab_focus (dob_field (self, 0));
}

static void
dob_activate_cb (CpKioskView *self,
                 GtkEntry    *entry)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "view.find", NULL);
}

static void
dob_changed_cb (CpKioskView *self,
                GtkEditable *editable)
{
  const char *text = gtk_editable_get_text (editable);
  int max = gtk_entry_get_max_length (GTK_ENTRY (editable));

  self->touched = TRUE;
  /* A full field moves on to the next one, as on a paper form. */
  if (max > 0 && (int) strlen (text) >= max &&
      gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (editable))))
    {
      for (guint i = 0; i < 2; i++)
        if (dob_field (self, i) == GTK_WIDGET (editable))
          {
            gtk_widget_grab_focus (dob_field (self, i + 1));
            break;
          }
    }
}

/* --- the list of open invoices -------------------------------------------- */

static GtkWidget *
invoice_row_new (CpInvoiceSummary *s)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label;
  g_autofree char *due = cp_kiosk_format_date (s->due_date);
  g_autofree char *sub = NULL;
  g_autofree char *balance = cp_money_format (s->balance_due, s->currency);
  g_autofree char *access = NULL;

  gtk_widget_add_css_class (box, "kiosk-row");
  label = gtk_label_new (s->number);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "kiosk-strong");
  gtk_box_append (GTK_BOX (text), label);
  /* TRANSLATORS: "Overdue · due March 12, 2026" */
  sub = g_strdup_printf (_("%s · due %s"), cp_invoice_status_label (s->status), due);
  label = gtk_label_new (sub);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "kiosk-hint");
  if (s->status == CP_INVOICE_STATUS_OVERDUE)
    gtk_widget_add_css_class (label, "kiosk-overdue");
  gtk_box_append (GTK_BOX (text), label);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  label = gtk_label_new (balance);
  gtk_widget_add_css_class (label, "kiosk-amount");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("go-next-symbolic"));

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "invoice-id", g_memdup2 (&s->id, sizeof s->id), g_free);
  access = g_strdup_printf (_("Invoice %s, %s, balance due %s"), s->number, sub, balance);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
  return row;
}

static void
show_invoices (CpKioskView *self)
{
  g_autofree char *greeting = NULL;

  cp_kiosk_clear_list (self->invoices_list);
  /* TRANSLATORS: greets the patient by their first name */
  greeting = g_strdup_printf (_("Hello, %s"), self->patient->given_name);
  gtk_label_set_text (GTK_LABEL (self->greeting_label), greeting);
  if (self->open_invoices->len == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->invoices_caption),
                          _("You have no bills to pay right now. Thank you!"));
      gtk_widget_set_visible (self->invoices_list, FALSE);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->invoices_caption),
                          g_dngettext (GETTEXT_PACKAGE, "This bill is open. Touch it to see it and pay.",
                                       "These bills are open. Touch one to see it and pay.",
                                       self->open_invoices->len));
      gtk_widget_set_visible (self->invoices_list, TRUE);
      for (guint i = 0; i < self->open_invoices->len; i++)
        gtk_list_box_append (GTK_LIST_BOX (self->invoices_list),
                             invoice_row_new (g_ptr_array_index (self->open_invoices, i)));
    }
  show_page (self, "invoices");
}

static void
invoices_reloaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CpKioskView *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean show = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "show"));
  GPtrArray *invoices;

  invoices = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (invoices != NULL)
    {
      g_clear_pointer (&self->open_invoices, g_ptr_array_unref);
      self->open_invoices = invoices;
    }
  else
    g_warning ("Could not reload the patient's invoices: %s", error->message);
  /* "Pay another bill" only while there is another bill. */
  cp_kiosk_checkout_set_another_bill (self->checkout, self->open_invoices != NULL && self->open_invoices->len > 0);
  if (show)
    show_invoices (self);
}

static void
reload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpKioskView *self = source_object;
  gint64 patient_id = *(gint64 *) task_data;
  GError *error = NULL;
  GPtrArray *invoices = list_open_invoices (self->store, patient_id, &error);

  if (invoices == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, invoices, (GDestroyNotify) g_ptr_array_unref);
}

/* Fresh from the store: a bill just paid leaves the list. */
static void
reload_invoices (CpKioskView *self,
                 gboolean     show)
{
  g_autoptr(GTask) task = NULL;

  if (self->patient == NULL)
    return;
  task = g_task_new (self, self->cancellable, invoices_reloaded_cb, self);
  g_task_set_source_tag (task, reload_invoices);
  g_task_set_task_data (task, g_memdup2 (&self->patient->id, sizeof (gint64)), g_free);
  g_object_set_data (G_OBJECT (task), "show", GINT_TO_POINTER (show));
  g_task_run_in_thread (task, reload_thread);
}

static void
show_invoices_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  /* The bill left on screen no longer needs its PaymentIntent. */
  cp_kiosk_checkout_leave (self->checkout);
  reload_invoices (self, TRUE);
}

/* After a payment (cp-kiosk-checkout.c): the bill just paid leaves the list. */
static void
refresh_invoices_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  reload_invoices (CP_KIOSK_VIEW (widget), FALSE);
}

static void
invoice_row_activated_cb (CpKioskView   *self,
                          GtkListBoxRow *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "invoice-id");

  if (id != NULL)
    cp_kiosk_checkout_load_invoice (self->checkout, *id);
}

/* --- start ---------------------------------------------------------------- */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  self->touched = TRUE;
  show_page (self, "lookup");
  update_lock (self);
  gtk_widget_grab_focus (self->id_entry);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  /* Back to the start in the same language, without what was typed. */
  gtk_editable_set_text (GTK_EDITABLE (self->id_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->day_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->month_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->year_entry), "");
  cp_kiosk_show_error (self->lookup_error_label, NULL);
  update_lock (self);
  show_page (self, "start");
}

static void
update_ready (CpKioskView *self)
{
  const char *page = gtk_stack_get_visible_child_name (GTK_STACK (self->stack));

  if (g_strcmp0 (page, "loading") != 0)
    return;
  if (self->unavailable != NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->loading_label), self->unavailable);
      gtk_spinner_set_spinning (GTK_SPINNER (self->loading_spinner), FALSE);
      gtk_widget_set_visible (self->loading_spinner, FALSE);
    }
  else if (self->store != NULL && self->ledger != NULL)
    show_page (self, "start");
}

/* The checkout showed one of its pages. */
static void
checkout_page_cb (CpKioskView *self)
{
  show_page (self, "checkout");
}

/* --- GObject -------------------------------------------------------------- */

static void
cp_kiosk_view_dispose (GObject *object)
{
  CpKioskView *self = CP_KIOSK_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->lock_timer, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_KIOSK_VIEW);
  g_clear_object (&self->store);
  g_clear_object (&self->ledger);
  g_clear_object (&self->guard);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->open_invoices, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_kiosk_view_parent_class)->dispose (object);
}

static void
cp_kiosk_view_finalize (GObject *object)
{
  CpKioskView *self = CP_KIOSK_VIEW (object);

  g_free (self->language);
  g_free (self->unavailable);

  G_OBJECT_CLASS (cp_kiosk_view_parent_class)->finalize (object);
}

static void
cp_kiosk_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CpKioskView *self = CP_KIOSK_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_string (value, cp_kiosk_view_get_page (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_kiosk_view_class_init (CpKioskViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_kiosk_view_dispose;
  object_class->finalize = cp_kiosk_view_finalize;
  object_class->get_property = cp_kiosk_view_get_property;

  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ADW_TYPE_CLAMP);
  g_type_ensure (ADW_TYPE_BIN);
  g_type_ensure (CP_TYPE_KIOSK_CHECKOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/kiosk/cp-kiosk-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpKioskView, name)
  BIND (stack);
  BIND (loading_label);
  BIND (loading_spinner);
  BIND (hospital_label);
  BIND (start_button);
  BIND (english_button);
  BIND (spanish_button);
  BIND (id_entry);
  BIND (dob_box);
  BIND (day_box);
  BIND (month_box);
  BIND (year_box);
  BIND (day_entry);
  BIND (month_entry);
  BIND (year_entry);
  BIND (lookup_error_label);
  BIND (lookup_spinner);
  BIND (lookup_back_button);
  BIND (find_button);
  BIND (greeting_label);
  BIND (invoices_caption);
  BIND (invoices_list);
  BIND (invoices_done_button);
  BIND (checkout);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, id_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, dob_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, dob_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, invoice_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "view.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "view.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "view.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "view.show-invoices", NULL, show_invoices_action);
  gtk_widget_class_install_action (widget_class, "view.refresh-invoices", NULL, refresh_invoices_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cpkioskview");
}

static void
cp_kiosk_view_init (CpKioskView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->checkout, "notify::page", G_CALLBACK (checkout_page_cb), self, G_CONNECT_SWAPPED);
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->language = g_strdup ("en");
}

GtkWidget *
cp_kiosk_view_new (CpStore      *store,
                   CpLedger     *ledger,
                   CpKioskGuard *guard,
                   const char   *language)
{
  CpKioskView *self;
  g_autofree char *hospital = NULL;

  g_return_val_if_fail (store == NULL || CP_IS_STORE (store), NULL);
  g_return_val_if_fail (ledger == NULL || CP_IS_LEDGER (ledger), NULL);
  g_return_val_if_fail (CP_IS_KIOSK_GUARD (guard), NULL);

  self = g_object_new (CP_TYPE_KIOSK_VIEW, NULL);
  g_set_object (&self->store, store);
  g_set_object (&self->ledger, ledger);
  self->guard = g_object_ref (guard);
  g_free (self->language);
  self->language = g_strdup (g_strcmp0 (language, "es") == 0 ? "es" : "en");

  hospital = g_settings_get_string (self->settings, "hospital-name");
  gtk_label_set_text (GTK_LABEL (self->hospital_label), hospital);
  apply_date_order (self);
  cp_kiosk_checkout_setup (self->checkout, store, ledger, self->language);
  self->lock_timer = g_timeout_add_seconds (1, lock_tick, self);
  update_ready (self);
  return GTK_WIDGET (self);
}

const char *
cp_kiosk_view_get_language (CpKioskView *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  return self->language;
}

const char *
cp_kiosk_view_get_page (CpKioskView *self)
{
  const char *page;

  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  page = gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
  if (g_strcmp0 (page, "checkout") == 0)
    return cp_kiosk_checkout_get_page (self->checkout);
  return page;
}

gboolean
cp_kiosk_view_get_pristine (CpKioskView *self)
{
  const char *page;

  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), TRUE);

  page = cp_kiosk_view_get_page (self);
  return !self->touched && (g_strcmp0 (page, "start") == 0 || g_strcmp0 (page, "loading") == 0);
}

const char *
cp_kiosk_view_get_open_payment_intent (CpKioskView *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  return cp_kiosk_checkout_get_open_payment_intent (self->checkout);
}

CpPaymentView *
cp_kiosk_view_get_payment_view (CpKioskView *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  return cp_kiosk_checkout_get_payment_view (self->checkout);
}

void
cp_kiosk_view_set_unavailable (CpKioskView *self,
                               const char  *message)
{
  g_return_if_fail (CP_IS_KIOSK_VIEW (self));

  g_free (self->unavailable);
  self->unavailable = g_strdup (message);
  if (message != NULL)
    show_page (self, "loading");
  update_ready (self);
}

GtkWidget *
cp_kiosk_view_get_child (CpKioskView *self,
                         const char  *id)
{
  GObject *child;

  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  child = gtk_widget_get_template_child (GTK_WIDGET (self), CP_TYPE_KIOSK_VIEW, id);
  if (child == NULL)
    return cp_kiosk_checkout_get_child (self->checkout, id);
  return GTK_WIDGET (child);
}
