"""Static reference data of the generated company: chart of accounts, name parts, calendar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

YEAR = 2025
CURRENCY = "USD"
# Approval limits a clerk might stay just below.
APPROVAL_LIMITS = (5_000, 10_000, 25_000)
# US federal holidays of YEAR plus New Year of the next: no base entry is posted or keyed on them.
HOLIDAYS = np.array(
    [
        "2025-01-01",
        "2025-01-20",
        "2025-02-17",
        "2025-05-26",
        "2025-06-19",
        "2025-07-04",
        "2025-09-01",
        "2025-10-13",
        "2025-11-11",
        "2025-11-27",
        "2025-12-25",
        "2026-01-01",
    ],
    dtype="datetime64[D]",
)

# Journal entry templates: which accounts the "many" lines and the single balancing line use.
# EXPENSE is a vendor invoice (expense debits, an AP or cash credit), PAYMENT a vendor payment (AP debit,
# cash credit); the others are manual journals without a vendor.
EXPENSE, REVENUE, PAYMENT, GENERAL, ACCRUAL, PAYROLL, RECLASS = range(7)
TEMPLATES = (EXPENSE, REVENUE, PAYMENT, GENERAL, ACCRUAL, PAYROLL, RECLASS)


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    median: float  # typical line amount in dollars
    popularity: float = 1.0  # relative share of lines among accounts of the same pool
    vendor_words: tuple[str, ...] = ()  # industry words for vendor names (expense accounts only)
    phrases: tuple[str, ...] = ()  # description phrases


def _bs(code: str, name: str, median: float, *phrases: str) -> Account:
    return Account(code, name, median, phrases=phrases)


def _exp(code: str, name: str, median: float, popularity: float, words: tuple[str, ...], *phrases: str) -> Account:
    return Account(code, name, median, popularity, words, phrases)


ACCOUNTS: tuple[Account, ...] = (
    _bs("1000", "Cash - Operating", 8_000, "Payment run", "Bank transfer", "Customer receipt"),
    _bs("1010", "Cash - Payroll", 45_000, "Payroll funding", "Payroll account transfer"),
    _bs("1100", "Accounts Receivable", 12_000, "Customer invoice", "Sales invoice"),
    _bs("1200", "Inventory", 20_000, "Inventory adjustment", "Stock count adjustment"),
    _bs("1300", "Prepaid Expenses", 5_000, "Prepayment", "Prepaid amortisation"),
    _bs("1500", "Equipment", 25_000, "Equipment capitalisation", "Asset addition"),
    _bs("1510", "Accumulated Depreciation", 6_000, "Monthly depreciation", "Depreciation run"),
    _bs("2000", "Accounts Payable", 6_000, "Supplier payment", "Payment run"),
    _bs("2100", "Accrued Liabilities", 12_000, "Month-end accrual", "Accrued expenses"),
    _bs("2200", "Sales Tax Payable", 7_000, "Sales tax remittance", "Sales tax settlement"),
    _bs("2300", "Payroll Liabilities", 40_000, "Payroll taxes", "Benefits remittance"),
    _bs("2500", "Loans Payable", 50_000, "Loan repayment", "Interest and principal"),
    _bs("3000", "Share Capital", 60_000, "Capital contribution"),
    _bs("3100", "Retained Earnings", 30_000, "Prior period adjustment", "Dividend allocation"),
    _bs("4000", "Product Sales", 18_000, "Product sales", "Wholesale order"),
    _bs("4100", "Service Revenue", 9_000, "Service revenue", "Professional services billing"),
    _bs("4200", "Subscription Revenue", 2_500, "Subscription billing", "Annual plan renewal"),
    _bs("4900", "Other Income", 800, "Sundry income", "Rebate received"),
    _exp(
        "5000",
        "Cost of Goods Sold",
        4_500,
        2.0,
        ("Manufacturing", "Components", "Materials"),
        "Purchased components",
        "Materials purchase",
        "Production supplies",
    ),
    _bs("5900", "Salaries and Wages", 30_000, "Salaries", "Payroll"),
    _bs("5910", "Payroll Taxes", 6_000, "Employer payroll taxes", "Social security contributions"),
    _exp("5100", "Freight In", 600, 1.0, ("Freight", "Logistics"), "Inbound freight", "Shipping charges"),
    _exp("6000", "Rent", 12_000, 0.3, ("Properties", "Realty"), "Office rent", "Warehouse rent"),
    _exp(
        "6100", "Utilities", 1_800, 0.6, ("Energy", "Power", "Water"), "Electricity", "Water and sewer", "Gas utility"
    ),
    _exp(
        "6200",
        "Office Supplies",
        250,
        2.0,
        ("Office Supply", "Stationers"),
        "Office supplies",
        "Printer paper and toner",
        "Stationery",
    ),
    _exp(
        "6300",
        "Travel",
        900,
        2.5,
        ("Travel", "Airways", "Hotels"),
        "Airfare",
        "Hotel stay",
        "Car rental",
        "Rail tickets",
    ),
    _exp(
        "6310",
        "Meals and Entertainment",
        150,
        1.5,
        ("Catering", "Restaurants"),
        "Client lunch",
        "Team dinner",
        "Catering",
    ),
    _exp(
        "6400",
        "Consulting Fees",
        8_500,
        1.2,
        ("Consulting", "Advisors", "Partners"),
        "Consulting services",
        "Advisory retainer",
        "Project fees",
    ),
    _exp("6410", "Legal Fees", 6_000, 0.5, ("Legal", "Law Group"), "Legal services", "Contract review"),
    _exp("6420", "Audit and Accounting Fees", 7_000, 0.3, ("Accounting", "Audit"), "Audit fees", "Tax advisory"),
    _exp(
        "6500",
        "Software Subscriptions",
        1_500,
        2.0,
        ("Software", "Cloud", "Systems"),
        "Software subscription",
        "SaaS licence renewal",
        "Cloud hosting",
    ),
    _exp("6510", "IT Hardware", 2_200, 0.8, ("Computers", "Tech"), "Laptops", "Network equipment", "Monitors"),
    _exp(
        "6600",
        "Marketing and Advertising",
        3_500,
        1.0,
        ("Media", "Marketing"),
        "Online advertising",
        "Trade show",
        "Print campaign",
    ),
    _exp("6700", "Insurance", 4_000, 0.3, ("Insurance", "Assurance"), "Insurance premium", "Liability cover"),
    _exp(
        "6800",
        "Repairs and Maintenance",
        900,
        1.0,
        ("Maintenance", "Repairs"),
        "Equipment repair",
        "Building maintenance",
    ),
    _exp("6900", "Telephone and Internet", 700, 0.7, ("Telecom", "Networks"), "Mobile phones", "Internet service"),
    _exp("7000", "Training", 1_200, 0.5, ("Learning", "Academy"), "Staff training", "Course fees"),
    _exp("7100", "Courier and Postage", 120, 1.0, ("Courier", "Express"), "Courier", "Postage"),
    _exp("7200", "Bank Fees", 80, 0.6, ("Payments", "Merchant Services"), "Bank charges", "Card processing fees"),
    _exp("7300", "Recruiting", 5_000, 0.4, ("Recruitment", "Staffing"), "Recruiting fee", "Temporary staff"),
    _exp(
        "8000",
        "Facilities Services",
        2_500,
        0.5,
        ("Facilities", "Building Services"),
        "Facilities management",
        "Building services",
    ),
    _exp("8100", "Security Services", 3_000, 0.3, ("Security", "Guard Services"), "Security services"),
    _exp("8200", "Cleaning Services", 1_100, 0.5, ("Cleaning", "Janitorial"), "Office cleaning"),
    _exp("8900", "Miscellaneous Expense", 300, 0.6, ("Trading", "Services"), "Sundry expenses", "Miscellaneous"),
)
ACCOUNT_INDEX = {a.code: i for i, a in enumerate(ACCOUNTS)}
EXPENSE_ACCOUNTS = np.array([i for i, a in enumerate(ACCOUNTS) if a.vendor_words], dtype=np.int64)


def _ids(*codes: str) -> np.ndarray:
    return np.array([ACCOUNT_INDEX[c] for c in codes], dtype=np.int64)


ACCOUNTS_PAYABLE = ACCOUNT_INDEX["2000"]
CASH = ACCOUNT_INDEX["1000"]
ACCRUED_LIABILITIES = ACCOUNT_INDEX["2100"]
# Accounts a user may pick for the "many" lines of each template (per-user subsets of these).
MANY_POOLS: dict[int, np.ndarray] = {
    EXPENSE: EXPENSE_ACCOUNTS,
    REVENUE: _ids("4000", "4100", "4200", "4900"),
    PAYMENT: _ids("2000"),
    GENERAL: _ids("1200", "1300", "1500", "2200", "2500", "3100"),
    ACCRUAL: _ids("6000", "6100", "6400", "6410", "6420", "6900", "8000"),
    PAYROLL: _ids("5900", "5910"),
    RECLASS: EXPENSE_ACCOUNTS,
}
# The single balancing line of each template, with its probabilities. A reclassification (not listed)
# credits another of the user's own expense accounts.
SINGLE_POOLS: dict[int, tuple[np.ndarray, np.ndarray]] = {
    EXPENSE: (_ids("2000", "1000"), np.array([0.85, 0.15])),
    REVENUE: (_ids("1100", "1000"), np.array([0.85, 0.15])),
    PAYMENT: (_ids("1000"), np.array([1.0])),
    GENERAL: (_ids("1510", "1000", "3000"), np.array([0.3, 0.5, 0.2])),
    ACCRUAL: (_ids("2100"), np.array([1.0])),
    PAYROLL: (_ids("1010", "2300"), np.array([0.7, 0.3])),
}
# Per role, the probability of each template (in TEMPLATES order) for an entry the user keys in.
ROLE_TEMPLATE_PROBS: dict[str, tuple[float, ...]] = {
    "ap": (0.55, 0.0, 0.40, 0.0, 0.05, 0.0, 0.0),
    "ar": (0.0, 0.85, 0.0, 0.15, 0.0, 0.0, 0.0),
    "treasury": (0.03, 0.07, 0.55, 0.15, 0.0, 0.2, 0.0),
    "gl": (0.15, 0.05, 0.05, 0.3, 0.2, 0.05, 0.2),
}
# Lines per journal entry: 2..6 (payments, accruals and reversals always have 2).
JE_SIZES = np.array([2, 3, 4, 5, 6])
JE_SIZE_PROBS = np.array([0.68, 0.15, 0.08, 0.06, 0.03])
# Share of AP invoices reversed (keyed wrongly) and entered again, and of payments that quote a
# payment reference instead of the invoice number.
INVOICE_REVERSAL_RATE = 0.01
PAYMENT_REFERENCE_RATE = 0.25
# Business days from keying an invoice in to paying it.
PAYMENT_TERMS_DAYS = (8, 40)

COST_CENTERS = ("CC-100", "CC-110", "CC-200", "CC-210", "CC-300", "CC-310", "CC-400", "CC-500", "CC-600", "CC-700")

FIRST_INITIALS = "abcdefghjklmnprstw"
LAST_NAMES = (
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
)

VENDOR_PREFIXES = (
    "Acme",
    "Northwind",
    "Contoso",
    "Blue Harbor",
    "Summit",
    "Pinnacle",
    "Evergreen",
    "Redwood",
    "Silverline",
    "Keystone",
    "Horizon",
    "Atlas",
    "Beacon",
    "Cedar",
    "Crescent",
    "Delta Ridge",
    "Eagle",
    "Falcon",
    "Granite",
    "Harbor Point",
    "Ironwood",
    "Juniper",
    "Lakeside",
    "Maple",
    "Meridian",
    "Nova",
    "Oakridge",
    "Orion",
    "Pacific",
    "Prairie",
    "Quantum",
    "Riverbend",
    "Sterling",
    "Sunrise",
    "Titan",
    "Union",
    "Vanguard",
    "Westfield",
    "Willow",
    "Zenith",
    "Apex",
    "Brightwater",
    "Coastal",
    "Frontier",
    "Highland",
    "Liberty",
    "Metro",
    "Northstar",
    "Pioneer",
    "Sapphire",
    "Trident",
    "Bluebird",
    "Copperfield",
    "Foxglove",
    "Goldcrest",
    "Hawthorne",
    "Kingsley",
    "Larkspur",
    "Millbrook",
    "Stonebridge",
)
VENDOR_QUALIFIERS = ("", "Global", "National", "United", "Premier", "First", "Advanced", "Allied")
# Legal suffix of a vendor name and the spelled-out variant another clerk might key instead.
LEGAL_SUFFIXES = ("Inc", "LLC", "Ltd", "Corp", "Co", "PLC", "GmbH", "")
LEGAL_SUFFIX_VARIANTS = {
    "Inc": "Incorporated",
    "LLC": "L.L.C.",
    "Ltd": "Limited",
    "Corp": "Corporation",
    "Co": "Company",
    "PLC": "P.L.C.",
    "GmbH": "G.m.b.H.",
    "": "Inc.",
}

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
