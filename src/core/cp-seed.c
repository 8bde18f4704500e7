/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-seed.h"

/* Demo and scale data. Everything goes through the CpStore interface inside
 * one transaction, so the seed works for any store and is all or nothing. */

typedef struct {
  const char *code;
  const char *description;
  gint64      unit_amount;   /* USD cents */
  const char *provider;
} Service;

enum {
  SVC_CHEST_XRAY,
  SVC_MRI_BRAIN,
  SVC_CMP,
  SVC_CBC,
  SVC_CHECKUP_40,
  SVC_CHECKUP_18,
  SVC_ER_4,
  SVC_PHYSIO,
  SVC_ULTRASOUND,
  SVC_ECG,
  SVC_FLU_VACCINE,
  SVC_VACCINE_ADMIN,
  SVC_SUTURE,
  SVC_VENIPUNCTURE,
  SVC_OFFICE_EST,
  SVC_OFFICE_NEW,
  SVC_ANKLE_XRAY,
  SVC_SPLINT,
  SVC_CHECKUP_CHILD,
  SVC_LIPID,
  SVC_ECHO,
  SVC_CT_HEAD,
  N_SERVICES
};

static const Service services[N_SERVICES] = {
  [SVC_CHEST_XRAY]    = { "71046", "Chest X-ray, two views", 18500, "Dr. Amara Okafor, Radiology" },
  [SVC_MRI_BRAIN]     = { "70551", "MRI brain without contrast", 145000, "Dr. Amara Okafor, Radiology" },
  [SVC_CMP]           = { "80053", "Comprehensive metabolic panel", 6200, "Dr. Michael Stein, Pathology" },
  [SVC_CBC]           = { "85025", "Complete blood count (CBC) with differential", 3800, "Dr. Michael Stein, Pathology" },
  [SVC_CHECKUP_40]    = { "99396", "Annual check-up, preventive visit, age 40–64", 26500, "Dr. Priya Raman, Internal Medicine" },
  [SVC_CHECKUP_18]    = { "99395", "Annual check-up, preventive visit, age 18–39", 24000, "Dr. Lucas Moreno, Family Medicine" },
  [SVC_ER_4]          = { "99284", "Emergency department visit, level 4", 98000, "Dr. Daniel Brooks, Emergency Medicine" },
  [SVC_PHYSIO]        = { "97110", "Physiotherapy session, therapeutic exercise (15 min)", 6500, "Sarah Whitfield, PT, Physical Therapy" },
  [SVC_ULTRASOUND]    = { "76700", "Abdominal ultrasound, complete", 42000, "Dr. Amara Okafor, Radiology" },
  [SVC_ECG]           = { "93000", "Electrocardiogram (ECG), 12-lead with interpretation", 9500, "Dr. Hannah Lee, Cardiology" },
  [SVC_FLU_VACCINE]   = { "90686", "Influenza vaccine, quadrivalent", 4500, "Dr. Lucas Moreno, Family Medicine" },
  [SVC_VACCINE_ADMIN] = { "90471", "Vaccine administration, one vaccine", 2500, "Dr. Lucas Moreno, Family Medicine" },
  [SVC_SUTURE]        = { "12002", "Simple suture repair of wound, 2.6–7.5 cm", 36000, "Dr. Daniel Brooks, Emergency Medicine" },
  [SVC_VENIPUNCTURE]  = { "36415", "Venipuncture (blood draw)", 1500, "Dr. Michael Stein, Pathology" },
  [SVC_OFFICE_EST]    = { "99213", "Office visit, established patient, low complexity", 15500, "Dr. Priya Raman, Internal Medicine" },
  [SVC_OFFICE_NEW]    = { "99203", "Office visit, new patient, low complexity", 21000, "Dr. Lucas Moreno, Family Medicine" },
  [SVC_ANKLE_XRAY]    = { "73610", "Ankle X-ray, three views", 14500, "Dr. Amara Okafor, Radiology" },
  [SVC_SPLINT]        = { "29515", "Short leg splint application", 19500, "Dr. Daniel Brooks, Emergency Medicine" },
  [SVC_CHECKUP_CHILD] = { "99393", "Annual check-up, preventive visit, age 5–11", 21500, "Dr. Elena Petrova, Pediatrics" },
  [SVC_LIPID]         = { "80061", "Lipid panel", 5400, "Dr. Michael Stein, Pathology" },
  [SVC_ECHO]          = { "93306", "Echocardiogram, complete with Doppler", 89000, "Dr. Hannah Lee, Cardiology" },
  [SVC_CT_HEAD]       = { "70450", "CT head without contrast", 78000, "Dr. Amara Okafor, Radiology" },
};

