/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepayctl remind and mail-log: payment reminders and the send log. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-reminders.h"
#include "cp-smtp-secret.h"
#include "ctl-mail.h"

static GSettings *
app_settings_with (const char *key)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* The relay from CAREPAY_SMTP_* or, without CAREPAY_SMTP_HOST, from the
 * app's preferences (smtp-* keys) with the password from
 * CAREPAY_SMTP_PASSWORD or the keyring. */
static CpMailConfig *
load_mail_config (GError **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CpMailConfig) config = NULL;
  g_autofree char *host = NULL;
  g_autofree char *from = NULL;
  const char *env_password = g_getenv ("CAREPAY_SMTP_PASSWORD");

  if (g_getenv ("CAREPAY_SMTP_HOST") != NULL ||
      (settings = app_settings_with ("smtp-host")) == NULL ||
      *(host = g_settings_get_string (settings, "smtp-host")) == '\0')
    {
      config = cp_mail_config_from_env (error);
      if (config == NULL)
        return NULL;
      /* A user without CAREPAY_SMTP_PASSWORD: the keyring's password */
      if (config->username != NULL && config->password == NULL)
        {
          char *password = cp_smtp_password_lookup (config->host, config->username, NULL, error);

          if (password == NULL && error != NULL && *error != NULL)
            return NULL;
          config->password = g_strdup (password);
          if (password != NULL)
            cp_smtp_password_free (password);
        }
      return g_steal_pointer (&config);
    }

  config = cp_mail_config_new ();
  config->host = g_steal_pointer (&host);
  config->port = g_settings_get_uint (settings, "smtp-port");
  config->security = (CpMailSecurity) g_settings_get_enum (settings, "smtp-security");
  config->username = g_settings_get_string (settings, "smtp-username");
  from = g_settings_get_string (settings, "smtp-from");
  config->from_address = g_steal_pointer (&from);
  if (*config->username == '\0')
    g_clear_pointer (&config->username, g_free);
  if (env_password != NULL)
    config->password = g_strdup (env_password);
  else if (config->username != NULL)
    {
      char *password = cp_smtp_password_lookup (config->host, config->username, NULL, error);

      if (password == NULL && error != NULL && *error != NULL)
        return NULL;
      config->password = g_strdup (password);
      if (password != NULL)
        cp_smtp_password_free (password);
    }
  return g_steal_pointer (&config);
}

static CpReminderSchedule *
load_schedule (const char  *option,
               GError     **error)
{
  g_autoptr(GSettings) settings = NULL;

  if (option != NULL)
    return cp_reminder_schedule_parse (option, error);
  if (g_getenv ("CAREPAY_REMINDER_DAYS") != NULL)
    return cp_reminder_schedule_parse (g_getenv ("CAREPAY_REMINDER_DAYS"), error);
  settings = app_settings_with ("reminder-days");
  if (settings != NULL)
    {
      g_autoptr(GVariant) days = g_settings_get_value (settings, "reminder-days");
      gsize n;
      const gint32 *values = g_variant_get_fixed_array (days, &n, sizeof (gint32));
      g_autofree int *offsets = g_new0 (int, MAX (n, 1));

      for (gsize i = 0; i < n; i++)
        offsets[i] = values[i];
      if (n > 0)
        return cp_reminder_schedule_new (offsets, n);
    }
  return cp_reminder_schedule_parse (CP_REMINDER_SCHEDULE_DEFAULT, error);
}

