/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "CarePay-Kiosk"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <string.h>

#include "cp-error.h"
#include "cp-kiosk-private.h"
#include "cp-kiosk-receipt.h"
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
  CpInvoice        *invoice;
  gint64            pay_amount;
  CpPaymentAttempt *attempt;         /* begun when the bill was shown */
  gboolean          beginning;       /* an attempt is being begun */
  gint64            wanted_amount;   /* what the patient asked to pay, 0 before */
  gboolean          confirming;

  CpPaymentView    *payment_view;

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
  GtkWidget        *invoice_back_button;
  GtkWidget        *invoice_title_label;
  GtkWidget        *invoice_dates_label;
  GtkWidget        *lines_list;
  GtkWidget        *total_value;
  GtkWidget        *paid_value;
  GtkWidget        *balance_value;
  GtkWidget        *pay_error_label;
  GtkWidget        *pay_spinner;
  GtkWidget        *pay_part_button;
  GtkWidget        *pay_full_button;
  GtkWidget        *part_revealer;
  GtkWidget        *part_entry;
  GtkWidget        *part_continue_button;
  GtkWidget        *part_hint_label;
  GtkWidget        *part_error_label;
  GtkWidget        *payment_cancel_button;
  GtkWidget        *payment_summary_label;
  GtkWidget        *decline_label;
  GtkWidget        *confirming_box;
  GtkWidget        *confirming_spinner;
  GtkWidget        *payment_bin;
  GtkWidget        *confirmation_number_label;
  GtkWidget        *confirmation_amount_label;
  GtkWidget        *confirmation_invoice_label;
  GtkWidget        *confirmation_date_label;
  GtkWidget        *another_button;
  GtkWidget        *done_button;
  /* The receipt of the payment just confirmed (cp-kiosk-receipt.c) */
  gint64            receipt_invoice_id;
  char             *receipt_pi;
  GtkWidget        *print_receipt_button;
  GtkWidget        *email_receipt_button;
  GtkWidget        *receipt_status_label;
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

static void
show_error (GtkWidget  *label,
            const char *message)
{
  gtk_label_set_text (GTK_LABEL (label), message != NULL ? message : "");
  gtk_widget_set_visible (label, message != NULL);
}

static void
clear_list (GtkWidget *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (list), child);
}

/* "2026-03-12" as the patient reads it: "March 12, 2026". */
static char *
format_date (const char *iso)
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

static void load_invoice (CpKioskView *self, gint64 invoice_id);
static void show_invoice (CpKioskView *self);
static void prepare_payment (CpKioskView *self);
static void drop_attempt (CpKioskView *self);
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

      show_error (self->lookup_error_label, text);
      gtk_widget_set_sensitive (self->find_button, FALSE);
    }
  else if (!gtk_widget_get_sensitive (self->find_button) && !gtk_spinner_get_spinning (GTK_SPINNER (self->lookup_spinner)))
    {
      gtk_widget_set_sensitive (self->find_button, TRUE);
      show_error (self->lookup_error_label, NULL);
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
            show_error (self->lookup_error_label,
                        _("We couldn’t find a bill with those details. Please check them and try again."));
        }
      else
        {
          g_warning ("Kiosk lookup failed: %s", error->message);
          show_error (self->lookup_error_label,
                      _("Something went wrong. Please try again or ask at the front desk."));
        }
      return;
    }

  cp_timing_mark ("kiosk-lookup-succeeded");
  cp_kiosk_guard_record_success (self->guard);
  show_error (self->lookup_error_label, NULL);
  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->open_invoices, g_ptr_array_unref);
  self->patient = g_steal_pointer (&lr->patient);
  self->open_invoices = g_steal_pointer (&lr->invoices);

  /* A bill asked for by number opens directly while it is still open, as
   * the lookup read it a moment ago (no second trip to the store). */
  if (lr->matched != NULL)
    {
      g_clear_pointer (&self->invoice, cp_invoice_free);
      self->invoice = g_steal_pointer (&lr->matched);
      lookup_result_free (lr);
      cp_timing_mark ("kiosk-invoice-shown");
      show_invoice (self);
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
      show_error (self->lookup_error_label, _("Please enter your invoice number or the number on your hospital card."));
      gtk_widget_grab_focus (self->id_entry);
      return;
    }
  if (!parse_field (self->day_entry, 31, &day) ||
      !parse_field (self->month_entry, 12, &month) ||
      !parse_field (self->year_entry, 9999, &year) || year < 1000)
    {
      show_error (self->lookup_error_label, _("Please enter your date of birth: day, month and a four-digit year."));
      return;
    }
  dob = g_strdup_printf ("%04u-%02u-%02u", year, month, day);
  if (!cp_date_is_valid (dob))
    {
      show_error (self->lookup_error_label, _("That date of birth is not a real date. Please check it."));
      return;
    }

  show_error (self->lookup_error_label, NULL);
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
  g_autofree char *due = format_date (s->due_date);
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

  clear_list (self->invoices_list);
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
  gtk_widget_set_visible (self->another_button, self->open_invoices != NULL && self->open_invoices->len > 0);
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
  drop_attempt (self);
  reload_invoices (self, TRUE);
}

