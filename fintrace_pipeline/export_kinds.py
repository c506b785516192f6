"""What the stored results of a file can be downloaded as, and in which file formats.

The API's ``what`` and ``format`` parameters, their OpenAPI enums and ``fintrace export`` all read
these names; they carry no dependencies so the command line can build its options without pandas.
"""

SCORES = "scores"  # per-transaction risk scores, highest first
FLAGS = "flags"  # every finding with the transaction it is about
DUPLICATES = "duplicates"  # the findings that group duplicate transactions
TRIAL_BALANCE = "trial_balance"  # the per-account trial balance of default analytics
ENTRIES = "entries"  # per-journal-entry risk scores, highest first (files with je_number)
EXPORT_KINDS = (SCORES, FLAGS, DUPLICATES, TRIAL_BALANCE, ENTRIES)

CSV = "csv"
XLSX = "xlsx"
EXPORT_FORMATS = (CSV, XLSX)

# A file's whole report: the audit workpaper or the printable PDF.
PDF = "pdf"
REPORT_FORMATS = (XLSX, PDF)