typedef struct {
  const char *mrn;
  const char *given_name;
  const char *family_name;
  const char *date_of_birth;
  const char *email;
  const char *phone;
  const char *address;
  const char *language;
} DemoPatient;

static const DemoPatient demo_patients[] = {
  { "MRN-100231", "Maria", "Garcia", "1984-03-12", "maria.garcia@example.com", "+1 512 555 0142",
    "1408 Elm Street\nAustin, TX 78702", "es" },
  { "MRN-100457", "James", "Thompson", "1957-11-02", "jthompson@example.net", "+1 512 555 0178",
    "77 Lakeview Drive, Apt 4B\nRound Rock, TX 78664", "en" },
  { "MRN-100692", "Aisha", "Khan", "1991-07-23", "aisha.khan@example.org", "+1 737 555 0119",
    "2210 South Congress Avenue\nAustin, TX 78704", "en" },
  { "MRN-100815", "Robert", "Chen", "1972-01-30", "robert.chen@example.com", "+1 512 555 0193",
    "5 Oak Hollow Court\nCedar Park, TX 78613", "en" },
  { "MRN-101044", "Emily", "Johnson", "2015-05-09", "johnson.family@example.com", "+1 737 555 0127",
    "930 Maple Avenue\nPflugerville, TX 78660", "en" },
};

typedef enum {
  DEMO_PENDING,
  DEMO_OVERDUE,
  DEMO_PAID,
  DEMO_PARTIAL,
  DEMO_VOID,
} DemoState;

typedef struct {
  int         service;
  int         quantity;
} DemoItem;

typedef struct {
  guint       patient;
  int         issued_days_ago;
  int         tax_rate_bp;
  DemoState   state;
  const char *channel;     /* for paid and partially paid */
  const char *card_brand;
  const char *card_last4;
  const char *notes;
  DemoItem    items[5];    /* ends at quantity 0 */
} DemoInvoice;

/* Oldest first, so invoice numbers grow with the issue date. Due 30 days
 * after issue: issued more than 30 days ago and unpaid means overdue. */
static const DemoInvoice demo_invoices[] = {
  { 1, 96, 0,   DEMO_OVERDUE, NULL, NULL, NULL, NULL,
    { { SVC_ER_4, 1 }, { SVC_ECG, 1 }, { SVC_CHEST_XRAY, 1 }, { SVC_CBC, 1 }, { SVC_CMP, 1 } } },
  { 3, 88, 825, DEMO_PAID, "desk", "visa", "4242", NULL,
    { { SVC_CHECKUP_40, 1 }, { SVC_LIPID, 1 }, { SVC_VENIPUNCTURE, 1 } } },
  { 0, 74, 0,   DEMO_OVERDUE, NULL, NULL, NULL, NULL,
    { { SVC_PHYSIO, 4 }, { SVC_OFFICE_EST, 1 } } },
  { 2, 66, 0,   DEMO_OVERDUE, NULL, NULL, NULL, NULL,
    { { SVC_ULTRASOUND, 1 }, { SVC_OFFICE_NEW, 1 }, { SVC_CMP, 1 } } },
  { 4, 52, 825, DEMO_VOID, NULL, NULL, NULL, "Entered twice by mistake; replaced by the next invoice.",
    { { SVC_CHECKUP_CHILD, 1 }, { SVC_FLU_VACCINE, 1 }, { SVC_VACCINE_ADMIN, 1 } } },
  { 4, 51, 825, DEMO_PAID, "kiosk", "mastercard", "4444", NULL,
    { { SVC_CHECKUP_CHILD, 1 }, { SVC_FLU_VACCINE, 1 }, { SVC_VACCINE_ADMIN, 1 } } },
  { 3, 45, 0,   DEMO_OVERDUE, NULL, NULL, NULL, NULL,
    { { SVC_ECHO, 1 }, { SVC_ECG, 1 } } },
  { 0, 26, 0,   DEMO_PENDING, NULL, NULL, NULL, NULL,
    { { SVC_MRI_BRAIN, 1 }, { SVC_OFFICE_EST, 1 } } },
  { 1, 21, 825, DEMO_PARTIAL, "link", "visa", "1881", "Patient asked to pay in two instalments.",
    { { SVC_SUTURE, 1 }, { SVC_ER_4, 1 }, { SVC_VACCINE_ADMIN, 1 } } },
  { 2, 17, 0,   DEMO_PENDING, NULL, NULL, NULL, NULL,
    { { SVC_PHYSIO, 6 } } },
  { 3, 12, 0,   DEMO_PENDING, NULL, NULL, NULL, NULL,
    { { SVC_CT_HEAD, 1 }, { SVC_CBC, 1 }, { SVC_VENIPUNCTURE, 1 } } },
  { 0, 9,  825, DEMO_PAID, "desk", "mastercard", "5100", NULL,
    { { SVC_FLU_VACCINE, 1 }, { SVC_VACCINE_ADMIN, 1 }, { SVC_OFFICE_EST, 1 } } },
  { 1, 6,  0,   DEMO_PENDING, NULL, NULL, NULL, NULL,
    { { SVC_ANKLE_XRAY, 1 }, { SVC_SPLINT, 1 }, { SVC_OFFICE_NEW, 1 } } },
  { 2, 3,  0,   DEMO_PENDING, NULL, NULL, NULL, NULL,
    { { SVC_CHECKUP_18, 1 }, { SVC_CBC, 1 }, { SVC_CMP, 1 }, { SVC_VENIPUNCTURE, 1 } } },
  { 4, 1,  0,   DEMO_PENDING, NULL, NULL, NULL, NULL,
    { { SVC_OFFICE_EST, 1 }, { SVC_CHEST_XRAY, 1 } } },
};

