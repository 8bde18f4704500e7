/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Money is an amount in the currency's minor units (cents for USD, yen for JPY,
 * fils for KWD) and an upper-case ISO 4217 code. No floating point anywhere. */
typedef struct {
  gint64 amount;
  char   currency[4];
} CpMoney;

typedef enum {
  CP_MONEY_PARSE_DEFAULT        = 0,
  CP_MONEY_PARSE_ALLOW_NEGATIVE = 1 << 0,
  CP_MONEY_PARSE_ALLOW_ZERO     = 1 << 1,
} CpMoneyParseFlags;

/* Number of minor-unit digits (2 for USD, 0 for JPY, 3 for KWD), or -1 if unknown. */
int          cp_currency_exponent      (const char *currency);
gboolean     cp_currency_is_known      (const char *currency);
/* The symbol shown before amounts ("$", "€", "£"), or the code itself. */
const char  *cp_currency_symbol        (const char *currency);

CpMoney      cp_money_init             (gint64      amount,
                                        const char *currency);

/* Strict parse of text typed by a person, with the given separators (decimal
 * "." and group "," for en_US; "," and "." for es_ES). Accepts "12", "12.5",
 * "12.50", "1,234.56" (groups of three only), optional currency symbol and
 * surrounding spaces. Rejects more decimals than the currency has, letters,
 * empty text, misplaced group separators, overflow, and negatives or zero
 * unless the flags allow them. */
gboolean     cp_money_parse_full       (const char        *text,
                                        const char        *currency,
                                        const char        *decimal_sep,
                                        const char        *group_sep,
                                        CpMoneyParseFlags  flags,
                                        gint64            *out_minor,
                                        GError           **error);
/* The same with the separators of the current LC_NUMERIC locale, or of
 * LC_MONETARY (what cp_money_format() writes parses back); "." is also
 * accepted as decimal point where the locale's group separator is not ".". */
gboolean     cp_money_parse            (const char        *text,
                                        const char        *currency,
                                        CpMoneyParseFlags  flags,
                                        gint64            *out_minor,
                                        GError           **error);
/* Exact decimal string such as "1234.50" (as in FHIR or CSV, "." only, no
 * groups) to minor units. */
gboolean     cp_money_parse_decimal    (const char        *text,
                                        const char        *currency,
                                        CpMoneyParseFlags  flags,
                                        gint64            *out_minor,
                                        GError           **error);

/* "$1,234.56" with the separators given (NULL: current locale). */
char        *cp_money_format_full      (gint64      minor,
                                        const char *currency,
                                        const char *decimal_sep,
                                        const char *group_sep,
                                        gboolean    with_symbol);
char        *cp_money_format           (gint64      minor,
                                        const char *currency);
/* "1234.56", no symbol or groups: for CSV, JSON and Stripe-facing text. */
char        *cp_money_format_plain     (gint64      minor,
                                        const char *currency);

/* A rate in basis points as a percentage, with the LC_NUMERIC decimal
 * separator: 825 → "8.25" ("8,25" in es_ES), 850 → "8.5", 800 → "8". */
char        *cp_percent_bp_format      (guint       basis_points);
/* What people type for a rate: "8.25", "8.25 %", "12", "0.5" → basis points,
 * 0 to 100 with at most two decimals. The locale's decimal separator, and
 * "." as well ("8,25" or "8.25" in es_ES; "8.25" only in C and en_US). */
gboolean     cp_percent_bp_parse       (const char *text,
                                        guint      *out_bp);

/* Checked arithmetic: FALSE and CP_ERROR_OVERFLOW when the result leaves int64. */
gboolean     cp_money_add              (gint64   a,
                                        gint64   b,
                                        gint64  *out,
                                        GError **error);
gboolean     cp_money_mul              (gint64   a,
                                        gint64   b,
                                        gint64  *out,
                                        GError **error);
/* amount * basis_points / 10000, rounded half away from zero (for tax). */
gboolean     cp_money_apply_rate_bp    (gint64   amount,
                                        gint     basis_points,
                                        gint64  *out,
                                        GError **error);

G_END_DECLS
