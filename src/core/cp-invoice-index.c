/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-invoice-index.h"

#define NO_STRING G_MAXUINT32
/* Row.folded_skip when the folded number is too far to say in 16 bits. */
#define FOLDED_SKIP_FAR G_MAXUINT16

/* Patients are shared by their invoices (about 3.3 each at scale), so their
 * strings and search text are kept once. */
typedef struct {
  gint64  id;
  guint32 name;      /* "Family, Given" */
  guint32 mrn;       /* NO_STRING when none */
  guint32 haystack;  /* folded "Family, Given\nGiven Family\nmrn" */
  guint32 rank;      /* position by collation key, made with the patient order */
} Patient;

/* An invoice's dates and currency, kept once per distinct combination: a
 * few hundred at any scale (one per issue date, as terms are fixed). */
typedef struct {
  guint32 issue_date;  /* offsets into strings, NO_STRING when none */
  guint32 due_date;
  guint32 currency;
} Terms;

enum {
  ROW_VOIDED       = 1 << 0,
  ROW_DISPUTED     = 1 << 1,
  /* Only the folded number is kept: the number is it in ASCII capitals
   * ("INV-2026-000001" as "inv-2026-000001"), as most numbers are. */
  ROW_NUMBER_UPPER = 1 << 2,
};

/* 56 bytes a row, the bulk of the index at scale (5.6 MB at 100,000
 * invoices): dates and currency go through Terms, and the folded number sits
 * right after the number rather than at an offset of its own, or is the only
 * copy (ROW_NUMBER_UPPER). */
typedef struct {
  gint64  id;
  gint64  total;
  gint64  amount_paid;
  gint64  amount_refunded;
  gint64  balance_due;
  guint32 patient;      /* into patients */
  guint32 number;       /* offset into strings (folded when ROW_NUMBER_UPPER) */
  guint32 terms;        /* into terms */
  guint16 folded_skip;  /* the folded number is at number + folded_skip (0: the
                         * number itself; FOLDED_SKIP_FAR: after its NUL) */
  guint8  status;
  guint8  flags;        /* ROW_VOIDED, ROW_DISPUTED, ROW_NUMBER_UPPER */
} Row;

G_STATIC_ASSERT (sizeof (Row) == 56);

struct _CpInvoiceIndex
{
  gatomicrefcount  ref_count;
  GArray          *rows;      /* Row */
  GArray          *patients;  /* Patient */
  GArray          *terms;     /* Terms */
  GString         *strings;   /* NUL-separated, offset 0 is "" */
  GMutex           lock;      /* for the orders */
  guint32         *orders[CP_INVOICE_N_SORTS];
};

typedef struct {
  CpInvoiceIndex *index;
  GHashTable     *patient_slots;  /* gint64 id -> slot + 1 */
  GHashTable     *interned;       /* string -> offset + 1 */
  GHashTable     *terms_slots;    /* Terms -> slot + 1 */
} Builder;

static guint32
add_string (CpInvoiceIndex *index,
            const char     *text)
{
  gsize offset = index->strings->len;

  if (text == NULL)
    return NO_STRING;
  g_assert (offset < NO_STRING);
  g_string_append_len (index->strings, text, strlen (text) + 1);
  return (guint32) offset;
}

static guint32
intern_string (Builder    *b,
               const char *text)
{
  gpointer found;
  guint32 offset;

  if (text == NULL)
    return NO_STRING;
  found = g_hash_table_lookup (b->interned, text);
  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;
  offset = add_string (b->index, text);
  g_hash_table_insert (b->interned, g_strdup (text), GUINT_TO_POINTER (offset + 1));
  return offset;
}

static inline const char *
string_at (CpInvoiceIndex *index,
           guint32         offset)
{
  return offset == NO_STRING ? NULL : index->strings->str + offset;
}

static guint
terms_hash (gconstpointer key)
{
  const Terms *t = key;

  return (t->issue_date * 31u + t->due_date) * 31u + t->currency;
}

static gboolean
terms_equal (gconstpointer a,
             gconstpointer b)
{
  const Terms *ta = a, *tb = b;

  return ta->issue_date == tb->issue_date && ta->due_date == tb->due_date &&
         ta->currency == tb->currency;
}