G_STATIC_ASSERT (G_N_ELEMENTS (demo_invoices) == 15);
G_STATIC_ASSERT (G_N_ELEMENTS (demo_patients) == 5);

typedef struct {
  const char *username;
  const char *password;
  const char *display_name;
  CpRole      role;
} DemoStaff;

/* The README documents these accounts. */
static const DemoStaff demo_staff[] = {
  { "clerk", "clerk", "Casey Clerk", CP_ROLE_CLERK },
  { "supervisor", "supervisor", "Sam Supervisor", CP_ROLE_SUPERVISOR },
  { "admin", "admin", "Alex Admin", CP_ROLE_ADMIN },
};

static gboolean
parse_date (const char  *iso,
            GDate       *out,
            GError     **error)
{
  if (!cp_date_is_valid (iso))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not a date"), iso ? iso : "");
      return FALSE;
    }
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) atoi (iso + 8), (GDateMonth) atoi (iso + 5), (GDateYear) atoi (iso));
  return TRUE;
}

static char *
date_offset (const GDate *base,
             int          days)
{
  GDate date = *base;
  char buf[16];

  if (days >= 0)
    g_date_add_days (&date, (guint) days);
  else
    g_date_subtract_days (&date, (guint) -days);
  g_snprintf (buf, sizeof buf, "%04u-%02u-%02u",
              g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date));
  return g_strdup (buf);
}

/* Invoice numbers per issue year, in issue order. */
typedef struct {
  guint year;
  guint next;
} Numbering;

static char *
take_number (Numbering  *numbering,
             const char *issue_date)
{
  guint year = (guint) atoi (issue_date);

  if (year != numbering->year)
    {
      numbering->year = year;
      numbering->next = 1;
    }
  return g_strdup_printf ("INV-%04u-%06u", year, numbering->next++);
}

static gboolean
is_seeded (CpStore  *store,
           GError  **error)
{
  g_autofree char *seeded = cp_store_get_meta (store, "seeded");
  g_autoptr(GPtrArray) staff = NULL;

  if (seeded == NULL)
    {
      staff = cp_store_list_staff (store, NULL);
      for (guint i = 0; staff != NULL && i < staff->len; i++)
        {
          CpStaff *member = g_ptr_array_index (staff, i);

          if (g_str_equal (member->username, demo_staff[0].username))
            {
              seeded = g_strdup ("staff");
              break;
            }
        }
    }

  if (seeded != NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_EXISTS,
                           _("The database already holds demo data; seed an empty database"));
      return TRUE;
    }
  return FALSE;
}

