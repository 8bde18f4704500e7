/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "mail-test-util.h"
#include "test-util.h"

#ifndef MAIL_PYTHON
#define MAIL_PYTHON "python3"
#endif

void
mail_fixture_setup (MailFixture *f)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("carepay-mail-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db_path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

void
mail_fixture_teardown (MailFixture *f)
{
  g_clear_object (&f->store);
  test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

CpPatient *
mail_test_add_patient (MailFixture *f,
                       const char  *mrn,
                       const char  *given,
                       const char  *family,
                       const char  *email,
                       const char  *language)
{
  g_autoptr(GError) error = NULL;
  CpPatient *patient = cp_patient_new ();

  patient->mrn = g_strdup (mrn);
  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->date_of_birth = g_strdup ("1984-03-12");
  patient->email = g_strdup (email);
  patient->address = g_strdup ("12 Harbor Road\nSpringfield, IL 62704");
  patient->preferred_language = g_strdup (language);
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), patient, &error));
  g_assert_no_error (error);
  return patient;
}

CpInvoice *
mail_test_add_invoice (MailFixture *f,
                       CpPatient   *patient,
                       const char  *number,
                       const char  *issue_date,
                       const char  *due_date)
{
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice = cp_invoice_new ();
  CpLineItem *item;

  invoice->patient = cp_patient_copy (patient);
  invoice->number = g_strdup (number);
  invoice->issue_date = g_strdup (issue_date);
  invoice->due_date = g_strdup (due_date);
  invoice->currency = g_strdup ("USD");

  item = cp_line_item_new ();
  item->description = g_strdup ("Chest X-ray, two views");
  item->service_code = g_strdup ("71046");
  item->quantity = 1;
  item->unit_amount = 12500;
  item->service_date = g_strdup (issue_date);
  item->provider = g_strdup ("Dr. Amara Okafor, Radiology");
  g_ptr_array_add (invoice->line_items, item);

  item = cp_line_item_new ();
  item->description = g_strdup ("Physiotherapy session");
  item->service_code = g_strdup ("97110");
  item->quantity = 3;
  item->unit_amount = 6500;
  item->service_date = g_strdup (issue_date);
  g_ptr_array_add (invoice->line_items, item);

  g_assert_true (cp_store_create_invoice (CP_STORE (f->store), invoice, &error));
  g_assert_no_error (error);
  return invoice;
}

void
mail_test_add_payment (MailFixture *f,
                       gint64       invoice_id,
                       const char  *pi,
                       gint64       amount,
                       const char  *brand,
                       const char  *last4,
                       const char  *created_at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = cp_payment_new ();

  payment->invoice_id = invoice_id;
  payment->stripe_payment_intent_id = g_strdup (pi);
  payment->stripe_charge_id = g_strdup_printf ("ch_%s", pi + 3);
  payment->amount = amount;
  payment->currency = g_strdup ("USD");
  payment->status = g_strdup ("succeeded");
  payment->card_brand = g_strdup (brand);
  payment->card_last4 = g_strdup (last4);
  payment->channel = CP_PAYMENT_CHANNEL_DESK;
  payment->created_at = g_strdup (created_at);
  g_assert_true (cp_store_record_payment (CP_STORE (f->store), payment, &error));
  g_assert_no_error (error);
}

CpInvoice *
mail_test_get_invoice (MailFixture *f,
                       const char  *number)
{
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice = cp_store_get_invoice_by_number (CP_STORE (f->store), number, &error);

  g_assert_no_error (error);
  g_assert_nonnull (invoice);
  return invoice;
}

guint16
mail_test_free_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The sink goes when the test goes, even when the test aborts. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
port_accepts (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (conn == NULL)
    return FALSE;
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return TRUE;
}

SmtpSink *
smtp_sink_start (guint16            port,
                 const char        *outdir,
                 const char *const *extra_args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *srcdir = g_getenv ("CAREPAY_SOURCE_DIR");
  g_autofree char *testdir = g_build_filename (srcdir != NULL ? srcdir : "..", "tests", NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  SmtpSink *sink = g_new0 (SmtpSink, 1);
  g_autofree char *log_path = g_strdup_printf ("%s.log", outdir);
  gint64 deadline;

  g_mkdir_with_parents (outdir, 0700);
  /* Its output goes to a file, never into the test's TAP stream */
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "PYTHONPATH", testdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  g_ptr_array_add (argv, g_strdup (MAIL_PYTHON));
  if (extra_args == NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-m"));
      g_ptr_array_add (argv, g_strdup ("aiosmtpd"));
      g_ptr_array_add (argv, g_strdup ("-n"));
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (listen));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup ("smtp_sink.Sink"));
      g_ptr_array_add (argv, g_strdup (outdir));
    }
  else
    {
      g_ptr_array_add (argv, g_build_filename (testdir, "smtp_sink.py", NULL));
      g_ptr_array_add (argv, g_strdup ("--listen"));
      g_ptr_array_add (argv, g_strdup (listen));
      g_ptr_array_add (argv, g_strdup ("--dir"));
      g_ptr_array_add (argv, g_strdup (outdir));
      for (guint i = 0; extra_args[i] != NULL; i++)
        g_ptr_array_add (argv, g_strdup (extra_args[i]));
    }
  g_ptr_array_add (argv, NULL);

  sink->port = port;
  sink->outdir = g_strdup (outdir);
  sink->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* A bound on a broken setup, not a timing assertion */
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (!port_accepts (port))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  return sink;
}

void
smtp_sink_stop (SmtpSink *sink)
{
  if (sink == NULL)
    return;
  g_subprocess_force_exit (sink->process);
  g_subprocess_wait (sink->process, NULL, NULL);
  g_object_unref (sink->process);
  g_free (sink->outdir);
  g_free (sink);
}

void
smtp_fixture_setup (SmtpFixture *f,
                    const char  *today)
{
  g_setenv ("CAREPAY_TODAY", today, TRUE);
  mail_fixture_setup (&f->base);
  f->outdir = g_build_filename (f->base.dir, "inbox", NULL);
  f->port = mail_test_free_port ();
  f->config = mail_test_config_new (f->port);
}

void
smtp_fixture_teardown (SmtpFixture *f)
{
  g_clear_pointer (&f->sink, smtp_sink_stop);
  g_clear_pointer (&f->config, cp_mail_config_free);
  mail_fixture_teardown (&f->base);
  g_free (f->outdir);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
smtp_sink_messages (const char *outdir)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (outdir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (outdir, names->pdata[i], NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      g_ptr_array_add (messages, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return messages;
}

int
mail_test_run (const char *const *argv,
               const char *const *envp_extra,
               char              **out_stdout,
               char              **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;

  for (guint i = 0; envp_extra != NULL && envp_extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (envp_extra[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, kv[0], kv[1] != NULL ? kv[1] : "", TRUE);
    }
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

char *
mail_test_pdf_text (GBytes     *pdf,
                    const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "text-check.pdf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdftotext", "-layout", "-enc", "UTF-8", path, "-", NULL };

  g_file_set_contents (path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_test_run (argv, NULL, &out, &err), ==, 0);
  return g_steal_pointer (&out);
}

CpMailConfig *
mail_test_config_new (guint16 port)
{
  CpMailConfig *config = cp_mail_config_new ();

  config->host = g_strdup ("127.0.0.1");
  config->port = port;
  config->security = CP_MAIL_SECURITY_NONE;
  config->from_address = g_strdup ("billing@straymond.example");
  config->from_name = g_strdup ("St. Raymond Billing");
  config->timeout_s = 20;
  return config;
}