static void
invoice_row_activated_cb (CpKioskView   *self,
                          GtkListBoxRow *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "invoice-id");

  if (id != NULL)
    load_invoice (self, *id);
}

/* --- one invoice ---------------------------------------------------------- */

static GtkWidget *
line_row_new (CpLineItem *item,
              const char *currency)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label;
  g_autofree char *date = format_date (item->service_date);
  g_autofree char *amount = cp_money_format (item->amount, currency);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (box, "kiosk-row");
  label = gtk_label_new (item->description);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (text), label);
  label = gtk_label_new (date);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "kiosk-hint");
  gtk_box_append (GTK_BOX (text), label);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  label = gtk_label_new (amount);
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static gint64
minimum_payment (CpKioskView *self)
{
  gint64 minimum = g_settings_get_int64 (self->settings, "kiosk-minimum-payment");

  return self->invoice != NULL ? MIN (MAX (minimum, 1), self->invoice->balance_due) : minimum;
}

static void
show_invoice (CpKioskView *self)
{
  CpInvoice *inv = self->invoice;
  g_autofree char *title = g_strdup_printf (_("Invoice %s"), inv->number);
  g_autofree char *issued = format_date (inv->issue_date);
  g_autofree char *due = format_date (inv->due_date);
  g_autofree char *dates = NULL;
  g_autofree char *total = cp_money_format (inv->total, inv->currency);
  g_autofree char *paid = cp_money_format (inv->amount_paid - inv->amount_refunded, inv->currency);
  g_autofree char *balance = cp_money_format (inv->balance_due, inv->currency);
  g_autofree char *full = NULL;
  g_autofree char *min = cp_money_format (minimum_payment (self), inv->currency);
  g_autofree char *hint = NULL;

  gtk_label_set_text (GTK_LABEL (self->invoice_title_label), title);
  /* TRANSLATORS: "Issued March 1, 2026 · Due March 31, 2026 · Overdue" */
  dates = g_strdup_printf (_("Issued %s · Due %s · %s"), issued, due, cp_invoice_status_label (inv->status));
  gtk_label_set_text (GTK_LABEL (self->invoice_dates_label), dates);

  clear_list (self->lines_list);
  for (guint i = 0; inv->line_items != NULL && i < inv->line_items->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->lines_list),
                         line_row_new (g_ptr_array_index (inv->line_items, i), inv->currency));
  if (inv->tax > 0)
    {
      CpLineItem tax = { 0 };
      GtkWidget *row;

      tax.description = (char *) _("Tax");
      tax.amount = inv->tax;
      row = line_row_new (&tax, inv->currency);
      gtk_list_box_append (GTK_LIST_BOX (self->lines_list), row);
    }

  gtk_label_set_text (GTK_LABEL (self->total_value), total);
  gtk_label_set_text (GTK_LABEL (self->paid_value), paid);
  gtk_label_set_text (GTK_LABEL (self->balance_value), balance);
  /* TRANSLATORS: the big button, with the balance due: "Pay $125.00" */
  full = g_strdup_printf (_("Pay full balance %s"), balance);
  gtk_button_set_label (GTK_BUTTON (self->pay_full_button), full);

  /* TRANSLATORS: the limits of a partial payment, "Between $5.00 and $125.00" */
  hint = g_strdup_printf (_("Between %s and %s"), min, balance);
  gtk_label_set_text (GTK_LABEL (self->part_hint_label), hint);
  gtk_editable_set_text (GTK_EDITABLE (self->part_entry), "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->part_entry), min);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->part_revealer), FALSE);
  show_error (self->part_error_label, NULL);
  show_error (self->pay_error_label, NULL);
  gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), FALSE);
  gtk_widget_set_sensitive (self->pay_full_button, inv->balance_due > 0);
  gtk_widget_set_sensitive (self->pay_part_button, inv->balance_due > 0);
  gtk_widget_set_sensitive (self->part_continue_button, TRUE);
  show_page (self, "invoice");
  prepare_payment (self);
}