/* Creates the demo accounts; *clerk_id is the one desk payments are taken by. */
static gboolean
seed_staff (CpStore  *store,
            gint64   *clerk_id,
            GError  **error)
{
  g_autoptr(GPtrArray) staff = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (demo_staff); i++)
    {
      const DemoStaff *s = &demo_staff[i];

      if (!cp_store_create_staff (store, s->username, s->display_name, s->role, s->password, error))
        return FALSE;
    }

  staff = cp_store_list_staff (store, error);
  if (staff == NULL)
    return FALSE;
  for (guint i = 0; i < staff->len; i++)
    {
      CpStaff *member = g_ptr_array_index (staff, i);

      if (g_str_equal (member->username, demo_staff[0].username))
        *clerk_id = member->id;
    }
  return TRUE;
}

static CpLineItem *
make_item (int          service,
           gint64       quantity,
           const char  *service_date)
{
  CpLineItem *item = cp_line_item_new ();
  const Service *svc = &services[service];

  item->description = g_strdup (svc->description);
  item->service_code = g_strdup (svc->code);
  item->quantity = quantity;
  item->unit_amount = svc->unit_amount;
  item->service_date = g_strdup (service_date);
  item->provider = g_strdup (svc->provider);
  return item;
}

static gboolean
record_demo_payment (CpStore     *store,
                     CpInvoice   *invoice,
                     const char  *id_prefix,
                     guint        index,
                     gint64       amount,
                     const char  *channel,
                     const char  *card_brand,
                     const char  *card_last4,
                     const GDate *paid_on,
                     gint64       staff_id,
                     GError     **error)
{
  g_autoptr(CpPayment) payment = cp_payment_new ();
  g_autofree char *day = date_offset (paid_on, 0);
  CpPaymentChannel ch = CP_PAYMENT_CHANNEL_DESK;

  cp_payment_channel_from_string (channel, &ch);
  payment->invoice_id = invoice->id;
  payment->stripe_payment_intent_id = g_strdup_printf ("pi_%s_%06u", id_prefix, index);
  payment->stripe_charge_id = g_strdup_printf ("ch_%s_%06u", id_prefix, index);
  payment->amount = amount;
  payment->currency = g_strdup (invoice->currency);
  payment->status = g_strdup ("succeeded");
  payment->card_brand = g_strdup (card_brand);
  payment->card_last4 = g_strdup (card_last4);
  payment->channel = ch;
  payment->staff_id = ch == CP_PAYMENT_CHANNEL_DESK ? staff_id : 0;
  payment->created_at = g_strdup_printf ("%sT%02u:%02u:00Z", day, 14 + index % 6, (index * 7) % 60);
  return cp_store_record_payment (store, payment, error);
}

/* The plan of payments to make on Stripe: one line per payment,
 * "NUMBER<TAB>AMOUNT<TAB>CHANNEL<TAB>PAYMENT-METHOD", in store meta. */
#define PLAN_KEY "demo-payments"

static const char *
test_method_for_brand (const char *brand)
{
  return g_strcmp0 (brand, "mastercard") == 0 ? "pm_card_mastercard" : "pm_card_visa";
}

