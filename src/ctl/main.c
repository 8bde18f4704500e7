/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "ctl.h"
#include "ctl-mail.h"

/* Each command group adds a row here and a ctl-<group>.c file; the money
 * commands (pay, refund, link, void, sync, verify, webhook-listen) are in
 * ctl-payments.c. */
static const CtlCommand commands[] = {
  { "seed-demo", ctl_cmd_seed_demo, "[--invoices N] [--seed S] [--stripe]",
    N_("Fill the database with demo data (created if missing)") },
  { "invoices", ctl_cmd_invoices, "[--status S] [--search Q] [--json]",
    N_("List invoices") },
  { "invoice", ctl_cmd_invoice, "NUMBER [--json]",
    N_("Show one invoice with its line items, payments and refunds") },
  { "pay", ctl_cmd_pay, "NUMBER --payment-method PM [--amount MINOR] [--json]",
    N_("Take a test-mode payment (needs --as; refused with live keys)") },
  { "refund", ctl_cmd_refund, "NUMBER --reason R [--amount MINOR] [--json]",
    N_("Refund payments (supervisors and admins; needs --as)") },
  { "link", ctl_cmd_link, "NUMBER [--json]",
    N_("Make (or show) the payment link for the balance due (needs --as)") },
  { "void", ctl_cmd_void, "NUMBER [--json]",
    N_("Void an invoice, cancel its payments in progress and links (supervisors; --as)") },
  { "sync", ctl_cmd_sync, "[--json]",
    N_("Apply Stripe's events since the last sync; prints how many changed something") },
  { "verify", ctl_cmd_verify, "[--json]",
    N_("Compare payments and refunds with Stripe; exit 1 when they differ") },
  { "webhook-listen", ctl_cmd_webhook_listen, "[--port P]",
    N_("Receive Stripe webhooks on 127.0.0.1 (secret in CAREPAY_STRIPE_WEBHOOK_SECRET)") },
  { "import", ctl_cmd_import, "FILE [--format csv-patients|csv-invoices|fhir] [--dry-run]",
    N_("Import patients or invoices from CSV or FHIR JSON (all or nothing)") },
  { "export", ctl_cmd_export, "payments [--from D] [--to D] [--output FILE] [--all]",
    N_("Export payments and refunds as CSV for accounting") },
  { "audit", ctl_cmd_audit, "[verify] [--since D] [--action A] [--json]",
    N_("List the audit log, or verify its hash chain") },
  { "backup", ctl_cmd_backup, "--output FILE",
    N_("Copy the database, consistently while it is in use, to FILE (mode 0600)") },
  { "restore", ctl_cmd_restore, "FILE",
    N_("Check the backup FILE and put it in place of the database (kept as .before-restore)") },
  /* receipts and mail (ctl-receipt.c, ctl-mail.c) */
  { "receipt", ctl_cmd_receipt, "NUMBER --output FILE.pdf [--refund] [--payment PI]",
    N_("Write the PDF receipt of an invoice’s latest payment (or refund)") },
  { "statement", ctl_cmd_statement, "MRN --output FILE.pdf [--today DATE]",
    N_("Write a patient’s statement of open invoices with aging") },
  { "remind", ctl_cmd_remind, "[--dry-run] [--schedule -7,0,30] [--today DATE]",
    N_("E-mail the payment reminders due today (SMTP from CAREPAY_SMTP_*)") },
  { "mail", ctl_cmd_mail, "NUMBER --kind invoice|receipt|refund [--dry-run]",
    N_("E-mail the patient an invoice, its receipt (PDF attached) or refund confirmation") },
  { "mail-log", ctl_cmd_mail_log, "[NUMBER]",
    N_("Show the mail send log") },
  /* reports dashboard (ctl-report.c) */
  { "report", ctl_cmd_report, "--from D --to D [--by day|week|month] [--currency C] [--csv TABLE]",
    N_("Collected, refunded, failures, channels, disputes and aging for a range, as JSON or CSV") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: carepayctl [--db FILE] [--api-base URL] [--secret-key KEY] COMMAND [OPTIONS]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *left = g_strdup_printf ("%s %s", commands[i].name, commands[i].args);
      fprintf (out, "  %-44s %s\n", left, _(commands[i].summary));
    }
  fprintf (out, "\n%s\n", _("Global options:"));
  fprintf (out, "  %-44s %s\n", "--db FILE", _("Database file (default: ~/.local/share/carepay/carepay.db)"));
  fprintf (out, "  %-44s %s\n", "--api-base URL", _("Stripe API base URL"));
  fprintf (out, "  %-44s %s\n", "--secret-key KEY", _("Stripe secret key"));
  fprintf (out, "  %-44s %s\n", "--as USERNAME", _("Act as this member of staff (password in CAREPAY_PASSWORD)"));
  fprintf (out, "\n%s\n", _("Run “carepayctl COMMAND --help” for a command’s options."));
}

int
ctl_fail (int         status,
          const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever the message holds */
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "carepayctl: %s\n", message);
  return status;
}

