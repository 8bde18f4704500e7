/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "ctl.h"

static int
audit_verify (CpStore  *store,
              gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  gint64 count = 0;

  problems = cp_store_audit_check (store, &count, &error);
  if (problems == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_add_bool (builder, "ok", problems->len == 0);
      ctl_json_add_int (builder, "entries", count);
      ctl_json_begin_array_member (builder, "problems");
      for (guint i = 0; i < problems->len; i++)
        {
          CpAuditProblem *problem = g_ptr_array_index (problems, i);

          json_builder_begin_object (builder);
          ctl_json_add_int (builder, "entry", problem->entry_id);
          ctl_json_add_string (builder, "message", problem->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ctl_print_json_object (builder);
    }
  else if (problems->len == 0)
    printf (_("The audit log is intact: %" PRId64 " entries\n"), count);
  else
    for (guint i = 0; i < problems->len; i++)
      {
        CpAuditProblem *problem = g_ptr_array_index (problems, i);

        printf ("%s\n", problem->message);
      }

  if (problems->len > 0)
    return ctl_fail (CTL_EXIT_FAIL, _("the audit log has been tampered with: %u problems in %" PRId64
                                      " entries"), problems->len, count);
  return CTL_EXIT_OK;
}

static int
audit_list (CpStore    *store,
            const char *since,
            const char *action,
            gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cp_store_list_audit (store, since, action, &error);

  if (entries == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        {
          CpAuditEntry *entry = g_ptr_array_index (entries, i);

          json_builder_begin_object (builder);
          ctl_json_add_int (builder, "id", entry->id);
          ctl_json_add_string (builder, "at", entry->at);
          ctl_json_add_int (builder, "staff_id", entry->staff_id);
          ctl_json_add_string (builder, "staff", entry->staff_username);
          ctl_json_add_string (builder, "action", entry->action);
          ctl_json_add_string (builder, "object", entry->object);
          ctl_json_add_string (builder, "details", entry->details);
          ctl_json_add_string (builder, "hash", entry->hash);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ctl_print_json (builder);
      return CTL_EXIT_OK;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      CpAuditEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *details = g_strdup (entry->details ? entry->details : "");

      g_strdelimit (details, "\r\n\t", ' ');
      printf ("%6" G_GINT64_FORMAT "  %s  %-12s %-14s %s  %s\n", entry->id, entry->at,
              entry->staff_username ? entry->staff_username : "-", entry->action,
              entry->object ? entry->object : "-", details);
    }
  return CTL_EXIT_OK;
}

/* carepayctl audit [--since D] [--action A] [--json]
 * carepayctl audit verify [--json] */
int
ctl_cmd_audit (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autofree char *since = NULL;
  g_autofree char *action = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("Entries from this day on (YYYY-MM-DD, UTC)"), "DATE" },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action, N_("Only entries with this action"), "ACTION" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean verify;
  int status;

  if (!ctl_parse_options ("audit", "[verify]", entries, &argc, &argv, &status))
    return status;
  verify = argc == 2 && g_str_equal (argv[1], "verify");
  if (argc > 2 || (argc == 2 && !verify))
    return ctl_fail (CTL_EXIT_USAGE, _("audit: unexpected argument “%s”"), argv[argc - 1]);
  if (verify && (since != NULL || action != NULL))
    return ctl_fail (CTL_EXIT_USAGE, _("audit verify checks the whole log: no --since or --action"));
  if (since != NULL && !cp_date_is_valid (since))
    return ctl_fail (CTL_EXIT_USAGE, _("audit: --since takes a YYYY-MM-DD date"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);

  if (verify)
    return audit_verify (CP_STORE (store), json);
  return audit_list (CP_STORE (store), since, action, json);
}