static gboolean
seed_classic (CpStore     *store,
              const GDate *today,
              CpSeedFlags  flags,
              GError     **error)
{
  g_autoptr(GPtrArray) patients = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_patient_free);
  g_autoptr(GString) plan = g_string_new (NULL);
  Numbering numbering = { 0, 0 };
  gint64 clerk_id = 0;

  if (!seed_staff (store, &clerk_id, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_patients); i++)
    {
      const DemoPatient *d = &demo_patients[i];
      CpPatient *patient = g_new0 (CpPatient, 1);

      patient->mrn = g_strdup (d->mrn);
      patient->given_name = g_strdup (d->given_name);
      patient->family_name = g_strdup (d->family_name);
      patient->date_of_birth = g_strdup (d->date_of_birth);
      patient->email = g_strdup (d->email);
      patient->phone = g_strdup (d->phone);
      patient->address = g_strdup (d->address);
      patient->preferred_language = g_strdup (d->language);
      g_ptr_array_add (patients, patient);
      if (!cp_store_save_patient (store, patient, error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (demo_invoices); i++)
    {
      const DemoInvoice *d = &demo_invoices[i];
      g_autoptr(CpInvoice) invoice = cp_invoice_new ();
      GDate issued = *today;

      g_date_subtract_days (&issued, (guint) d->issued_days_ago);
      invoice->patient = cp_patient_copy (g_ptr_array_index (patients, d->patient));
      invoice->issue_date = date_offset (&issued, 0);
      invoice->due_date = date_offset (&issued, 30);
      invoice->number = take_number (&numbering, invoice->issue_date);
      invoice->tax_rate_bp = d->tax_rate_bp;
      invoice->notes = g_strdup (d->notes);
      invoice->voided = d->state == DEMO_VOID;

      for (guint j = 0; j < G_N_ELEMENTS (d->items) && d->items[j].quantity > 0; j++)
        {
          /* Services happen a few days before the invoice goes out */
          g_autofree char *service_date = date_offset (&issued, -1 - (int) ((i + j) % 3));

          g_ptr_array_add (invoice->line_items,
                           make_item (d->items[j].service, d->items[j].quantity, service_date));
        }

      if (!cp_store_create_invoice (store, invoice, error))
        return FALSE;

      if (d->state == DEMO_PAID || d->state == DEMO_PARTIAL)
        {
          GDate paid_on = issued;
          gint64 amount = invoice->total;

          g_date_add_days (&paid_on, MIN (2, (guint) d->issued_days_ago));
          if (d->state == DEMO_PARTIAL)
            amount = (invoice->total * 2 / 5) / 100 * 100;  /* about 40 %, in whole dollars */
          if (flags & CP_SEED_STRIPE_PAYMENTS)
            {
              g_string_append_printf (plan, "%s\t%" G_GINT64_FORMAT "\t%s\t%s\n", invoice->number,
                                      amount, d->channel, test_method_for_brand (d->card_brand));
              continue;
            }
          if (!record_demo_payment (store, invoice, "demo", i + 1, amount, d->channel,
                                    d->card_brand, d->card_last4, &paid_on, clerk_id, error))
            return FALSE;
        }
    }

  if (plan->len > 0 && !cp_store_set_meta (store, PLAN_KEY, plan->str, error))
    return FALSE;
  return cp_store_set_meta (store, "seeded", "demo", error);
}

/* Scale data: names and services drawn from `seed`, so runs are repeatable. */

static const char * const given_names[] = {
  "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Mateo", "Isabella", "Lucas",
  "Mia", "Levi", "Amelia", "Ezra", "Harper", "Asher", "Evelyn", "James", "Camila", "Leo",
  "Sofia", "Santiago", "Aaliyah", "Wei", "Fatima", "Kenji", "Priya", "Diego", "Grace", "Omar",
};
static const char * const family_names[] = {
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
  "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
  "Moore", "Jackson", "Martin", "Lee", "Nguyen", "Patel", "Kim", "Chen", "Okafor", "Singh",
  "O'Brien", "Walker", "Young",
};
static const char * const brands[] = { "visa", "mastercard", "amex", "discover" };
static const char * const channels[] = { "desk", "kiosk", "link" };

static int
compare_int_desc (gconstpointer a,
                  gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x < y) - (x > y);
}