static void
invoice_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CpKioskView *self = user_data;
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice;

  invoice = cp_store_get_invoice_finish (CP_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (invoice == NULL)
    {
      g_warning ("Kiosk could not load an invoice: %s", error->message);
      return;
    }
  /* Only the patient's own bills. */
  if (self->patient == NULL || invoice->patient == NULL || invoice->patient->id != self->patient->id)
    {
      cp_invoice_free (invoice);
      return;
    }
  g_clear_pointer (&self->invoice, cp_invoice_free);
  self->invoice = invoice;
  cp_timing_mark ("kiosk-invoice-shown");
  show_invoice (self);
}

static void
load_invoice (CpKioskView *self,
              gint64       invoice_id)
{
  cp_store_get_invoice_async (self->store, invoice_id, self->cancellable, invoice_loaded_cb, self);
}

/* --- paying --------------------------------------------------------------- */

/* The PaymentIntent is begun for the full balance as soon as a bill is
 * shown, and the Payment Element mounted in the (hidden) payment page, so the
 * card form is ready when the patient presses Pay: creating the intent and
 * loading the element's frame take most of a second. A patient who pays part,
 * picks another bill or walks away gets that intent cancelled (as any
 * abandoned one); until then it holds the bill's balance like any open
 * attempt. */

static void begin_payment_now (CpKioskView *self, gint64 amount);

static void
cancel_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cp_ledger_cancel_payment_finish (CP_LEDGER (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not cancel the kiosk's PaymentIntent: %s", error->message);
}

/* Forgets the open attempt, cancelling it at Stripe, and gets a fresh card
 * session ready. */
static void
drop_attempt (CpKioskView *self)
{
  if (self->attempt == NULL || self->confirming)
    return;
  cp_ledger_cancel_payment_async (self->ledger, self->attempt->payment_intent_id, NULL, cancel_done_cb, NULL);
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  cp_payment_view_reset (self->payment_view);
}

static void
show_payment_page (CpKioskView *self)
{
  g_autofree char *amount = cp_money_format (self->attempt->amount, self->attempt->currency);
  g_autofree char *summary = NULL;

  self->wanted_amount = 0;
  gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), FALSE);
  gtk_widget_set_sensitive (self->pay_full_button, TRUE);
  gtk_widget_set_sensitive (self->pay_part_button, TRUE);
  gtk_widget_set_sensitive (self->part_continue_button, TRUE);
  /* TRANSLATORS: "Paying $125.00 for invoice INV-2026-000123. Enter your card, then press Pay." */
  summary = g_strdup_printf (_("Paying %s for invoice %s. Enter your card, then press Pay."),
                             amount, self->attempt->invoice_number);
  gtk_label_set_text (GTK_LABEL (self->payment_summary_label), summary);
  show_error (self->decline_label, NULL);
  gtk_widget_set_visible (self->confirming_box, FALSE);
  gtk_widget_set_sensitive (self->payment_cancel_button, TRUE);
  show_page (self, "payment");
}