static guint32
terms_slot (Builder                *b,
            const CpInvoiceSummary *s)
{
  Terms terms;
  gpointer found;

  terms.issue_date = intern_string (b, s->issue_date);
  terms.due_date = intern_string (b, s->due_date);
  terms.currency = intern_string (b, s->currency);
  found = g_hash_table_lookup (b->terms_slots, &terms);
  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;
  g_array_append_val (b->index->terms, terms);
  g_hash_table_insert (b->terms_slots, g_memdup2 (&terms, sizeof terms),
                       GUINT_TO_POINTER (b->index->terms->len));
  return b->index->terms->len - 1;
}

/* Letters that Unicode does not decompose into a Latin letter and a mark,
 * as people type them without the key: "Lovstad" for "Løvstad", "Lodz" for
 * "Łódź", "Baer" for "Bær". NULL for any other character. */
static const char *
latin_letter (gunichar c)
{
  switch (c)
    {
    case 0x00C6: case 0x00E6: return "ae";  /* Æ æ */
    case 0x00D0: case 0x00F0: return "d";   /* Ð ð */
    case 0x00D8: case 0x00F8: return "o";   /* Ø ø */
    case 0x00DE: case 0x00FE: return "th";  /* Þ þ */
    case 0x00DF: case 0x1E9E: return "ss";  /* ß ẞ */
    case 0x0110: case 0x0111: return "d";   /* Đ đ */
    case 0x0126: case 0x0127: return "h";   /* Ħ ħ */
    case 0x0131:              return "i";   /* ı */
    case 0x0141: case 0x0142: return "l";   /* Ł ł */
    case 0x0152: case 0x0153: return "oe";  /* Œ œ */
    case 0x0166: case 0x0167: return "t";   /* Ŧ ŧ */
    default:                  return NULL;
    }
}

char *
cp_invoice_index_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autofree char *valid = NULL;
  g_autoptr(GString) bare = NULL;
  const char *p;

  if (text == NULL)
    return g_strdup ("");
  for (p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      break;
  if (*p == '\0')
    return g_ascii_strdown (text, -1);  /* the common case, and the same result */

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  bare = g_string_sized_new (strlen (decomposed));
  for (p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *latin = latin_letter (c);

      if (latin != NULL)
        g_string_append (bare, latin);
      else if (!g_unichar_ismark (c))
        g_string_append_unichar (bare, c);
    }
  return g_utf8_casefold (bare->str, (gssize) bare->len);
}

static guint32
patient_slot (Builder                *b,
              const CpInvoiceSummary *s)
{
  gpointer found = g_hash_table_lookup (b->patient_slots, &s->patient_id);
  Patient patient = { 0 };
  g_autofree char *given_first = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *folded = NULL;
  const char *name = s->patient_name != NULL ? s->patient_name : "";
  const char *comma;
  gint64 *key;

  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  /* "Family, Given" also matches as typed "Given Family". */
  comma = strstr (name, ", ");
  if (comma != NULL)
    given_first = g_strdup_printf ("%s %.*s", comma + 2, (int) (comma - name), name);
  joined = g_strdup_printf ("%s\n%s\n%s", name, given_first ? given_first : "",
                            s->mrn ? s->mrn : "");
  folded = cp_invoice_index_fold (joined);

  patient.id = s->patient_id;
  patient.name = add_string (b->index, name);
  patient.mrn = add_string (b->index, s->mrn);
  patient.haystack = add_string (b->index, folded);
  g_array_append_val (b->index->patients, patient);

  key = g_new (gint64, 1);
  *key = s->patient_id;
  g_hash_table_insert (b->patient_slots, key, GUINT_TO_POINTER (b->index->patients->len));
  return b->index->patients->len - 1;
}

static void
builder_init (Builder *b,
              guint    n_hint)
{
  b->index = g_new0 (CpInvoiceIndex, 1);
  g_atomic_ref_count_init (&b->index->ref_count);
  g_mutex_init (&b->index->lock);
  b->index->rows = g_array_sized_new (FALSE, FALSE, sizeof (Row), n_hint);
  b->index->patients = g_array_new (FALSE, FALSE, sizeof (Patient));
  b->index->terms = g_array_new (FALSE, FALSE, sizeof (Terms));
  b->index->strings = g_string_sized_new (64 + (gsize) n_hint * 40);
  g_string_append_c (b->index->strings, '\0');
  b->patient_slots = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  b->interned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b->terms_slots = g_hash_table_new_full (terms_hash, terms_equal, g_free, NULL);
}