static gboolean
seed_scale (CpStore     *store,
            guint        n_invoices,
            guint32      seed,
            const GDate *today,
            GError     **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) patients = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_patient_free);
  g_autofree int *ages = g_new (int, n_invoices);
  g_autofree char *seed_text = NULL;
  guint n_patients = MAX (1, (guint) ((guint64) n_invoices * 10 / 33));
  Numbering numbering = { 0, 0 };
  gint64 clerk_id = 0;

  if (!seed_staff (store, &clerk_id, error))
    return FALSE;

  for (guint i = 0; i < n_patients; i++)
    {
      CpPatient *patient = g_new0 (CpPatient, 1);
      const char *given = given_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (given_names))];
      const char *family = family_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (family_names))];
      g_autofree char *lower = g_ascii_strdown (family, -1);

      patient->mrn = g_strdup_printf ("MRN-%07u", 200000 + i);
      patient->given_name = g_strdup (given);
      patient->family_name = g_strdup (family);
      patient->date_of_birth = g_strdup_printf ("%04d-%02d-%02d", g_rand_int_range (rand, 1935, 2022),
                                                g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29));
      patient->email = g_strdup_printf ("%c.%s%u@example.com", g_ascii_tolower (given[0]), lower, i);
      patient->phone = g_strdup_printf ("+1 512 555 %04d", g_rand_int_range (rand, 100, 10000));
      patient->address = g_strdup_printf ("%d Main Street\nAustin, TX 787%02d",
                                          g_rand_int_range (rand, 1, 9999), g_rand_int_range (rand, 1, 60));
      patient->preferred_language = g_strdup (g_rand_int_range (rand, 0, 5) == 0 ? "es" : "en");
      g_ptr_array_add (patients, patient);
      if (!cp_store_save_patient (store, patient, error))
        return FALSE;
    }

  /* Issue dates over the last two years, numbered in issue order */
  for (guint i = 0; i < n_invoices; i++)
    ages[i] = g_rand_int_range (rand, 0, 730);
  qsort (ages, n_invoices, sizeof *ages, compare_int_desc);

  for (guint i = 0; i < n_invoices; i++)
    {
      g_autoptr(CpInvoice) invoice = cp_invoice_new ();
      GDate issued = *today;
      guint n_items = (guint) g_rand_int_range (rand, 1, 10);
      int fate = g_rand_int_range (rand, 0, 100);

      g_date_subtract_days (&issued, (guint) ages[i]);
      invoice->patient = cp_patient_copy (g_ptr_array_index (patients, g_rand_int_range (rand, 0, (gint32) n_patients)));
      invoice->issue_date = date_offset (&issued, 0);
      invoice->due_date = date_offset (&issued, 30);
      invoice->number = take_number (&numbering, invoice->issue_date);
      invoice->tax_rate_bp = g_rand_int_range (rand, 0, 5) == 0 ? 825 : 0;
      invoice->voided = fate < 2;

      for (guint j = 0; j < n_items; j++)
        {
          int service = g_rand_int_range (rand, 0, N_SERVICES);
          g_autofree char *service_date = date_offset (&issued, -g_rand_int_range (rand, 0, 8));
          gint64 quantity = service == SVC_PHYSIO ? g_rand_int_range (rand, 1, 7) : 1;

          g_ptr_array_add (invoice->line_items, make_item (service, quantity, service_date));
        }

      if (!cp_store_create_invoice (store, invoice, error))
        return FALSE;

      /* About a third paid, a few partly paid, the rest open */
      if (fate >= 2 && fate < 42)
        {
          GDate paid_on = issued;
          gint64 amount = fate < 36 ? invoice->total : invoice->total / 2;
          int delay = g_rand_int_range (rand, 0, 20);

          g_date_add_days (&paid_on, (guint) MIN (delay, ages[i]));
          if (amount > 0 &&
              !record_demo_payment (store, invoice, "scale", i + 1, amount,
                                    channels[g_rand_int_range (rand, 0, G_N_ELEMENTS (channels))],
                                    brands[g_rand_int_range (rand, 0, G_N_ELEMENTS (brands))],
                                    fate % 2 ? "4242" : "0005", &paid_on, clerk_id, error))
            return FALSE;
        }
    }

  seed_text = g_strdup_printf ("scale:%u:%u", n_invoices, seed);
  return cp_store_set_meta (store, "seeded", seed_text, error);
}

gboolean
cp_seed_demo (CpStore     *store,
              guint        n_invoices,
              guint32      seed,
              const char  *today,
              GError     **error)
{
  return cp_seed_demo_full (store, n_invoices, seed, today, CP_SEED_FLAGS_NONE, error);
}

gboolean
cp_seed_demo_full (CpStore     *store,
                   guint        n_invoices,
                   guint32      seed,
                   const char  *today,
                   CpSeedFlags  flags,
                   GError     **error)
{
  g_autofree char *today_owned = NULL;
  GDate today_date;
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (store), FALSE);

  if (today == NULL)
    today = today_owned = cp_today ();
  if (!parse_date (today, &today_date, error))
    return FALSE;

  if (!cp_store_begin (store, error))
    return FALSE;

  if (is_seeded (store, error))
    {
      cp_store_rollback (store);
      return FALSE;
    }

  if (n_invoices == 0)
    ok = seed_classic (store, &today_date, flags, error) &&
         cp_store_set_meta (store, "currency", "USD", error);
  else
    ok = seed_scale (store, n_invoices, seed, &today_date, error) &&
         cp_store_set_meta (store, "currency", "USD", error);

  if (!ok)
    {
      cp_store_rollback (store);
      return FALSE;
    }
  return cp_store_commit (store, error);
}