static void
payment_begun_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpKioskView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *name = NULL;

  attempt = cp_ledger_begin_payment_finish (CP_LEDGER (source), result, &error);
  self->beginning = FALSE;
  /* Begun without a cancellable, so that an intent made at Stripe is never
   * lost: one nobody needs any more (the patient left, or went to another
   * bill) is cancelled here. */
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL || self->ledger == NULL || self->invoice == NULL)
    {
      if (attempt != NULL)
        cp_ledger_cancel_payment_async (CP_LEDGER (source), attempt->payment_intent_id, NULL, cancel_done_cb, NULL);
      return;
    }
  if (attempt != NULL && attempt->invoice_id != self->invoice->id)
    {
      cp_ledger_cancel_payment_async (CP_LEDGER (source), attempt->payment_intent_id, NULL, cancel_done_cb, NULL);
      if (self->wanted_amount != 0)
        begin_payment_now (self, self->wanted_amount);
      else
        prepare_payment (self);
      return;
    }
  /* Made ahead for a bill the patient has left, or chosen to pay part of. */
  if (attempt != NULL && self->wanted_amount == 0 &&
      (g_strcmp0 (cp_kiosk_view_get_page (self), "invoice") != 0 ||
       gtk_revealer_get_reveal_child (GTK_REVEALER (self->part_revealer))))
    {
      cp_ledger_cancel_payment_async (CP_LEDGER (source), attempt->payment_intent_id, NULL, cancel_done_cb, NULL);
      return;
    }

  if (attempt == NULL)
    {
      gboolean asked = self->wanted_amount != 0;

      self->wanted_amount = 0;
      gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), FALSE);
      gtk_widget_set_sensitive (self->pay_full_button, TRUE);
      gtk_widget_set_sensitive (self->pay_part_button, TRUE);
      gtk_widget_set_sensitive (self->part_continue_button, TRUE);
      /* Ahead of time, a failure is only said once the patient asks to pay. */
      if (!asked)
        {
          g_debug ("Could not begin a payment ahead of time: %s", error->message);
          return;
        }
      g_warning ("Kiosk could not start a payment: %s", error->message);
      show_error (self->pay_error_label,
                  g_error_matches (error, CP_ERROR, CP_ERROR_INVALID_INPUT) ||
                  g_error_matches (error, CP_ERROR, CP_ERROR_EXISTS)
                  ? error->message
                  : _("Card payments are not working right now. Please try again later or pay at the front desk."));
      return;
    }

  cp_timing_mark ("kiosk-payment-intent-created");
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  self->attempt = g_steal_pointer (&attempt);
  amount = cp_money_format (self->attempt->amount, self->attempt->currency);
  name = cp_patient_display_name (self->patient);
  cp_payment_view_start (self->payment_view, self->attempt->client_secret, amount,
                         self->attempt->invoice_number, name, self->language);

  /* The patient pressed Pay meanwhile. */
  if (self->wanted_amount == self->attempt->amount)
    show_payment_page (self);
  else if (self->wanted_amount != 0)
    {
      gint64 wanted = self->wanted_amount;

      drop_attempt (self);
      begin_payment_now (self, wanted);
    }
}

static void
begin_payment_now (CpKioskView *self,
                   gint64       amount)
{
  cp_timing_mark ("kiosk-payment-begin");
  self->beginning = TRUE;
  cp_ledger_begin_payment_async (self->ledger, self->invoice->id, amount, CP_PAYMENT_CHANNEL_KIOSK,
                                 NULL, NULL, payment_begun_cb, g_object_ref (self));
}

/* A bill is on screen: its PaymentIntent and card form get ready. */
static void
prepare_payment (CpKioskView *self)
{
  if (self->ledger == NULL || self->invoice == NULL || self->payment_view == NULL ||
      self->invoice->balance_due <= 0 || self->beginning || self->confirming)
    return;
  if (self->attempt != NULL && self->attempt->invoice_id != self->invoice->id)
    drop_attempt (self);
  if (self->attempt == NULL)
    begin_payment_now (self, self->invoice->balance_due);
}

/* The patient asks to pay `amount` of the bill on screen. */
static void
begin_payment (CpKioskView *self,
               gint64       amount)
{
  if (self->ledger == NULL || self->invoice == NULL || self->payment_view == NULL)
    return;
  self->pay_amount = amount;
  self->wanted_amount = amount;
  show_error (self->pay_error_label, NULL);
  if (self->attempt != NULL && self->attempt->invoice_id == self->invoice->id &&
      self->attempt->amount == amount)
    {
      show_payment_page (self);
      return;
    }
  gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), TRUE);
  gtk_widget_set_sensitive (self->pay_full_button, FALSE);
  gtk_widget_set_sensitive (self->pay_part_button, FALSE);
  gtk_widget_set_sensitive (self->part_continue_button, FALSE);
  /* An intent on its way is dealt with when it arrives. */
  if (self->beginning)
    return;
  drop_attempt (self);
  begin_payment_now (self, amount);
}

static void
pay_full_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  if (self->invoice != NULL && self->invoice->balance_due > 0)
    begin_payment (self, self->invoice->balance_due);
}

