"""The vocabulary of the demo portfolio: company and people names, titles, goals, templates."""

from __future__ import annotations

import re

INDUSTRIES = (
    "technology",
    "healthcare",
    "financial services",
    "retail",
    "manufacturing",
    "education",
    "media",
    "logistics",
)

_PREFIXES = (
    "Northwind", "Bluepeak", "Cobalt", "Evergreen", "Ironclad", "Lumen", "Meridian", "Nimbus", "Oakridge",
    "Pinnacle", "Quantum", "Redwood", "Silverline", "Summit", "Tidewater", "Upland", "Vantage", "Westbrook",
    "Apex", "Brightpath", "Cascade", "Driftwood", "Emberly", "Foxglove", "Granite", "Harborview", "Ionic",
    "Juniper", "Keystone", "Lakeshore", "Maplewood", "Novacore", "Orion", "Polaris", "Quarry", "Riverbend",
    "Sagebrush", "Trailhead", "Unity", "Vertex", "Willow", "Xenith", "Yellowstone", "Zephyr", "Alder",
    "Beacon", "Crestline", "Delta", "Elmstead", "Fjord", "Glacier", "Highland", "Indigo", "Jasper", "Kestrel",
    "Larkspur", "Mosaic", "Nexus", "Osprey", "Prairie",
)  # fmt: skip
_SUFFIXES = (
    "Systems", "Health", "Capital", "Retail Group", "Manufacturing", "Learning", "Media", "Logistics",
    "Analytics", "Labs", "Partners", "Holdings", "Networks", "Solutions", "Dynamics", "Foods", "Energy",
    "Software", "Clinics", "Bank", "Outfitters", "Works", "Studios", "Freight", "Robotics", "Insurance",
    "Pharma", "Academy", "Broadcasting", "Supply", "Technologies", "Ventures", "Brands", "Motors",
    "Biotech", "Markets", "Telecom", "Aerospace", "Textiles", "Group",
)  # fmt: skip
_QUALIFIERS = ("Global", "International", "North America", "Europe", "Pacific", "Digital", "Services", "Co")
# Coprime with the number of prefix/suffix pairs, so consecutive accounts get unrelated names.
_NAME_STRIDE = 1_013

FIRST_NAMES = (
    "Alex", "Bianca", "Carlos", "Dana", "Elena", "Farah", "Grace", "Hiro", "Imani", "Jonas", "Keiko", "Liam",
    "Mei", "Nadia", "Omar", "Paula", "Quinn", "Rahul", "Sofia", "Tariq", "Uma", "Victor", "Wen", "Yara",
    "Zoe", "Amara", "Ben", "Chloe", "Diego", "Erin", "Felix", "Gita", "Hannah", "Ivan", "Julia", "Kofi",
)  # fmt: skip
LAST_NAMES = (
    "Anderson", "Brooks", "Castillo", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ibrahim", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi", "Schmidt", "Tanaka",
    "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmerman", "Bergstrom", "Chandra", "Delgado", "Eriksen",
)  # fmt: skip

TITLES: dict[str, tuple[str, ...]] = {
    "exec_sponsor": ("VP Customer Success", "VP Operations", "SVP Customer Experience", "Chief Operating Officer", "Head of Support"),
    "champion": ("Director of Customer Success", "Customer Success Operations Manager", "Senior Product Manager", "Director of Operations", "Support Operations Lead"),
    "technical_buyer": ("CTO", "VP Engineering", "Director of IT", "Solutions Architect", "Head of Platform Engineering"),
    "economic_buyer": ("CFO", "VP Finance", "Procurement Manager", "Finance Director"),
    "user": ("Support Team Lead", "Customer Success Manager", "Operations Analyst", "Senior Data Analyst", "Support Specialist"),
    "other": ("Executive Assistant", "Legal Counsel", "Marketing Manager"),
}  # fmt: skip

_COMMON_GOALS = (
    "Reduce time-to-resolution by 20%",
    "Consolidate tooling onto one platform",
    "Improve customer retention reporting",
    "Automate onboarding workflows",
)
GOALS: dict[str, tuple[str, ...]] = {
    "technology": ("Scale customer success operations", "Launch a self-serve tier", *_COMMON_GOALS),
    "healthcare": ("Meet HIPAA audit requirements", "Improve patient-facing support times", *_COMMON_GOALS),
    "financial services": (
        "Strengthen compliance reporting",
        "Cut cost-to-serve per account",
        *_COMMON_GOALS,
    ),
    "retail": ("Prepare for peak-season volume", "Unify store and online support", *_COMMON_GOALS),
    "manufacturing": ("Digitise field-service operations", "Improve dealer network support", *_COMMON_GOALS),
    "education": ("Support a growing online student base", "Reduce staff admin time", *_COMMON_GOALS),
    "media": ("Grow subscriber retention", "Personalise audience engagement", *_COMMON_GOALS),
    "logistics": ("Improve shipment exception handling", "Expand into new regions", *_COMMON_GOALS),
}
COMPETITORS = ("Gainsight", "Totango", "ChurnZero", "Planhat", "Vitally", "in-house tooling")

INTERACTION_KINDS = ("call", "meeting", "email", "qbr", "workshop", "support_escalation")
SUMMARIES: dict[str, tuple[str, ...]] = {
    "positive": (
        "happy with the rollout, asked about advanced features",
        "shared a win from the new workflows",
        "keen to expand to another team",
    ),
    "neutral": (
        "routine check-in on open tickets",
        "walked through the usage report",
        "planning next quarter's priorities",
    ),
    "negative": (
        "frustrated by slow support responses",
        "questioned the value for the price",
        "raised a blocking bug in reporting",
    ),
}
OPPORTUNITY_TEMPLATES = (
    ("upsell", "Premium support package"),
    ("upsell", "Advanced reporting add-on"),
    ("cross_sell", "Workflow automation module"),
    ("cross_sell", "Knowledge base product"),
    ("seat_expansion", "Seats for a new regional team"),
    ("seat_expansion", "Company-wide rollout to operations"),
    ("renewal", "Multi-year renewal"),
)
RISK_TEMPLATES = (
    ("usage_decline", "Weekly active users dropped over the last two months"),
    ("champion_left", "Main champion announced they are leaving"),
    ("support_escalation", "Escalated P1 ticket open for more than a week"),
    ("competitor_evaluation", "Evaluating a competing platform"),
    ("budget_cut", "Customer announced budget cuts for next year"),
    ("executive_change", "New executive leadership in the customer's support org"),
    ("low_adoption", "Key features unused since onboarding"),
    ("payment_delay", "Last invoice paid 45 days late"),
)


def company_name(index: int) -> str:
    """A distinct company name per account index (account 0 is TechCorp, named elsewhere)."""
    pairs = len(_PREFIXES) * len(_SUFFIXES)
    block, position = divmod(index, pairs)
    mixed = (position * _NAME_STRIDE) % pairs
    base = f"{_PREFIXES[mixed % len(_PREFIXES)]} {_SUFFIXES[mixed // len(_PREFIXES)]}"
    if block == 0:
        return base
    qualifier = _QUALIFIERS[(block - 1) % len(_QUALIFIERS)]
    round_ = (block - 1) // len(_QUALIFIERS)
    return f"{base} {qualifier}" if round_ == 0 else f"{base} {qualifier} {round_ + 1}"


def email_domain(company: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", company.lower()) + ".example"