/* Whether `number` is `folded` with its ASCII letters in capitals. */
static gboolean
number_is_upper_of (const char *number,
                    const char *folded)
{
  for (; *number != '\0'; number++, folded++)
    if ((guchar) *number >= 0x80 || *number != g_ascii_toupper (*folded))
      return FALSE;
  return *folded == '\0';
}

static void
builder_add (Builder                *b,
             const CpInvoiceSummary *s)
{
  Row row = { 0 };
  const char *number = s->number != NULL ? s->number : "";
  g_autofree char *folded = cp_invoice_index_fold (number);

  row.id = s->id;
  row.total = s->total;
  row.amount_paid = s->amount_paid;
  row.amount_refunded = s->amount_refunded;
  row.balance_due = s->balance_due;
  row.patient = patient_slot (b, s);
  row.terms = terms_slot (b, s);
  /* The folded number right after the number, so the row needs no offset
   * of its own for it; nothing more when folding changes nothing or only
   * lowers ASCII capitals. */
  if (strcmp (folded, number) == 0)
    row.number = add_string (b->index, number);
  else if (number_is_upper_of (number, folded))
    {
      row.number = add_string (b->index, folded);
      row.flags |= ROW_NUMBER_UPPER;
    }
  else
    {
      gsize skip = strlen (number) + 1;

      row.number = add_string (b->index, number);
      add_string (b->index, folded);
      row.folded_skip = skip < FOLDED_SKIP_FAR ? (guint16) skip : FOLDED_SKIP_FAR;
    }
  row.status = (guint8) s->status;
  row.flags |= (s->voided ? ROW_VOIDED : 0) | (s->disputed ? ROW_DISPUTED : 0);
  g_array_append_val (b->index->rows, row);
}

static CpInvoiceIndex *
builder_finish (Builder *b)
{
  g_clear_pointer (&b->patient_slots, g_hash_table_unref);
  g_clear_pointer (&b->interned, g_hash_table_unref);
  g_clear_pointer (&b->terms_slots, g_hash_table_unref);
  return g_steal_pointer (&b->index);
}

CpInvoiceIndex *
cp_invoice_index_new_from_summaries (GPtrArray *summaries)
{
  Builder b;

  g_return_val_if_fail (summaries != NULL, NULL);

  builder_init (&b, summaries->len);
  for (guint i = 0; i < summaries->len; i++)
    builder_add (&b, g_ptr_array_index (summaries, i));
  return builder_finish (&b);
}

CpInvoiceIndex *
cp_invoice_index_new_from_store (CpStore  *store,
                                 GError  **error)
{
  g_autoptr(GPtrArray) summaries = NULL;
  Builder b;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  summaries = cp_store_list_invoices (store, NULL, error);
  if (summaries == NULL)
    return NULL;

  /* Each summary is freed as soon as it is copied, which keeps the peak down. */
  builder_init (&b, summaries->len);
  for (guint i = 0; i < summaries->len; i++)
    {
      builder_add (&b, g_ptr_array_index (summaries, i));
      g_clear_pointer (&g_ptr_array_index (summaries, i), cp_invoice_summary_free);
    }
  return builder_finish (&b);
}

CpInvoiceIndex *
cp_invoice_index_ref (CpInvoiceIndex *index)
{
  g_return_val_if_fail (index != NULL, NULL);

  g_atomic_ref_count_inc (&index->ref_count);
  return index;
}

void
cp_invoice_index_unref (CpInvoiceIndex *index)
{
  g_return_if_fail (index != NULL);

  if (!g_atomic_ref_count_dec (&index->ref_count))
    return;
  for (guint i = 0; i < CP_INVOICE_N_SORTS; i++)
    g_free (index->orders[i]);
  g_mutex_clear (&index->lock);
  g_array_unref (index->rows);
  g_array_unref (index->patients);
  g_array_unref (index->terms);
  g_string_free (index->strings, TRUE);
  g_free (index);
}

guint
cp_invoice_index_get_n_rows (CpInvoiceIndex *index)
{
  g_return_val_if_fail (index != NULL, 0);

  return index->rows->len;
}

static inline const Row *
row_at (CpInvoiceIndex *index,
        guint           row)
{
  return &g_array_index (index->rows, Row, row);
}

static inline const Patient *
patient_of (CpInvoiceIndex *index,
            const Row      *r)
{
  return &g_array_index (index->patients, Patient, r->patient);
}