int
ctl_fail_error (const GError *error)
{
  return ctl_fail (CTL_EXIT_FAIL, "%s", error->message);
}

gboolean
ctl_parse_options (const char    *command,
                   const char    *parameter_string,
                   GOptionEntry  *entries,
                   int           *argc,
                   char        ***argv,
                   int           *exit_status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("carepayctl %s", command);

  g_set_prgname (prgname);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_status = ctl_fail (CTL_EXIT_USAGE, "%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

CpSqliteStore *
ctl_open_store (CtlContext  *ctx,
                gboolean     read_only,
                GError     **error)
{
  return cp_sqlite_store_open (ctx->db_path,
                               read_only ? CP_SQLITE_OPEN_READ_ONLY : CP_SQLITE_OPEN_CREATE,
                               error);
}

void
ctl_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

JsonBuilder *
ctl_json_new_object (void)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  return builder;
}

void
ctl_print_json_object (JsonBuilder *builder)
{
  json_builder_end_object (builder);
  ctl_print_json (builder);
}

void
ctl_json_add_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

void
ctl_json_add_int (JsonBuilder *builder,
                  const char  *name,
                  gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
ctl_json_add_bool (JsonBuilder *builder,
                   const char  *name,
                   gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
ctl_json_add_money (JsonBuilder *builder,
                    gint64       amount,
                    const char  *currency)
{
  ctl_json_add_int (builder, "amount", amount);
  ctl_json_add_string (builder, "currency", currency);
}

void
ctl_json_begin_array_member (JsonBuilder *builder,
                             const char  *name)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
}

void
ctl_json_begin_object_member (JsonBuilder *builder,
                              const char  *name)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
}

CpStaff *
ctl_sign_in (CtlContext  *ctx,
             CpStore     *store,
             GError     **error)
{
  const char *password = g_getenv ("CAREPAY_PASSWORD");

  if (ctx->as_user == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_PERMISSION,
                           _("this command acts for a member of staff: use --as USERNAME with the password in CAREPAY_PASSWORD"));
      return NULL;
    }
  if (password == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_PERMISSION,
                           _("CAREPAY_PASSWORD is not set"));
      return NULL;
    }
  return cp_store_authenticate (store, ctx->as_user, password, error);
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i past the value. */
static gboolean
take_global (const char  *name,
             int          argc,
             char       **argv,
             int         *i,
             char       **out,
             int         *exit_status)
{
  const char *arg = argv[*i];
  size_t len = strlen (name);

  if (strncmp (arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
    return FALSE;

  if (arg[len] == '=')
    {
      g_free (*out);
      *out = g_strdup (arg + len + 1);
    }
  else if (*i + 1 < argc)
    {
      g_free (*out);
      *out = g_strdup (argv[++(*i)]);
    }
  else
    *exit_status = ctl_fail (CTL_EXIT_USAGE, _("%s needs a value"), name);

  if (*out != NULL && **out == '\0' && *exit_status == CTL_EXIT_OK)
    *exit_status = ctl_fail (CTL_EXIT_USAGE, _("%s needs a value"), name);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  CtlContext ctx = { NULL, NULL, NULL, NULL };
  int status = CTL_EXIT_OK;
  int i;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("carepayctl");

  for (i = 1; i < argc && status == CTL_EXIT_OK; i++)
    {
      const char *arg = argv[i];

      if (arg[0] != '-')
        break;
      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_usage (stdout);
          goto out;
        }
      if (g_str_equal (arg, "--version"))
        {
          printf ("carepayctl %s\n", PACKAGE_VERSION);
          goto out;
        }
      if (take_global ("--db", argc, argv, &i, &ctx.db_path, &status) ||
          take_global ("--api-base", argc, argv, &i, &ctx.api_base, &status) ||
          take_global ("--secret-key", argc, argv, &i, &ctx.secret_key, &status) ||
          take_global ("--as", argc, argv, &i, &ctx.as_user, &status))
        continue;

      status = ctl_fail (CTL_EXIT_USAGE, _("unknown option %s (global options go before the command)"), arg);
    }

  if (status != CTL_EXIT_OK)
    goto out;

  if (i >= argc)
    {
      print_usage (stderr);
      status = CTL_EXIT_USAGE;
      goto out;
    }

  if (ctx.db_path == NULL)
    ctx.db_path = cp_store_default_path ();

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      if (g_str_equal (commands[c].name, argv[i]))
        {
          status = commands[c].func (&ctx, argc - i, argv + i);
          goto out;
        }
    }

  status = ctl_fail (CTL_EXIT_USAGE, _("unknown command “%s”; run carepayctl --help"), argv[i]);

out:
  g_free (ctx.db_path);
  g_free (ctx.api_base);
  g_free (ctx.as_user);
  if (ctx.secret_key != NULL)
    {
      memset (ctx.secret_key, 0, strlen (ctx.secret_key));
      g_free (ctx.secret_key);
    }
  return status;
}