int
ctl_cmd_remind (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  gboolean dry_run = FALSE;
  g_autofree char *schedule_text = NULL;
  g_autofree char *today = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Print what is due without sending anything"), NULL },
    { "schedule", 0, 0, G_OPTION_ARG_STRING, &schedule_text,
      N_("Days relative to the due date (default: the app’s setting, else -7,0,30,60,90)"), N_("LIST") },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today, N_("Act as if today were DATE"), N_("YYYY-MM-DD") },
    { "hospital-name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Hospital name"), N_("NAME") },
    { "hospital-address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Hospital address"), N_("TEXT") },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReminderSchedule) schedule = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(CpMailConfig) config = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autofree char *schedule_string = NULL;
  g_auto(CtlHospital) hospital = { NULL };
  guint sent = 0, failed = 0, skipped = 0;
  int status;

  if (!ctl_parse_options ("remind", "", entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return ctl_fail (CTL_EXIT_USAGE, _("remind: unexpected argument “%s”"), argv[1]);
  if (today == NULL)
    today = cp_today ();
  if (!cp_date_is_valid (today))
    return ctl_fail (CTL_EXIT_USAGE, _("remind: --today must be a date YYYY-MM-DD"));
  schedule = load_schedule (schedule_text, &error);
  if (schedule == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "remind: %s", error->message);
  schedule_string = cp_reminder_schedule_to_string (schedule);

  /* A dry run changes nothing: the database is opened read-only */
  store = ctl_open_store (ctx, dry_run, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  if (!dry_run)
    {
      config = load_mail_config (&error);
      if (config == NULL)
        return ctl_fail_error (error);
      mailer = cp_mailer_new (config, CP_STORE (store));
    }

  due = cp_reminders_due (CP_STORE (store), schedule, today, &error);
  if (due == NULL)
    return ctl_fail_error (error);

  ctl_hospital_load (&hospital, name, address, NULL);
  for (guint i = 0; i < due->len; i++)
    {
      CpReminder *reminder = g_ptr_array_index (due, i);
      g_autofree char *balance = cp_money_format (reminder->balance_due, reminder->currency);
      g_autoptr(GError) send_error = NULL;
      const char *verdict;

      if (reminder->email == NULL)
        {
          skipped++;
          printf ("%-10s %s  %s  %s  %s %s  %s\n", _("skipped"), reminder->invoice_number,
                  reminder->mrn, reminder->kind, _("due"), reminder->due_date,
                  _("no e-mail address"));
          continue;
        }
      if (dry_run)
        verdict = _("would send");
      else if (cp_reminders_send_one (CP_STORE (store), mailer, reminder, hospital.name, hospital.address,
                                      today, NULL, &send_error))
        {
          verdict = _("sent");
          sent++;
        }
      else
        {
          verdict = _("failed");
          failed++;
        }
      printf ("%-10s %s  %s  %s  %s %s  %s  %s %s", verdict, reminder->invoice_number, reminder->mrn,
              reminder->kind, _("due"), reminder->due_date, balance, _("to"), reminder->email);
      if (send_error != NULL)
        {
          g_autofree char *message = g_strdup (send_error->message);

          g_strdelimit (message, "\r\n", ' ');
          printf (": %s", message);
        }
      printf ("\n");
    }

  if (dry_run)
    printf (ngettext ("%u reminder due on %s (schedule %s); nothing sent (dry run)\n",
                      "%u reminders due on %s (schedule %s); nothing sent (dry run)\n",
                      due->len - skipped),
            due->len - skipped, today, schedule_string);
  else
    printf (_("%u sent, %u failed, %u without an e-mail address (%s, schedule %s)\n"),
            sent, failed, skipped, today, schedule_string);
  return failed > 0 ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

static gboolean
parse_kind (const char *text,
            CpMailKind *out)
{
  if (g_strcmp0 (text, "invoice") == 0)
    *out = CP_MAIL_KIND_INVOICE;
  else if (g_strcmp0 (text, "receipt") == 0)
    *out = CP_MAIL_KIND_RECEIPT;
  else if (g_strcmp0 (text, "refund") == 0)
    *out = CP_MAIL_KIND_REFUND;
  else
    return FALSE;
  return TRUE;
}

int
ctl_cmd_mail (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autofree char *kind_text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *logo = NULL;
  gboolean dry_run = FALSE;
  GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_text,
      N_("invoice (with its payment link), receipt (latest payment, PDF attached) or refund (latest refund)"),
      N_("KIND") },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Print the message instead of sending it"), NULL },
    { "hospital-name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Hospital name"), N_("NAME") },
    { "hospital-address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Hospital address"), N_("TEXT") },
    { "logo", 0, 0, G_OPTION_ARG_FILENAME, &logo, N_("Hospital logo (PNG) on the attached receipt"), N_("FILE") },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPaymentLink) link = NULL;
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(CpMailConfig) config = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_auto(CtlHospital) hospital = { NULL };
  CpReceiptHeader header = { NULL };
  CpMailContext context = { 0 };
  CpMailKind kind;
  gboolean ok;
  int status;

  if (!ctl_parse_options ("mail", "NUMBER --kind KIND", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return ctl_fail (CTL_EXIT_USAGE, _("mail: give exactly one invoice number"));
  if (!parse_kind (kind_text, &kind))
    return ctl_fail (CTL_EXIT_USAGE, _("mail: --kind must be invoice, receipt or refund"));

  store = ctl_open_store (ctx, dry_run, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  invoice = cp_store_get_invoice_by_number (CP_STORE (store), argv[1], &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  ctl_hospital_load (&hospital, name, address, logo);
  context.hospital_name = hospital.name;
  context.hospital_address = hospital.address;
  context.invoice = invoice;
  ctl_hospital_set_header (&hospital, &header);

  if (kind == CP_MAIL_KIND_INVOICE)
    {
      link = cp_store_get_active_payment_link (CP_STORE (store), invoice->id, &error);
      if (error != NULL)
        return ctl_fail_error (error);
      context.pay_url = link != NULL ? link->url : NULL;
    }
  else if (kind == CP_MAIL_KIND_RECEIPT)
    {
      for (guint i = 0; i < invoice->payments->len; i++)
        if (cp_payment_status_counts (((CpPayment *) invoice->payments->pdata[i])->status))
          context.payment = invoice->payments->pdata[i];
      if (context.payment == NULL)
        return ctl_fail (CTL_EXIT_FAIL, _("%s has no successful payment"), invoice->number);
      pdf = cp_receipt_render_payment (&header, invoice, context.payment, &error);
    }
  else
    {
      for (guint i = 0; i < invoice->refunds->len; i++)
        if (cp_refund_status_counts (((CpRefund *) invoice->refunds->pdata[i])->status))
          context.refund = invoice->refunds->pdata[i];
      if (context.refund == NULL)
        return ctl_fail (CTL_EXIT_FAIL, _("%s has no refund"), invoice->number);
      pdf = cp_receipt_render_refund (&header, invoice, context.refund, &error);
    }
  if (kind != CP_MAIL_KIND_INVOICE && pdf == NULL)
    return ctl_fail_error (error);
  context.pdf = pdf;
  message = cp_mail_compose (kind, &context, &error);
  if (message == NULL)
    return ctl_fail_error (error);

  if (dry_run)
    {
      printf ("%s: %s\n", _("To"), message->to_address);
      printf ("%s: %s\n", _("Subject"), message->subject);
      if (message->attachment_name != NULL)
        printf ("%s: %s\n", _("Attachment"), message->attachment_name);
      printf ("\n%s", message->text);
      return CTL_EXIT_OK;
    }

  config = load_mail_config (&error);
  if (config == NULL)
    return ctl_fail_error (error);
  mailer = cp_mailer_new (config, CP_STORE (store));
  ok = cp_mailer_send (mailer, message, NULL, NULL, &error);
  if (!ok)
    return ctl_fail_error (error);
  printf (_("Sent the %s mail of %s to %s\n"), kind_text, invoice->number, message->to_address);
  return CTL_EXIT_OK;
}

int
ctl_cmd_mail_log (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  GOptionEntry entries[] = {
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  gint64 invoice_id = 0;
  int status;

  if (!ctl_parse_options ("mail-log", "[NUMBER]", entries, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return ctl_fail (CTL_EXIT_USAGE, _("mail-log: give at most one invoice number"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  if (argc == 2)
    {
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice_by_number (CP_STORE (store), argv[1], &error);

      if (invoice == NULL)
        return ctl_fail_error (error);
      invoice_id = invoice->id;
    }
  log = cp_store_list_mail_log (CP_STORE (store), invoice_id, NULL, &error);
  if (log == NULL)
    return ctl_fail_error (error);
  for (guint i = 0; i < log->len; i++)
    {
      CpMailLogEntry *entry = g_ptr_array_index (log, i);

      printf ("%s  %-8s  %-14s  %u  %s  %s%s%s\n", entry->created_at, entry->status, entry->kind,
              (guint) entry->attempts, entry->recipient, entry->subject,
              entry->last_error != NULL ? "  — " : "",
              entry->last_error != NULL ? entry->last_error : "");
    }
  return CTL_EXIT_OK;
}