static void
pay_part_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  /* The full balance's intent goes; a fresh card session gets ready while
   * the patient types the amount. */
  drop_attempt (self);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->part_revealer), TRUE);
  gtk_widget_grab_focus (self->part_entry);
}

static void
pay_part_amount_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->part_entry));
  g_autoptr(GError) error = NULL;
  gint64 amount = 0;
  gint64 minimum;

  if (self->invoice == NULL)
    return;
  minimum = minimum_payment (self);
  if (!cp_money_parse (text, self->invoice->currency, CP_MONEY_PARSE_DEFAULT, &amount, &error))
    {
      /* In the patient's way of writing numbers ("50,00" in Spain): it parses back */
      g_autofree char *example = cp_money_format_full (minimum, self->invoice->currency, NULL, NULL, FALSE);
      g_autofree char *msg = g_strdup_printf (_("Please enter an amount, for example %s."), example);

      show_error (self->part_error_label, msg);
      return;
    }
  if (amount < minimum)
    {
      g_autofree char *min = cp_money_format (minimum, self->invoice->currency);
      g_autofree char *msg = g_strdup_printf (_("The smallest amount you can pay here is %s."), min);

      show_error (self->part_error_label, msg);
      return;
    }
  if (amount > self->invoice->balance_due)
    {
      g_autofree char *max = cp_money_format (self->invoice->balance_due, self->invoice->currency);
      g_autofree char *msg = g_strdup_printf (_("That is more than you owe. The most you can pay is %s."), max);

      show_error (self->part_error_label, msg);
      return;
    }
  show_error (self->part_error_label, NULL);
  begin_payment (self, amount);
}

static void
part_entry_activate_cb (CpKioskView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "view.pay-part-amount", NULL);
}

static void
part_entry_changed_cb (CpKioskView *self)
{
  show_error (self->part_error_label, NULL);
}

static void
cancel_payment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  if (self->confirming)
    return;
  /* Cancelled at Stripe, and a new session for the next card. */
  drop_attempt (self);
  show_page (self, "invoice");
}

/* Plain words for a declined card. */
static const char *
decline_reason (const char *code,
                const char *decline_code,
                const char *message)
{
  const char *c = decline_code != NULL && *decline_code != '\0' ? decline_code : code;

  if (g_strcmp0 (c, "insufficient_funds") == 0)
    return _("Your card was declined: there is not enough money on it. Please try another card.");
  if (g_strcmp0 (c, "expired_card") == 0)
    return _("Your card has expired. Please try another card.");
  if (g_strcmp0 (c, "incorrect_cvc") == 0 || g_strcmp0 (c, "invalid_cvc") == 0)
    return _("The security code (CVC) is not right. Please check it or try another card.");
  if (g_strcmp0 (c, "incorrect_number") == 0 || g_strcmp0 (c, "invalid_number") == 0)
    return _("The card number is not right. Please check it.");
  if (g_strcmp0 (c, "lost_card") == 0 || g_strcmp0 (c, "stolen_card") == 0 ||
      g_strcmp0 (c, "generic_decline") == 0 || g_strcmp0 (c, "card_declined") == 0 ||
      g_strcmp0 (c, "do_not_honor") == 0 || g_strcmp0 (c, "fraudulent") == 0)
    return _("Your card was declined. Please try another card, or call your bank.");
  if (g_strcmp0 (c, "payment_intent_authentication_failure") == 0)
    return _("Your bank could not confirm it was you. Please try again or use another card.");
  if (g_strcmp0 (c, "processing_error") == 0)
    return _("Something went wrong while processing your card. Please try again.");
  return message != NULL && *message != '\0' ? message : _("Your card was not accepted. Please try another card.");
}

static void
payment_failed_cb (CpKioskView   *self,
                   const char    *code,
                   const char    *decline_code,
                   const char    *message,
                   CpPaymentView *view)
{
  show_error (self->decline_label, decline_reason (code, decline_code, message));
}

