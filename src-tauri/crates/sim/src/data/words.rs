//! Word lists for the data generator: company and person names, places,
//! products and the standard chart of accounts. Picked by index, never at
//! random, so every generated record is a pure function of its inputs.

pub(crate) const COMPANY_PREFIX: &[&str] = &[
    "Harbour",
    "Northwind",
    "Blue Ridge",
    "Maple",
    "Silver Birch",
    "Redwood",
    "Kestrel",
    "Oakfield",
    "Brightwater",
    "Cedar",
    "Granite",
    "Lighthouse",
    "Meadow",
    "Ironbridge",
    "Falcon",
    "Willow",
    "Summit",
    "Riverside",
    "Copper",
    "Lakeshore",
    "Pinecrest",
    "Stonegate",
    "Amber",
    "Highland",
    "Crescent",
    "Westbrook",
    "Evergreen",
    "Foxglove",
    "Bluebell",
    "Seaview",
    "Thornbury",
    "Ashford",
    "Juniper",
    "Hawthorn",
    "Orchard",
    "Beacon",
    "Marlow",
    "Sterling",
    "Clearwater",
    "Larkspur",
];

pub(crate) const COMPANY_CORE: &[&str] = &[
    "Trading",
    "Logistics",
    "Design",
    "Foods",
    "Engineering",
    "Consulting",
    "Media",
    "Outfitters",
    "Analytics",
    "Builders",
    "Interiors",
    "Health",
    "Robotics",
    "Textiles",
    "Print",
    "Energy",
    "Coffee",
    "Software",
    "Marine",
    "Furniture",
    "Labs",
    "Studios",
    "Motors",
    "Garden Supplies",
    "Bakery",
    "Hospitality",
    "Security",
    "Travel",
    "Cleaning",
    "Dental",
];

pub(crate) const COMPANY_SUFFIX: &[&str] = &[
    "Ltd", "LLC", "Inc", "Co", "Group", "Partners", "& Sons", "Holdings",
];

pub(crate) const VENDOR_PREFIX: &[&str] = &[
    "Apex", "Prime", "Allied", "United", "Metro", "Pioneer", "Central", "National", "Premier",
    "Reliable", "Global", "Swift", "Coastal", "Capital", "Atlas", "Vertex", "Keystone", "Liberty",
    "Pacific", "Summit",
];

pub(crate) const VENDOR_CORE: &[&str] = &[
    "Office Supplies",
    "Freight",
    "Packaging",
    "Paper Co",
    "IT Services",
    "Electrical",
    "Wholesale",
    "Couriers",
    "Cleaning Services",
    "Hardware",
    "Telecom",
    "Insurance Brokers",
    "Catering",
    "Print Works",
    "Fleet Services",
    "Software Licensing",
    "Uniforms",
    "Waste Management",
    "Facilities",
    "Security Systems",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Olivia", "James", "Amelia", "Noah", "Isla", "Oliver", "Ava", "Arjun", "Mia", "Lucas", "Sofia",
    "Ethan", "Priya", "Liam", "Chloe", "Mateo", "Hannah", "Kenji", "Grace", "Omar", "Emily",
    "Daniel", "Zara", "Samuel", "Leah", "Yusuf", "Ruby", "Thomas", "Aisha", "Henry", "Freya",
    "Leo",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith", "Patel", "Jones", "Williams", "Brown", "Taylor", "Nguyen", "Garcia", "Wilson", "Khan",
    "Martin", "Anderson", "Clarke", "Walker", "Wright", "Thompson", "Robinson", "Lewis", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Sato", "Müller", "Rossi", "Dubois", "Kowalski",
    "O'Brien", "Fischer", "Lopez",
];

pub(crate) const STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Main Street",
    "Church Lane",
    "Park Avenue",
    "Mill Road",
    "Victoria Street",
    "Kings Road",
    "Queensway",
    "Harbour Walk",
    "Market Square",
    "Elm Grove",
    "Riverside Drive",
    "Oak Avenue",
    "Bridge Street",
    "Commerce Way",
];