/* Demo payments made for real */

void
cp_seed_payment_free (CpSeedPayment *payment)
{
  if (payment == NULL)
    return;
  g_free (payment->invoice_number);
  g_free (payment->payment_method);
  g_free (payment);
}

GPtrArray *
cp_seed_demo_planned_payments (CpStore  *store,
                               GError  **error)
{
  g_autoptr(GPtrArray) payments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_seed_payment_free);
  g_autofree char *plan = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  plan = cp_store_get_meta (store, PLAN_KEY);
  if (plan == NULL || *plan == '\0')
    return g_steal_pointer (&payments);

  lines = g_strsplit (plan, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(CpSeedPayment) payment = NULL;
      char *end = NULL;

      if (*lines[i] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      payment = g_new0 (CpSeedPayment, 1);
      if (g_strv_length (fields) != 4 ||
          !cp_payment_channel_from_string (fields[2], &payment->channel))
        goto bad;
      payment->amount = g_ascii_strtoll (fields[1], &end, 10);
      if (end == fields[1] || *end != '\0' || payment->amount <= 0)
        goto bad;
      payment->invoice_number = g_strdup (fields[0]);
      payment->payment_method = g_strdup (fields[3]);
      g_ptr_array_add (payments, g_steal_pointer (&payment));
      continue;

    bad:
      g_set_error (error, CP_ERROR, CP_ERROR_DATABASE,
                   _("The planned demo payment “%s” cannot be read"), lines[i]);
      return NULL;
    }
  return g_steal_pointer (&payments);
}

/* The demo clerk takes the desk payments; any active member of staff if the
 * clerk is gone. */
static const CpStaff *
find_desk_staff (GPtrArray  *staff,
                 GError    **error)
{
  const CpStaff *found = NULL;

  for (guint i = 0; i < staff->len; i++)
    {
      CpStaff *member = g_ptr_array_index (staff, i);

      if (!member->active)
        continue;
      if (g_str_equal (member->username, demo_staff[0].username))
        {
          found = member;
          break;
        }
      if (found == NULL)
        found = member;
    }
  if (found == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_NOT_FOUND,
                           _("No active member of staff can take the demo desk payments"));
      return NULL;
    }
  return found;
}

static gboolean
has_counting_payment (const CpInvoice *invoice)
{
  for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
    {
      const CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_counts (payment->status))
        return TRUE;
    }
  return FALSE;
}

gboolean
cp_seed_demo_make_payments (CpLedger      *ledger,
                            GCancellable  *cancellable,
                            guint         *out_n_made,
                            GError       **error)
{
  CpStore *store;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  const CpStaff *clerk;
  guint n_made = 0;

  g_return_val_if_fail (CP_IS_LEDGER (ledger), FALSE);

  if (out_n_made != NULL)
    *out_n_made = 0;
  store = cp_ledger_get_store (ledger);
  plan = cp_seed_demo_planned_payments (store, error);
  if (plan == NULL)
    return FALSE;
  if (plan->len == 0)
    return TRUE;

  staff = cp_store_list_staff (store, error);
  if (staff == NULL || (clerk = find_desk_staff (staff, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < plan->len; i++)
    {
      const CpSeedPayment *planned = g_ptr_array_index (plan, i);
      g_autoptr(CpInvoice) invoice = NULL;
      g_autoptr(CpPayment) payment = NULL;

      invoice = cp_store_get_invoice_by_number (store, planned->invoice_number, error);
      if (invoice == NULL)
        return FALSE;
      /* Paid already: by an earlier run that stopped half-way, or by hand */
      if (invoice->voided || has_counting_payment (invoice))
        continue;

      payment = cp_ledger_pay_with_test_method (ledger, invoice->id, planned->amount,
                                                planned->payment_method, planned->channel,
                                                planned->channel == CP_PAYMENT_CHANNEL_DESK ? clerk : NULL,
                                                cancellable, error);
      if (payment == NULL)
        {
          g_prefix_error (error, _("Demo payment on %s: "), invoice->number);
          return FALSE;
        }
      n_made++;
      if (out_n_made != NULL)
        *out_n_made = n_made;
    }

  return cp_store_set_meta (store, PLAN_KEY, "", error);
}