static void
payment_completed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CpKioskView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *today = NULL;
  g_autofree char *date = NULL;

  payment = cp_ledger_complete_payment_finish (CP_LEDGER (source), result, &error);
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    {
      /* The kiosk was reset meanwhile: the ledger has recorded what Stripe says. */
      g_object_unref (self);
      return;
    }
  self->confirming = FALSE;
  gtk_spinner_set_spinning (GTK_SPINNER (self->confirming_spinner), FALSE);
  gtk_widget_set_visible (self->confirming_box, FALSE);
  gtk_widget_set_sensitive (self->payment_cancel_button, TRUE);

  /* Only what Stripe told the ledger counts, not what the page said. */
  if (payment == NULL || g_strcmp0 (payment->status, "succeeded") != 0)
    {
      if (error != NULL)
        g_warning ("Kiosk payment not confirmed: %s", error->message);
      show_error (self->decline_label,
                  payment != NULL
                  ? decline_reason (payment->failure_code, NULL, payment->failure_message)
                  : _("We could not confirm your payment. Please ask at the front desk before trying again."));
      g_object_unref (self);
      return;
    }

  amount = cp_money_format (payment->amount, payment->currency);
  today = cp_today ();
  date = format_date (today);
  gtk_label_set_text (GTK_LABEL (self->confirmation_number_label), payment->stripe_payment_intent_id);
  gtk_label_set_text (GTK_LABEL (self->confirmation_amount_label), amount);
  gtk_label_set_text (GTK_LABEL (self->confirmation_invoice_label),
                      self->attempt != NULL ? self->attempt->invoice_number : self->invoice->number);
  gtk_label_set_text (GTK_LABEL (self->confirmation_date_label), date);
  self->receipt_invoice_id = payment->invoice_id != 0 ? payment->invoice_id
                             : self->invoice != NULL ? self->invoice->id : 0;
  g_free (self->receipt_pi);
  self->receipt_pi = g_strdup (payment->stripe_payment_intent_id);
  gtk_label_set_text (GTK_LABEL (self->receipt_status_label), "");
  gtk_widget_set_sensitive (self->print_receipt_button, TRUE);
  gtk_widget_set_sensitive (self->email_receipt_button, TRUE);
  /* Only to the address on file: nobody types one at the kiosk */
  gtk_widget_set_visible (self->email_receipt_button,
                          self->patient != NULL && self->patient->email != NULL && *self->patient->email != '\0');
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  g_object_unref (self);
  /* The card's session goes; a fresh one gets ready for another bill. */
  cp_payment_view_reset (self->payment_view);
  gtk_widget_set_visible (self->another_button, FALSE);
  reload_invoices (self, FALSE);
  show_page (self, "confirmation");
  gtk_widget_grab_focus (self->done_button);
}

static void
payment_succeeded_cb (CpKioskView   *self,
                      const char    *payment_intent_id,
                      CpPaymentView *view)
{
  if (self->attempt == NULL || self->confirming)
    return;
  if (g_strcmp0 (payment_intent_id, self->attempt->payment_intent_id) != 0)
    g_warning ("The payment page reported another PaymentIntent than the kiosk started");
  self->confirming = TRUE;
  show_error (self->decline_label, NULL);
  gtk_widget_set_visible (self->confirming_box, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->confirming_spinner), TRUE);
  gtk_widget_set_sensitive (self->payment_cancel_button, FALSE);
  /* Ask Stripe (through the ledger) about our own attempt, whatever the page says. */
  /* Not cancelled with the view: Stripe may have taken the money, so the
   * ledger records it even when the patient has gone. */
  cp_ledger_complete_payment_async (self->ledger, self->attempt->payment_intent_id, NULL,
                                    payment_completed_cb, g_object_ref (self));
}

static void
create_payment_view (CpKioskView *self)
{
  CpStripeConfig *config;

  if (self->ledger == NULL || self->payment_view != NULL)
    return;
  config = cp_stripe_client_get_config (cp_ledger_get_client (self->ledger));
  self->payment_view = CP_PAYMENT_VIEW (cp_payment_view_new (cp_stripe_config_get_js_url (config),
                                                             cp_stripe_config_get_publishable_key (config)));
  g_signal_connect_object (self->payment_view, "succeeded", G_CALLBACK (payment_succeeded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->payment_view, "failed", G_CALLBACK (payment_failed_cb), self, G_CONNECT_SWAPPED);
  adw_bin_set_child (ADW_BIN (self->payment_bin), GTK_WIDGET (self->payment_view));
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
  show_error (self->lookup_error_label, NULL);
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

/* --- GObject -------------------------------------------------------------- */

/* Print receipt and Email receipt on the confirmation page */
static void
print_receipt_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->receipt_pi == NULL)
    return;
  if (cp_kiosk_receipt_print (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                              self->receipt_invoice_id, self->receipt_pi, self->language, NULL, &error))
    gtk_label_set_text (GTK_LABEL (self->receipt_status_label), _("Your receipt is printing."));
  else
    {
      g_warning ("Kiosk receipt not printed: %s", error->message);
      gtk_label_set_text (GTK_LABEL (self->receipt_status_label),
                          _("We could not print your receipt. Please ask at the front desk."));
    }
}