/// (city, state or county, postcode pattern: `#` digit, `@` letter)
pub(crate) fn places(country_code: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match country_code {
        "GB" => &[
            ("London", "Greater London", "EC1A #@@"),
            ("Manchester", "Greater Manchester", "M# #@@"),
            ("Bristol", "Bristol", "BS# #@@"),
            ("Leeds", "West Yorkshire", "LS# #@@"),
            ("Edinburgh", "Scotland", "EH# #@@"),
            ("Cardiff", "Wales", "CF## #@@"),
        ],
        "DE" => &[
            ("Berlin", "Berlin", "10###"),
            ("Hamburg", "Hamburg", "20###"),
            ("Munich", "Bavaria", "80###"),
            ("Cologne", "North Rhine-Westphalia", "50###"),
        ],
        "IN" => &[
            ("Bengaluru", "Karnataka", "560###"),
            ("Mumbai", "Maharashtra", "400###"),
            ("Chennai", "Tamil Nadu", "600###"),
            ("Pune", "Maharashtra", "411###"),
        ],
        "AU" => &[
            ("Sydney", "NSW", "2###"),
            ("Melbourne", "VIC", "3###"),
            ("Brisbane", "QLD", "4###"),
        ],
        "JP" => &[
            ("Tokyo", "Tokyo", "1##-####"),
            ("Osaka", "Osaka", "5##-####"),
        ],
        "CA" => &[
            ("Toronto", "ON", "M#@ #@#"),
            ("Vancouver", "BC", "V#@ #@#"),
            ("Montreal", "QC", "H#@ #@#"),
        ],
        "SA" => &[("Riyadh", "Riyadh", "1####"), ("Jeddah", "Makkah", "2####")],
        "AE" => &[
            ("Dubai", "Dubai", "#####"),
            ("Abu Dhabi", "Abu Dhabi", "#####"),
        ],
        "CN" => &[
            ("Shanghai", "Shanghai", "200###"),
            ("Shenzhen", "Guangdong", "518###"),
        ],
        _ => &[
            ("New York", "NY", "100##"),
            ("Austin", "TX", "787##"),
            ("Seattle", "WA", "981##"),
            ("Chicago", "IL", "606##"),
            ("Denver", "CO", "802##"),
            ("Boston", "MA", "021##"),
            ("San Diego", "CA", "921##"),
            ("Atlanta", "GA", "303##"),
        ],
    }
}

/// (adjective) x (product, unit, base price in cents, is a service)
pub(crate) const ITEM_ADJECTIVES: &[&str] = &[
    "Standard",
    "Premium",
    "Compact",
    "Deluxe",
    "Eco",
    "Pro",
    "Classic",
    "Heavy-duty",
    "Annual",
    "Monthly",
];

pub(crate) const ITEM_PRODUCTS: &[(&str, &str, i64, bool)] = &[
    ("Software License", "license", 29_900, true),
    ("Consulting Hour", "hour", 12_500, true),
    ("Support Plan", "month", 4_900, true),
    ("Office Chair", "pcs", 18_900, false),
    ("Standing Desk", "pcs", 45_000, false),
    ("Printer Paper", "box", 2_450, false),
    ("Installation Service", "job", 35_000, true),
    ("Training Session", "day", 95_000, true),
    ("Coffee Beans", "kg", 1_890, false),
    ("LED Panel", "pcs", 6_400, false),
    ("Delivery", "trip", 4_500, true),
    ("Safety Gloves", "pair", 799, false),
    ("Design Retainer", "month", 150_000, true),
    ("Network Switch", "pcs", 23_900, false),
    ("Cleaning Visit", "visit", 8_000, true),
    ("Shipping Carton", "pack", 1_250, false),
];

/// (account name, account_type, account code). The first accounts are the
/// ones other records point at; keep their order (see `acct::*`).
pub(crate) const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Sales", "income", "4000"),
    ("Accounts Receivable", "accounts_receivable", "1200"),
    ("Accounts Payable", "accounts_payable", "2000"),
    ("Cost of Goods Sold", "cost_of_goods_sold", "5000"),
    ("Undeposited Funds", "cash", "1010"),
    ("Petty Cash", "cash", "1020"),
    ("Business Checking", "bank", "1030"),
    ("Office Supplies", "expense", "6100"),
    ("Travel Expense", "expense", "6200"),
    ("Rent Expense", "expense", "6300"),
    ("Utilities", "expense", "6400"),
    ("IT and Internet Expenses", "expense", "6500"),
    ("Advertising And Marketing", "expense", "6600"),
    ("Meals and Entertainment", "expense", "6700"),
    ("Tax Payable", "other_current_liability", "2200"),
    ("Inventory Asset", "stock", "1300"),
    ("Prepaid Expenses", "other_current_asset", "1400"),
    ("Furniture and Equipment", "fixed_asset", "1500"),
    ("Accumulated Depreciation", "fixed_asset", "1510"),
    ("Owner's Equity", "equity", "3000"),
    ("Retained Earnings", "equity", "3100"),
    ("General Income", "income", "4100"),
    ("Interest Income", "other_income", "4200"),
    ("Discount", "income", "4300"),
    ("Shipping Charge", "income", "4400"),
    ("Bank Fees and Charges", "expense", "6800"),
    ("Depreciation Expense", "expense", "6900"),
    ("Salaries and Employee Wages", "expense", "7000"),
    ("Employee Reimbursements", "other_current_liability", "2300"),
    ("Exchange Gain or Loss", "other_expense", "8000"),
];

/// Indices into `ACCOUNTS` that other records reference.
pub(crate) mod acct {
    pub const SALES: u64 = 0;
    pub const RECEIVABLE: u64 = 1;
    pub const PAYABLE: u64 = 2;
    pub const COGS: u64 = 3;
    pub const UNDEPOSITED: u64 = 4;
    pub const PETTY_CASH: u64 = 5;
    pub const CHECKING: u64 = 6;
    /// Expense accounts an expense may be booked to.
    pub const EXPENSES: &[u64] = &[7, 8, 9, 10, 11, 12, 13];
}
