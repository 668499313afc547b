"""Invented names and catalogues of the demo company: partners, people, products, bank labels.

All names are made up; any resemblance to a real business is accidental.
"""

from __future__ import annotations

import random

CUSTOMER_WORDS = (
    "Acorn", "Alder", "Amberline", "Apex", "Archway", "Aspen", "Atlas", "Bayside", "Beacon", "Birchwood",
    "Blue Harbor", "Boulder", "Brightwater", "Brookfield", "Canyon", "Cedar", "Clearview", "Cobalt", "Copperleaf",
    "Cornerstone", "Crescent", "Crestview", "Cypress", "Driftwood", "Eastgate", "Elmstead", "Evergreen",
    "Fairmont", "Fieldstone", "Foxglove", "Garnet", "Glenrock", "Granite", "Greenway", "Harborline", "Hawthorn",
    "Highland", "Hillcrest", "Horizon", "Ironwood", "Juniper", "Keystone", "Lakeshore", "Larkspur", "Lighthouse",
    "Maple Ridge", "Meadowbrook", "Meridian", "Millbrook", "Northfield", "Northstar", "Oakridge", "Orchard",
    "Pacifica", "Parkside", "Pinecrest", "Prairie", "Quarry", "Redwood", "Ridgeline", "Riverbend", "Rosewood",
    "Sagebrush", "Sequoia", "Silverline", "Skyline", "Southport", "Stonebridge", "Summit", "Sunridge",
    "Tidewater", "Timberline", "Trailhead", "Trinity", "Valleyview", "Westbrook", "Whitestone", "Willow Creek",
)
CUSTOMER_TRADES = (
    "Dental Group", "Law Partners", "Accounting", "Architects", "Realty", "Insurance Agency", "Medical Center",
    "Veterinary Clinic", "Academy", "Charter School", "Public Library", "Engineering", "Consulting",
    "Logistics", "Marketing", "Design Studio", "Property Management", "Credit Union", "Hotel & Suites",
    "Family Practice", "Pediatrics", "Title Company", "Printing", "Construction", "Media", "Labs",
    "Nonprofit Alliance", "Community College", "Software", "Health Partners",
)
LEGAL_FORMS = ("Inc.", "LLC", "Corp.", "LLP", "Co.", "Group", "")
VENDOR_WORDS = (
    "Allied", "American", "Pioneer", "Continental", "Great Lakes", "Heartland", "Liberty", "Midwest",
    "National", "Pacific Coast", "Patriot", "Premier", "Sterling", "Tri-State", "United", "Western",
    "Eagle", "Frontier", "Keystone State", "Lone Star", "Atlantic", "Central Valley", "Golden Gate", "Empire",
)
GOODS_TRADES = (
    "Paper Mills", "Office Products", "Furniture Manufacturing", "Ink & Toner", "Packaging", "Writing Instruments",
    "Filing Systems", "Janitorial Supply", "Breakroom Distributors", "Tech Distribution", "Label Company",
    "Envelope Co.",
)
SERVICE_VENDORS = (
    ("Logistics", "Freight services"), ("Freight Lines", "Freight services"), ("Courier Services", "Courier"),
    ("Software", "Software subscription"), ("Cloud Services", "Hosting and cloud services"),
    ("Telecom", "Phone and internet"), ("Electric & Gas", "Utilities"), ("Water Utility", "Utilities"),
    ("Insurance Brokers", "Business insurance"), ("CPA Group", "Accounting services"),
    ("Marketing Agency", "Marketing services"), ("Facility Services", "Cleaning and maintenance"),
    ("Security Systems", "Alarm monitoring"), ("Fleet Leasing", "Vehicle lease"),
)
FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas", "Mia", "Mason",
    "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Jacob", "Abigail", "Daniel", "Grace", "Henry", "Chloe",
    "Samuel", "Nora", "David", "Zoe", "Owen", "Priya", "Mateo", "Aisha", "Wei", "Carmen", "Kenji",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lee",
    "Walker", "Hall", "Allen", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green", "Adams", "Baker",
    "Nelson", "Carter", "Mitchell", "Patel", "Nguyen", "Okafor", "Schmidt", "Rossi", "Kowalski", "Tanaka",
)
EU_CUSTOMERS = (
    ("Brouwer Kantoorinrichting B.V.", "NL"), ("Maison Lefèvre Bureautique SARL", "FR"),
    ("Vandenberghe Office Solutions BV", "BE"), ("Keller & Söhne Bürobedarf GmbH", "DE"),
    ("Atelier Moreau Papeterie SAS", "FR"), ("Hansen Logistik GmbH", "DE"),
)
DE_CUSTOMERS = (
    "Müller Steuerberatung GmbH", "Praxis Dr. Schneider", "Becker Immobilien KG", "Schulz Architekten PartG",
    "Fischer Ingenieurbüro GmbH", "Weber & Partner Rechtsanwälte", "Hoffmann Medien GmbH",
    "Klein Logistik AG", "Wagner Zahnarztpraxis", "Schäfer Versicherungsmakler GmbH",
)
DE_VENDORS = (
    ("Rheinland Papier GmbH", "goods"), ("Bürowelt Großhandel AG", "goods"), ("Stadtwerke Köln", "service"),
    ("Logistik Express Süd GmbH", "service"), ("Telekommunikation Nord GmbH", "service"),
)
PRODUCTS = (
    ("Copy paper A4/Letter, case of 10 reams", 42.5), ("Premium laser paper, case", 58.0),
    ("Black toner cartridge HY", 119.0), ("Color toner set CMYK", 389.0), ("Inkjet cartridge multipack", 64.0),
    ("Ergonomic task chair", 289.0), ("Sit-stand desk 60in", 649.0), ("4-drawer filing cabinet", 329.0),
    ("Conference table 8ft", 1490.0), ("Bookcase 5-shelf", 179.0), ("Gel pens, box of 12", 14.9),
    ("Ballpoint pens, bulk 500", 89.0), ("Sticky notes, 24-pack", 21.5), ("Hanging file folders, 100", 36.0),
    ("Shipping labels, 3000", 48.0), ("Stapler heavy duty", 39.0), ("Whiteboard 6x4 magnetic", 219.0),
    ("Desk lamp LED", 54.0), ("Shredder cross-cut", 249.0), ("Breakroom coffee, 24 lbs", 186.0),
    ("Janitorial supply bundle", 312.0), ("Wireless keyboard & mouse", 69.0), ("27in monitor", 239.0),
    ("Monitor arm dual", 129.0), ("Office setup & installation service", 850.0),
    ("Managed print service, monthly", 1250.0),
)
PURCHASE_GOODS = (
    ("Copy paper, pallet (40 cases)", 1240.0), ("Toner cartridges, wholesale lot", 2890.0),
    ("Task chairs, bulk carton (10)", 1650.0), ("Sit-stand desks, pallet (8)", 3120.0),
    ("Writing instruments assortment", 640.0), ("Filing supplies, case lot", 480.0),
    ("Breakroom supplies, pallet", 1880.0), ("Computer accessories lot", 2240.0), ("Packaging material, pallet", 720.0),
    ("Furniture components", 2650.0),
)
EQUIPMENT = (
    "Warehouse racking system and installation", "Electric forklift (Toyota 8FBE)", "Delivery van (Ford Transit)",
    "Server and network upgrade", "Warehouse management system license",
)


def unique_names(rng: random.Random, count: int, words: tuple[str, ...], trades: tuple[str, ...],
                 forms: tuple[str, ...] = LEGAL_FORMS, taken: set[str] | None = None) -> list[str]:
    """``count`` distinct company names built from the word lists (deterministic for ``rng``)."""
    taken = taken if taken is not None else set()
    names: list[str] = []
    attempts = 0
    while len(names) < count:
        attempts += 1
        name = f"{rng.choice(words)} {rng.choice(trades)}"
        form = rng.choice(forms)
        if form and not name.endswith(("Co.", "Group")):
            name = f"{name} {form}" if form in ("Group", "Co.") else f"{name}, {form}"
        if attempts > 50 * count:
            name = f"{name} {len(names) + 1}"
        if name in taken:
            continue
        taken.add(name)
        names.append(name)
    return names


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
