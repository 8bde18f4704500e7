/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Payment reminders over a pinned clock, sent to a local SMTP sink, and
 * carepayctl remind. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-reminders.h"
#include "mail-test-util.h"

typedef SmtpFixture Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  smtp_fixture_setup (f, "2026-11-20");
  f->config->max_attempts = 1;
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  smtp_fixture_teardown (f);
}

static void
test_schedule (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReminderSchedule) schedule = cp_reminder_schedule_parse (" 30, -7,0 ,+60,90,30", &error);
  g_autofree char *text = NULL;
  const char *bad[] = { "", "a", "1,,2", "7days", "-", "+-3", "99999", "1.5", NULL };
  int offset = 12345;

  g_assert_no_error (error);
  text = cp_reminder_schedule_to_string (schedule);
  g_assert_cmpstr (text, ==, "-7,0,30,60,90");

  g_assert_false (cp_reminder_schedule_offset_for (schedule, -8, &offset));
  g_assert_true (cp_reminder_schedule_offset_for (schedule, -7, &offset));
  g_assert_cmpint (offset, ==, -7);
  g_assert_true (cp_reminder_schedule_offset_for (schedule, -1, &offset));
  g_assert_cmpint (offset, ==, -7);
  g_assert_true (cp_reminder_schedule_offset_for (schedule, 0, &offset));
  g_assert_cmpint (offset, ==, 0);
  g_assert_true (cp_reminder_schedule_offset_for (schedule, 59, &offset));
  g_assert_cmpint (offset, ==, 30);
  g_assert_true (cp_reminder_schedule_offset_for (schedule, 400, &offset));
  g_assert_cmpint (offset, ==, 90);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(CpReminderSchedule) none = cp_reminder_schedule_parse (bad[i], &error);

      g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
      g_assert_null (none);
      g_clear_error (&error);
    }
}

static char *
add_days (const char *date,
          int         days)
{
  GDate d;
  char buf[16];

  g_date_clear (&d, 1);
  g_date_set_parse (&d, date);
  g_assert_true (g_date_valid (&d));
  g_date_add_days (&d, days);
  g_date_strftime (buf, sizeof buf, "%Y-%m-%d", &d);
  return g_strdup (buf);
}

/* Sends what is due on `today`; returns "INVOICE kind" lines, sorted. */
static char *
run_day (Fixture            *f,
         CpMailer           *mailer,
         CpReminderSchedule *schedule,
         const char         *today)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = cp_reminders_due (CP_STORE (f->base.store), schedule, today, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < due->len; i++)
    {
      CpReminder *r = g_ptr_array_index (due, i);

      if (r->email == NULL)
        continue;
      g_assert_true (cp_reminders_send_one (CP_STORE (f->base.store), mailer, r, "St. Raymond General Hospital",
                                            "400 Lakeside Avenue", today, NULL, &error));
      g_assert_no_error (error);
      g_string_append_printf (out, "%s %s %s\n", today, r->invoice_number, r->kind);
    }
  return g_string_free (out, FALSE);
}

