/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* Exit statuses: 0 done, 1 the command failed, 2 the command line was wrong. */
#define CTL_EXIT_OK    0
#define CTL_EXIT_FAIL  1
#define CTL_EXIT_USAGE 2

/* Global options, parsed before the command name and kept for every command. */
typedef struct {
  char *db_path;      /* --db, or cp_store_default_path() */
  char *api_base;     /* --api-base: Stripe API base URL, for pay/refund/sync */
  char *secret_key;   /* --secret-key: never printed */
  char *as_user;      /* --as: the staff member for money commands (password in CAREPAY_PASSWORD) */
} CtlContext;

typedef int (*CtlCommandFunc) (CtlContext *ctx,
                               int         argc,
                               char      **argv);

typedef struct {
  const char     *name;
  CtlCommandFunc  func;
  const char     *args;     /* for the usage text */
  const char     *summary;
} CtlCommand;

/* Prints "carepayctl: <message>" as one line on stderr and returns `status`. */
int            ctl_fail            (int          status,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (2, 3);
int            ctl_fail_error      (const GError *error);

/* Parses a command's own options (argv[0] is the command name); on a wrong
 * option prints the error and returns FALSE with *exit_status set. */
gboolean       ctl_parse_options   (const char    *command,
                                    const char    *parameter_string,
                                    GOptionEntry  *entries,
                                    int           *argc,
                                    char        ***argv,
                                    int           *exit_status);

/* Opens the database. Read-only commands never create or change the file. */
CpSqliteStore *ctl_open_store      (CtlContext    *ctx,
                                    gboolean       read_only,
                                    GError       **error);

/* --json output: prints the builder's root, pretty, on stdout. */
void           ctl_print_json      (JsonBuilder   *builder);
/* --json output that is one object: a builder with the object begun, and
 * what closes the object and prints it. */
JsonBuilder   *ctl_json_new_object (void);
void           ctl_print_json_object (JsonBuilder *builder);
/* A member `name` with a string (null when NULL), an integer or a boolean value. */
void           ctl_json_add_string (JsonBuilder   *builder,
                                    const char    *name,
                                    const char    *value);
void           ctl_json_add_int    (JsonBuilder   *builder,
                                    const char    *name,
                                    gint64         value);
void           ctl_json_add_bool   (JsonBuilder   *builder,
                                    const char    *name,
                                    gboolean       value);
/* Money as every command prints it: "amount" in minor units, then "currency". */
void           ctl_json_add_money  (JsonBuilder   *builder,
                                    gint64         amount,
                                    const char    *currency);
/* A member `name` whose array or object is begun, for the caller to fill and end. */
void           ctl_json_begin_array_member  (JsonBuilder *builder,
                                             const char  *name);
void           ctl_json_begin_object_member (JsonBuilder *builder,
                                             const char  *name);

/* The staff member named by --as, signed in with the password in
 * CAREPAY_PASSWORD (never taken from the command line, where ps shows it). */
CpStaff       *ctl_sign_in         (CtlContext    *ctx,
                                    CpStore       *store,
                                    GError       **error);

/* Command groups, one file each */
int            ctl_cmd_seed_demo   (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_invoices    (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_invoice     (CtlContext *ctx, int argc, char **argv);
/* ctl-payments.c */
int            ctl_cmd_pay         (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_refund      (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_link        (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_void        (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_sync        (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_verify      (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_webhook_listen (CtlContext *ctx, int argc, char **argv);
/* import, export, audit (ctl-import.c, ctl-export.c, ctl-audit.c) */
int            ctl_cmd_import      (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_export      (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_audit       (CtlContext *ctx, int argc, char **argv);
/* ctl-backup.c */
int            ctl_cmd_backup      (CtlContext *ctx, int argc, char **argv);
int            ctl_cmd_restore     (CtlContext *ctx, int argc, char **argv);
/* ctl-report.c */
int            ctl_cmd_report      (CtlContext *ctx, int argc, char **argv);

G_END_DECLS