static void
email_receipt_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpKioskView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (cp_kiosk_receipt_email_finish (result, &error))
    gtk_label_set_text (GTK_LABEL (self->receipt_status_label), _("Your receipt was sent to your email address on file."));
  else
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Kiosk receipt not e-mailed: %s", error->message);
      gtk_label_set_text (GTK_LABEL (self->receipt_status_label),
                          _("We could not send your receipt. Please ask at the front desk."));
      gtk_widget_set_sensitive (self->email_receipt_button, TRUE);
    }
}

static void
email_receipt_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpKioskView *self = CP_KIOSK_VIEW (widget);

  if (self->store == NULL || self->receipt_pi == NULL)
    return;
  gtk_widget_set_sensitive (self->email_receipt_button, FALSE);
  gtk_label_set_text (GTK_LABEL (self->receipt_status_label), _("Sending your receipt…"));
  cp_kiosk_receipt_email_async (self->store, self->receipt_invoice_id, self->receipt_pi,
                                self->cancellable, email_receipt_cb, g_object_ref (self));
}

static void
cp_kiosk_view_dispose (GObject *object)
{
  CpKioskView *self = CP_KIOSK_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->lock_timer, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_KIOSK_VIEW);
  self->payment_view = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->ledger);
  g_clear_object (&self->guard);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->receipt_pi, g_free);
  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->open_invoices, g_ptr_array_unref);
  g_clear_pointer (&self->invoice, cp_invoice_free);
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);

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
  BIND (invoice_back_button);
  BIND (invoice_title_label);
  BIND (invoice_dates_label);
  BIND (lines_list);
  BIND (total_value);
  BIND (paid_value);
  BIND (balance_value);
  BIND (pay_error_label);
  BIND (pay_spinner);
  BIND (pay_part_button);
  BIND (pay_full_button);
  BIND (part_revealer);
  BIND (part_entry);
  BIND (part_continue_button);
  BIND (part_hint_label);
  BIND (part_error_label);
  BIND (payment_cancel_button);
  BIND (payment_summary_label);
  BIND (decline_label);
  BIND (confirming_box);
  BIND (confirming_spinner);
  BIND (payment_bin);
  BIND (confirmation_number_label);
  BIND (confirmation_amount_label);
  BIND (confirmation_invoice_label);
  BIND (confirmation_date_label);
  BIND (another_button);
  BIND (done_button);
  BIND (print_receipt_button);
  BIND (email_receipt_button);
  BIND (receipt_status_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, id_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, dob_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, dob_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, invoice_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, part_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, part_entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "view.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "view.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "view.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "view.show-invoices", NULL, show_invoices_action);
  gtk_widget_class_install_action (widget_class, "view.pay-full", NULL, pay_full_action);
  gtk_widget_class_install_action (widget_class, "view.pay-part", NULL, pay_part_action);
  gtk_widget_class_install_action (widget_class, "view.pay-part-amount", NULL, pay_part_amount_action);
  gtk_widget_class_install_action (widget_class, "view.cancel-payment", NULL, cancel_payment_action);
  gtk_widget_class_install_action (widget_class, "view.print-receipt", NULL, print_receipt_action);
  gtk_widget_class_install_action (widget_class, "view.email-receipt", NULL, email_receipt_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cpkioskview");
}

static void
cp_kiosk_view_init (CpKioskView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
  create_payment_view (self);
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
  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
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

  return self->attempt != NULL && !self->confirming ? self->attempt->payment_intent_id : NULL;
}

CpPaymentView *
cp_kiosk_view_get_payment_view (CpKioskView *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  return self->payment_view;
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
  g_return_val_if_fail (CP_IS_KIOSK_VIEW (self), NULL);

  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self), CP_TYPE_KIOSK_VIEW, id));
}