static void
test_fake_clock (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReminderSchedule) schedule = cp_reminder_schedule_parse (CP_REMINDER_SCHEDULE_DEFAULT, &error);
  g_autoptr(CpPatient) ann = mail_test_add_patient (&f->base, "MRN-A", "Ann", "Lee", "ann@example.org", "en");
  g_autoptr(CpPatient) eva = mail_test_add_patient (&f->base, "MRN-E", "Eva", "Ruiz", "eva@example.org", "es");
  g_autoptr(CpPatient) nomail = mail_test_add_patient (&f->base, "MRN-N", "Ned", "Nomail", NULL, "en");
  g_autoptr(CpInvoice) a = mail_test_add_invoice (&f->base, ann, "INV-A", "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) e = mail_test_add_invoice (&f->base, eva, "INV-E", "2026-10-01", "2026-11-01");
  g_autoptr(CpInvoice) paid = mail_test_add_invoice (&f->base, ann, "INV-PAID", "2026-10-01", "2026-11-01");
  g_autoptr(CpInvoice) voided = mail_test_add_invoice (&f->base, ann, "INV-VOID", "2026-10-01", "2026-11-01");
  g_autoptr(CpInvoice) n = mail_test_add_invoice (&f->base, nomail, "INV-N", "2026-10-01", "2026-11-01");
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GString) sent = g_string_new (NULL);
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autofree char *day = g_strdup ("2026-11-20");
  const char *expected =
    "2026-11-20 INV-E reminder:0\n"       /* 19 days late when reminders start: only the latest */
    "2026-11-24 INV-A reminder:-7\n"
    "2026-12-01 INV-E reminder:30\n"      /* oldest due date first */
    "2026-12-01 INV-A reminder:0\n"
    "2026-12-31 INV-E reminder:60\n"
    "2026-12-31 INV-A reminder:30\n"
    "2027-01-30 INV-E reminder:90\n";     /* INV-A was paid on 2027-01-15 */
  JsonObject *first;

  mail_test_add_payment (&f->base, paid->id, "pi_paid", 32000, "visa", "4242", "2026-10-05T10:00:00Z");
  mail_test_add_payment (&f->base, e->id, "pi_partial", 5000, "visa", "4242", "2026-10-05T10:00:00Z");
  g_assert_true (cp_store_set_invoice_voided (CP_STORE (f->base.store), voided->id, TRUE, &error));
  g_assert_no_error (error);

  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));

  while (strcmp (day, "2027-04-01") < 0)
    {
      g_autofree char *first_run = NULL;
      g_autofree char *second_run = NULL;
      g_autofree char *next = NULL;

      if (g_str_equal (day, "2027-01-15"))
        mail_test_add_payment (&f->base, a->id, "pi_a_late", 32000, "visa", "4242", "2027-01-15T10:00:00Z");

      first_run = run_day (f, mailer, schedule, day);
      g_string_append (sent, first_run);
      /* The same day again (a second timer run): nothing new */
      second_run = run_day (f, mailer, schedule, day);
      g_assert_cmpstr (second_run, ==, "");

      next = add_days (day, 1);
      g_free (day);
      day = g_steal_pointer (&next);
    }
  g_assert_cmpstr (sent->str, ==, expected);

  /* INV-N has no address: it stays due and is reported, never sent */
  {
    g_autoptr(GPtrArray) due = cp_reminders_due (CP_STORE (f->base.store), schedule, "2027-03-31", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (due->len, ==, 1);
    g_assert_cmpstr (((CpReminder *) due->pdata[0])->invoice_number, ==, "INV-N");
    g_assert_null (((CpReminder *) due->pdata[0])->email);
    g_assert_cmpint (((CpReminder *) due->pdata[0])->offset, ==, 90);
  }

  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 7);
  first = g_ptr_array_index (inbox, 0);
  /* Eva reads Spanish */
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (first, "rcpt_tos"), 0), ==,
                   "eva@example.org");
  g_assert_cmpstr (json_object_get_string_member (first, "subject"), ==,
                   "Vencida: Recordatorio: factura INV-E, 270,00\u00a0$, vencimiento 1 de noviembre de 2026");
  assert_contains (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (first, "parts"), 0), "text"),
                   "La factura INV-E venció el 1 de noviembre de 2026 y lleva 19 días vencida.");
  {
    JsonObject *a_early = g_ptr_array_index (inbox, 1);
    JsonObject *e_late = g_ptr_array_index (inbox, 6);
    JsonObject *plain;

    g_assert_cmpstr (json_object_get_string_member (a_early, "subject"), ==,
                     "Reminder: invoice INV-A, $320.00 due December 1, 2026");
    plain = json_array_get_object_element (json_object_get_array_member (a_early, "parts"), 0);
    assert_contains (json_object_get_string_member (plain, "text"), "is due in 7 days, on December 1, 2026");
    g_assert_cmpstr (json_object_get_string_member (e_late, "subject"), ==,
                     "Vencida: Recordatorio: factura INV-E, 270,00\u00a0$, vencimiento 1 de noviembre de 2026");
    plain = json_array_get_object_element (json_object_get_array_member (e_late, "parts"), 0);
    assert_contains (json_object_get_string_member (plain, "text"), "venció el 1 de noviembre de 2026 y lleva 90 días vencida");
  }

  log = cp_store_list_mail_log (CP_STORE (f->base.store), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 7);
  for (guint i = 0; i < log->len; i++)
    g_assert_cmpstr (((CpMailLogEntry *) log->pdata[i])->status, ==, "sent");
}