static inline const Terms *
terms_of (CpInvoiceIndex *index,
          const Row      *r)
{
  return &g_array_index (index->terms, Terms, r->terms);
}

static inline guchar
ascii_upper (guchar c)
{
  return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

/* Compares two rows' numbers as strcmp() compares the numbers themselves. */
static int
compare_numbers (CpInvoiceIndex *a,
                 const Row      *ra,
                 CpInvoiceIndex *b,
                 const Row      *rb)
{
  const guchar *pa = (const guchar *) a->strings->str + ra->number;
  const guchar *pb = (const guchar *) b->strings->str + rb->number;
  gboolean upper_a = (ra->flags & ROW_NUMBER_UPPER) != 0;
  gboolean upper_b = (rb->flags & ROW_NUMBER_UPPER) != 0;

  if (!upper_a && !upper_b)
    return strcmp ((const char *) pa, (const char *) pb);
  if (upper_a && upper_b)
    {
      /* Equal bytes stay equal in capitals: only the first difference is
       * mapped. */
      while (*pa == *pb && *pa != '\0')
        pa++, pb++;
      return (int) ascii_upper (*pa) - (int) ascii_upper (*pb);
    }
  for (;; pa++, pb++)
    {
      guchar ca = upper_a ? ascii_upper (*pa) : *pa;
      guchar cb = upper_b ? ascii_upper (*pb) : *pb;

      if (ca != cb || ca == '\0')
        return (int) ca - (int) cb;
    }
}

static inline const char *
number_folded_at (const char *strings,
                  const Row  *r)
{
  const char *number = strings + r->number;

  if (G_UNLIKELY (r->folded_skip == FOLDED_SKIP_FAR))
    return number + strlen (number) + 1;
  return number + r->folded_skip;
}

gint64
cp_invoice_index_get_id (CpInvoiceIndex *index,
                         guint           row)
{
  g_return_val_if_fail (index != NULL && row < index->rows->len, 0);

  return row_at (index, row)->id;
}

CpInvoiceStatus
cp_invoice_index_get_status (CpInvoiceIndex *index,
                             guint           row)
{
  g_return_val_if_fail (index != NULL && row < index->rows->len, 0);

  return row_at (index, row)->status;
}

CpInvoiceSummary *
cp_invoice_index_dup_summary (CpInvoiceIndex *index,
                              guint           row)
{
  CpInvoiceSummary *s;
  const Row *r;
  const Patient *p;
  const Terms *t;

  g_return_val_if_fail (index != NULL && row < index->rows->len, NULL);

  r = row_at (index, row);
  p = patient_of (index, r);
  t = terms_of (index, r);
  s = cp_invoice_summary_new ();
  s->id = r->id;
  if (r->flags & ROW_NUMBER_UPPER)
    s->number = g_ascii_strup (string_at (index, r->number), -1);
  else
    s->number = g_strdup (string_at (index, r->number));
  s->patient_id = p->id;
  s->patient_name = g_strdup (string_at (index, p->name));
  s->mrn = g_strdup (string_at (index, p->mrn));
  s->issue_date = g_strdup (string_at (index, t->issue_date));
  s->due_date = g_strdup (string_at (index, t->due_date));
  s->currency = g_strdup (string_at (index, t->currency));
  s->total = r->total;
  s->amount_paid = r->amount_paid;
  s->amount_refunded = r->amount_refunded;
  s->balance_due = r->balance_due;
  s->voided = (r->flags & ROW_VOIDED) != 0;
  s->disputed = (r->flags & ROW_DISPUTED) != 0;
  s->status = r->status;
  return s;
}

gboolean
cp_invoice_index_rows_equal (CpInvoiceIndex *a,
                             guint           row_a,
                             CpInvoiceIndex *b,
                             guint           row_b)
{
  const Row *ra, *rb;
  const Patient *pa, *pb;
  const Terms *ta, *tb;

  g_return_val_if_fail (a != NULL && row_a < a->rows->len, FALSE);
  g_return_val_if_fail (b != NULL && row_b < b->rows->len, FALSE);

  ra = row_at (a, row_a);
  rb = row_at (b, row_b);
  if (ra->id != rb->id || ra->total != rb->total || ra->amount_paid != rb->amount_paid ||
      ra->amount_refunded != rb->amount_refunded || ra->balance_due != rb->balance_due ||
      ra->status != rb->status ||
      (ra->flags & (ROW_VOIDED | ROW_DISPUTED)) != (rb->flags & (ROW_VOIDED | ROW_DISPUTED)))
    return FALSE;
  pa = patient_of (a, ra);
  pb = patient_of (b, rb);
  ta = terms_of (a, ra);
  tb = terms_of (b, rb);
  return pa->id == pb->id &&
         g_strcmp0 (string_at (a, pa->name), string_at (b, pb->name)) == 0 &&
         g_strcmp0 (string_at (a, pa->mrn), string_at (b, pb->mrn)) == 0 &&
         compare_numbers (a, ra, b, rb) == 0 &&
         g_strcmp0 (string_at (a, ta->issue_date), string_at (b, tb->issue_date)) == 0 &&
         g_strcmp0 (string_at (a, ta->due_date), string_at (b, tb->due_date)) == 0 &&
         g_strcmp0 (string_at (a, ta->currency), string_at (b, tb->currency)) == 0;
}

void
cp_invoice_index_count_statuses (CpInvoiceIndex *index,
                                 guint          *counts)
{
  g_return_if_fail (index != NULL && counts != NULL);

  memset (counts, 0, sizeof (guint) * CP_N_INVOICE_STATUSES);
  for (guint i = 0; i < index->rows->len; i++)
    {
      guint status = row_at (index, i)->status;

      if (status < CP_N_INVOICE_STATUSES)
        counts[status]++;
    }
}

gboolean
cp_invoice_index_add_open_totals (CpInvoiceIndex   *index,
                                  CpInvoiceTotals  *totals,
                                  GError          **error)
{
  g_autofree gboolean *in_currency = NULL;

  g_return_val_if_fail (index != NULL && totals != NULL, FALSE);

  /* Currencies are per terms, a few hundred: compare those, not each row. */
  in_currency = g_new (gboolean, MAX (index->terms->len, 1));
  for (guint i = 0; i < index->terms->len; i++)
    in_currency[i] = g_strcmp0 (string_at (index, g_array_index (index->terms, Terms, i).currency),
                                totals->currency) == 0;
  for (guint i = 0; i < index->rows->len; i++)
    {
      const Row *r = row_at (index, i);

      if (in_currency[r->terms] &&
          !cp_invoice_totals_add_open (totals, r->status, r->balance_due, error))
        return FALSE;
    }
  return TRUE;
}

/* Sorting: money as integers, dates and numbers as text (ISO dates sort as
 * text), names by collation key, ties by invoice id. */

typedef struct {
  CpInvoiceIndex   *index;
  CpInvoiceSortKey  key;
  char            **patient_keys;
} SortData;

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

static int
compare_patients (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  char **keys = user_data;
  guint32 pa = *(const guint32 *) a, pb = *(const guint32 *) b;
  int r = strcmp (keys[pa], keys[pb]);

  return r != 0 ? r : CMP (pa, pb);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const SortData *data = user_data;
  CpInvoiceIndex *index = data->index;
  const Row *ra = row_at (index, *(const guint32 *) a);
  const Row *rb = row_at (index, *(const guint32 *) b);
  int r = 0;

  switch (data->key)
    {
    case CP_INVOICE_SORT_NUMBER:
      r = compare_numbers (index, ra, index, rb);
      break;
    case CP_INVOICE_SORT_PATIENT:
      r = CMP (patient_of (index, ra)->rank, patient_of (index, rb)->rank);
      break;
    case CP_INVOICE_SORT_ISSUE_DATE:
      if (ra->terms != rb->terms)
        r = g_strcmp0 (string_at (index, terms_of (index, ra)->issue_date),
                       string_at (index, terms_of (index, rb)->issue_date));
      break;
    case CP_INVOICE_SORT_DUE_DATE:
      if (ra->terms != rb->terms)
        r = g_strcmp0 (string_at (index, terms_of (index, ra)->due_date),
                       string_at (index, terms_of (index, rb)->due_date));
      break;
    case CP_INVOICE_SORT_TOTAL:
      r = CMP (ra->total, rb->total);
      break;
    case CP_INVOICE_SORT_BALANCE:
      r = CMP (ra->balance_due, rb->balance_due);
      break;
    case CP_INVOICE_SORT_STATUS:
      r = CMP (ra->status, rb->status);
      break;
    case CP_INVOICE_SORT_NONE:
    case CP_INVOICE_N_SORTS:
    default:
      g_assert_not_reached ();
    }
  return r != 0 ? r : CMP (ra->id, rb->id);
}

/* Ranks the patients by the collation key of their names once, so that the
 * row sort compares integers. */
static void
rank_patients (CpInvoiceIndex *index)
{
  guint n = index->patients->len;
  g_autofree guint32 *order = g_new (guint32, MAX (n, 1));
  char **keys = g_new (char *, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      Patient *p = &g_array_index (index->patients, Patient, i);

      keys[i] = g_utf8_collate_key (string_at (index, p->name), -1);
      order[i] = i;
    }
  g_qsort_with_data (order, (gint) n, sizeof (guint32), compare_patients, keys);
  /* Namesakes share a rank, so that their invoices sort by id. */
  for (guint i = 0, rank = 0; i < n; i++)
    {
      if (i > 0 && strcmp (keys[order[i]], keys[order[i - 1]]) != 0)
        rank = i;
      g_array_index (index->patients, Patient, order[i]).rank = rank;
    }
  for (guint i = 0; i < n; i++)
    g_free (keys[i]);
  g_free (keys);
}

const guint32 *
cp_invoice_index_get_order (CpInvoiceIndex   *index,
                            CpInvoiceSortKey  key)
{
  g_autoptr(GMutexLocker) locker = NULL;
  guint n;

  g_return_val_if_fail (index != NULL, NULL);
  g_return_val_if_fail (key >= CP_INVOICE_SORT_NONE && key < CP_INVOICE_N_SORTS, NULL);

  if (key == CP_INVOICE_SORT_NONE)
    return NULL;

  locker = g_mutex_locker_new (&index->lock);
  if (index->orders[key] == NULL)
    {
      SortData data = { index, key, NULL };
      guint32 *order;

      n = index->rows->len;
      order = g_new (guint32, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        order[i] = i;
      if (key == CP_INVOICE_SORT_PATIENT)
        rank_patients (index);
      g_qsort_with_data (order, (gint) n, sizeof (guint32), compare_rows, &data);
      index->orders[key] = order;
    }
  return index->orders[key];
}

guint
cp_invoice_index_filter (CpInvoiceIndex *index,
                         const guint32  *rows,
                         guint           n_rows,
                         gboolean        reverse,
                         int             status,
                         const char     *folded_needle,
                         guint32        *out)
{
  g_autofree guint8 *patient_match = NULL;  /* 0 unknown, 1 no, 2 yes */
  const char *strings;
  gboolean any_text = folded_needle == NULL || *folded_needle == '\0';
  guint n_out = 0;

  g_return_val_if_fail (index != NULL, 0);
  g_return_val_if_fail (rows != NULL || n_rows <= index->rows->len, 0);
  g_return_val_if_fail (out != NULL || n_rows == 0, 0);
  g_return_val_if_fail (!(reverse && rows != NULL && rows == out), 0);

  strings = index->strings->str;
  if (!any_text)
    patient_match = g_new0 (guint8, MAX (index->patients->len, 1));

  for (guint k = 0; k < n_rows; k++)
    {
      guint j = reverse ? n_rows - 1 - k : k;
      guint32 i = rows != NULL ? rows[j] : j;
      const Row *r = row_at (index, i);

      if (status >= 0 && r->status != status)
        continue;
      if (!any_text && strstr (number_folded_at (strings, r), folded_needle) == NULL)
        {
          guint8 *match = &patient_match[r->patient];

          if (*match == 0)
            *match = strstr (strings + patient_of (index, r)->haystack, folded_needle) ? 2 : 1;
          if (*match == 1)
            continue;
        }
      out[n_out++] = i;
    }
  return n_out;
}

gsize
cp_invoice_index_get_size (CpInvoiceIndex *index)
{
  gsize size;

  g_return_val_if_fail (index != NULL, 0);

  size = sizeof *index + index->strings->allocated_len +
         (gsize) index->rows->len * sizeof (Row) +
         (gsize) index->patients->len * sizeof (Patient) +
         (gsize) index->terms->len * sizeof (Terms);
  for (guint i = 0; i < CP_INVOICE_N_SORTS; i++)
    if (index->orders[i] != NULL)
      size += (gsize) index->rows->len * sizeof (guint32);
  return size;
}
