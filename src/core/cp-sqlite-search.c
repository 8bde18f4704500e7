/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store's search text: patients.search_key and invoices.search_key hold
 * what the invoice list's in-memory index searches, folded by the same
 * function (cp_invoice_index_fold: accents, case, and ø ł æ ß… spelt in
 * Latin since schema v6), so `carepayctl invoices --search jose` finds
 * "José" and `--search lovstad` "Løvstad" as the app does. SQLite cannot fold
 * Unicode itself, so the keys are made in C when a row is written, and the
 * searches stay plain SQL (LIKE on the keys) that the sqlite3 shell runs too. */
#include "config.h"

#include "cp-invoice-index.h"
#include "cp-sqlite-private.h"

char *
cp_sqlite_search_patient_key (const char *mrn,
                              const char *given_name,
                              const char *family_name)
{
  g_autofree char *joined = NULL;

  given_name = given_name != NULL ? given_name : "";
  family_name = family_name != NULL ? family_name : "";
  /* As the index's haystack: "Family, Given", typed "Given Family", the MRN.
   * A search never holds a line break, so it cannot match across two. */
  joined = g_strdup_printf ("%s, %s\n%s %s\n%s", family_name, given_name, given_name, family_name,
                            mrn != NULL ? mrn : "");
  return cp_invoice_index_fold (joined);
}

char *
cp_sqlite_search_invoice_key (const char *number)
{
  return cp_invoice_index_fold (number);
}

char *
cp_sqlite_search_pattern (const char *search)
{
  g_autofree char *folded = NULL;
  GString *pattern;
  const char *p;

  if (search == NULL)
    return NULL;
  while (g_ascii_isspace (*search))
    search++;
  if (*search == '\0')
    return NULL;

  folded = cp_invoice_index_fold (search);
  pattern = g_string_new ("%");
  /* "%" and "_" in what people type are literal: escape them with "\". */
  for (p = folded; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  /* Trailing spaces typed in a search entry should not hide matches */
  while (pattern->len > 1 && pattern->str[pattern->len - 1] == ' ' &&
         pattern->str[pattern->len - 2] != '\\')
    g_string_truncate (pattern, pattern->len - 1);
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

static gboolean
fill_table (sqlite3     *db,
            const char  *select_sql,
            const char  *update_sql,
            gboolean     patients,
            GError     **error)
{
  sqlite3_stmt *select = NULL;
  sqlite3_stmt *update = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, select_sql, -1, &select, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, update_sql, -1, &update, NULL);

  while (rc == SQLITE_OK && (rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_autofree char *key = NULL;

      if (patients)
        key = cp_sqlite_search_patient_key ((const char *) sqlite3_column_text (select, 1),
                                            (const char *) sqlite3_column_text (select, 2),
                                            (const char *) sqlite3_column_text (select, 3));
      else
        key = cp_sqlite_search_invoice_key ((const char *) sqlite3_column_text (select, 1));
      sqlite3_bind_int64 (update, 1, sqlite3_column_int64 (select, 0));
      sqlite3_bind_text (update, 2, key, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (update);
      sqlite3_reset (update);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  if (rc != SQLITE_DONE)
    cp_sqlite_set_error (db, sqlite3_extended_errcode (db), "Could not fill the search keys", error);
  sqlite3_finalize (select);
  sqlite3_finalize (update);
  return rc == SQLITE_DONE;
}

gboolean
cp_sqlite_search_fill (sqlite3  *db,
                       GError  **error)
{
  return fill_table (db, "SELECT id, mrn, given_name, family_name FROM patients",
                     "UPDATE patients SET search_key = ?2 WHERE id = ?1", TRUE, error) &&
         fill_table (db, "SELECT id, number FROM invoices",
                     "UPDATE invoices SET search_key = ?2 WHERE id = ?1", FALSE, error);
}