static void
test_failed_is_retried_next_day (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReminderSchedule) schedule = cp_reminder_schedule_parse ("0,30", &error);
  g_autoptr(CpPatient) ann = mail_test_add_patient (&f->base, "MRN-A", "Ann", "Lee", "ann@example.org", "en");
  g_autoptr(CpInvoice) a = mail_test_add_invoice (&f->base, ann, "INV-A", "2026-11-01", "2026-12-01");
  g_autoptr(CpMailer) mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autofree char *second = NULL;

  /* The relay is down on the due date */
  due = cp_reminders_due (CP_STORE (f->base.store), schedule, "2026-12-01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_false (cp_reminders_send_one (CP_STORE (f->base.store), mailer, due->pdata[0], "H", NULL,
                                         "2026-12-01", NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NETWORK);
  g_clear_error (&error);

  /* The next day it is still due, and goes, with the invoice's payment link */
  {
    g_autoptr(CpPaymentLink) link = cp_payment_link_new ();

    link->id = g_strdup ("plink_reminder");
    link->invoice_id = a->id;
    link->url = g_strdup ("https://pay.example/plink_reminder");
    link->amount = 32000;
    link->currency = g_strdup ("USD");
    link->active = TRUE;
    link->created_at = g_strdup ("2026-11-01T10:00:00Z");
    g_assert_true (cp_store_save_payment_link (CP_STORE (f->base.store), link, &error));
    g_assert_no_error (error);
  }
  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  second = run_day (f, mailer, schedule, "2026-12-02");
  g_assert_cmpstr (second, ==, "2026-12-02 INV-A reminder:0\n");
  {
    g_autoptr(GPtrArray) inbox = smtp_sink_messages (f->outdir);
    JsonArray *parts;

    g_assert_cmpuint (inbox->len, ==, 1);
    parts = json_object_get_array_member (g_ptr_array_index (inbox, 0), "parts");
    assert_contains (json_object_get_string_member (json_array_get_object_element (parts, 0), "text"),
                     "Pay online, securely, with a card:\nhttps://pay.example/plink_reminder");
    assert_contains (json_object_get_string_member (json_array_get_object_element (parts, 1), "text"),
                     "<a class=\"button\" href=\"https://pay.example/plink_reminder\">Pay $320.00 online</a>");
    /* A day late for the due-date reminder: says how late */
    assert_contains (json_object_get_string_member (json_array_get_object_element (parts, 0), "text"),
                     "Invoice INV-A was due on December 1, 2026 and is now 1 day past due.");
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (inbox, 0), "subject"), ==,
                     "Overdue: Reminder: invoice INV-A, $320.00 was due December 1, 2026");
  }

  log = cp_store_list_mail_log (CP_STORE (f->base.store), a->id, "reminder:0", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (((CpMailLogEntry *) log->pdata[0])->status, ==, "failed");
  g_assert_cmpstr (((CpMailLogEntry *) log->pdata[1])->status, ==, "sent");
}

static void
test_ctl_remind (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) ann = mail_test_add_patient (&f->base, "MRN-A", "Ann", "Lee", "ann@example.org", "en");
  g_autoptr(CpPatient) ned = mail_test_add_patient (&f->base, "MRN-N", "Ned", "Nomail", NULL, "en");
  g_autoptr(CpInvoice) a = mail_test_add_invoice (&f->base, ann, "INV-A", "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) n = mail_test_add_invoice (&f->base, ned, "INV-N", "2026-11-01", "2026-12-01");
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autofree char *port = g_strdup_printf ("CAREPAY_SMTP_PORT=%u", f->port);
  const char *env[] = { "CAREPAY_SMTP_HOST=127.0.0.1", port, "CAREPAY_SMTP_SECURITY=none",
                        "CAREPAY_SMTP_FROM=St. Raymond Billing <billing@straymond.example>",
                        "CAREPAY_HOSPITAL_NAME=St. Raymond General Hospital", "CAREPAY_TODAY=2026-11-20",
                        NULL };
  const char *dry[] = { CAREPAYCTL, "--db", f->base.db_path, "remind", "--dry-run", "--today", "2026-12-01",
                        "--schedule", "-7,0,30", NULL };
  const char *real[] = { CAREPAYCTL, "--db", f->base.db_path, "remind", "--today", "2026-12-01",
                         "--schedule", "-7,0,30", NULL };
  const char *show[] = { CAREPAYCTL, "--db", f->base.db_path, "mail-log", "INV-A", NULL };

  g_clear_object (&f->base.store);   /* carepayctl has the file to itself */
  f->sink = smtp_sink_start (f->port, f->outdir, NULL);

  /* Dry run: printed, nothing sent, nothing logged */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (mail_test_run (dry, env, &out, &err), ==, 0);
    assert_contains (out, "would send INV-A  MRN-A  reminder:0  due 2026-12-01  $320.00  to ann@example.org");
    assert_contains (out, "skipped    INV-N  MRN-N  reminder:0  due 2026-12-01  no e-mail address");
    assert_contains (out, "1 reminder due on 2026-12-01 (schedule -7,0,30); nothing sent (dry run)");
    g_assert_cmpstr (err, ==, "");
    inbox = smtp_sink_messages (f->outdir);
    g_assert_cmpuint (inbox->len, ==, 0);
    g_clear_pointer (&inbox, g_ptr_array_unref);
  }

  /* For real: sent and logged */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (mail_test_run (real, env, &out, &err), ==, 0);
    assert_contains (out, "sent       INV-A  MRN-A  reminder:0  due 2026-12-01  $320.00  to ann@example.org");
    assert_contains (out, "1 sent, 0 failed, 1 without an e-mail address (2026-12-01, schedule -7,0,30)");
    inbox = smtp_sink_messages (f->outdir);
    g_assert_cmpuint (inbox->len, ==, 1);
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (inbox, 0), "subject"), ==,
                     "Reminder: invoice INV-A, $320.00 due December 1, 2026");
    g_clear_pointer (&inbox, g_ptr_array_unref);
  }

  /* Again the same day: nothing more */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (mail_test_run (real, env, &out, &err), ==, 0);
    g_assert_null (strstr (out, "sent       INV-A"));
    assert_contains (out, "0 sent, 0 failed, 1 without an e-mail address");
    inbox = smtp_sink_messages (f->outdir);
    g_assert_cmpuint (inbox->len, ==, 1);
  }

  /* The send log, through carepayctl */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (mail_test_run (show, env, &out, &err), ==, 0);
    assert_contains (out, "sent      reminder:0      1  ann@example.org  Reminder: invoice INV-A, $320.00 due December 1, 2026");
  }

  /* Without a relay, a real run fails clearly */
  {
    const char *no_env[] = { "CAREPAY_SMTP_HOST=", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (mail_test_run (real, no_env, &out, &err), ==, 1);
    assert_contains (err, "carepayctl: No SMTP relay: set CAREPAY_SMTP_HOST");
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/carepay/reminders/schedule", test_schedule);
  ADD ("/carepay/reminders/fake-clock", test_fake_clock);
  ADD ("/carepay/reminders/failed-is-retried-next-day", test_failed_is_retried_next_day);
  ADD ("/carepay/reminders/ctl-remind", test_ctl_remind);
#undef ADD
  return g_test_run ();
}
