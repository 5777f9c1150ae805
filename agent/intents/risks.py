"""Requests about identified risks: add with a severity, change severity ("set the severity of risk
1 to medium", "downgrade the competitor risk"), merge or remove duplicates ("remove the duplicate
single-threaded risk"), remove, reword, change mitigation or owner."""

from __future__ import annotations

import re

from agent.intents.core import Context, Failure, Intent, cap, search
from agent.intents.lexicon import ADD, LAST_WORDS, NUMBER, ORDINAL, REMOVE, SEVERITIES, number_value
from agent.intents.references import Ref, Unclear, Workspace, best, content_words, described
from agent.intents.values import direction, owner_in, severity_in
from tools.plans.edits import AddRisk, EditRisk, MergeRisks, PlanEdit, RemoveRisk
from tools.plans.edits.base import short

RISK_NOUN = r"risks?|concerns?|threats?"
DEFAULT_MITIGATION = "To be agreed with the account team"


def find_risks(ctx: Context, description: str) -> list[Ref]:
    """Risks named by number ('risk 1', 'risks 1 and 3'), position ('the first risk') or content
    ('the competitor risk', 'the single-threaded risks'): every equally good match by content."""
    ws = ctx.ws
    risks = ws.risks
    if m := search(
        rf"\b(?:{RISK_NOUN})\s*#?((?:{NUMBER})(?:\s*(?:,|and|&|with)\s*(?:risk\s*)?#?(?:{NUMBER}))*)\b",
        description,
    ):
        refs = []
        for part in re.split(r"\s*(?:,|and|&|with)\s*(?:risk\s*)?", m.group(1)):
            number = number_value(part)
            if not number or not 1 <= number <= len(risks):
                raise Unclear(f"there is no risk {part}; the plan lists {len(risks)} risks")
            refs.append(ws.ref("risk", risks[number - 1]))
        return refs
    if m := search(rf"\b(?:the )?({ORDINAL}|{LAST_WORDS}|top|biggest|main) (?:{RISK_NOUN})\b", description):
        word = m.group(1).lower()
        index = (
            len(risks) - 1
            if re.fullmatch(LAST_WORDS, word)
            else 0
            if word in ("top", "biggest", "main")
            else (number_value(word) or 0) - 1
        )
        if not 0 <= index < len(risks):
            raise Unclear(f"the plan lists {len(risks)} risks")
        return [ws.ref("risk", risks[index])]
    needle = described(description, RISK_NOUN)
    pronoun = ws.last is not None and ws.last.kind == "risk" and search(r"\b(?:it|that one|this one)\b", description)
    if needle is None and pronoun and ws.last is not None:
        return [ws.last]
    if needle is None:
        bare = re.sub(rf"\b(?:{RISK_NOUN})\b", " ", description, flags=re.IGNORECASE)
        needle = bare if content_words(bare) else None
    if needle is None:
        return []
    candidates = [(ws.ref("risk", r), r["risk"], 1.0) for r in risks]
    try:
        found = best(needle, candidates, "risk")
    except Unclear:
        # Several risks match equally: a request about "the duplicate ... risks" means all of them.
        from agent.intents.references import content_score

        top = max(content_score(needle, r["risk"]) for r in risks)
        return [ref for ref, text, _ in candidates if content_score(needle, text) >= top - 0.1]
    if found is None:
        listed = "; ".join(f"{i + 1}. {short(r['risk'], 45)}" for i, r in enumerate(risks))
        raise Unclear(f"no risk mentions '{needle.strip()}' (the risks: {listed})")
    return [found]


def _one(refs: list[Ref], needle: str) -> Ref:
    if len(refs) > 1:
        listed = " or ".join(f"'{short(r.item['risk'], 45)}'" for r in refs[:3])
        raise Unclear(f"'{needle.strip()}' could be {listed}; say which (e.g. 'risk 2')")
    return refs[0]


def add(ctx: Context, text: str) -> Intent | Failure | None:
    m = search(
        rf"^(?:{ADD}|new|raise)\s+(?:an?\s+|another\s+)?(?:new\s+)?(?:(?P<sev1>low|medium|high|critical|minor|major|serious|severe)(?:[- ]severity)?\s+)?(?:{RISK_NOUN})\b\s*(?:that|about|for|of|on)?\s*[:\-–]?\s*(?P<what>.+)$",
        text,
    )
    if not m:
        return None
    what = m.group("what")
    mitigation = DEFAULT_MITIGATION
    if mm := search(r"[,;.]?\s*(?:mitigat(?:ion|e(?: it)?(?: by)?)|plan)\s*[:\-]?\s*(.+)$", what):
        mitigation = cap(mm.group(1))
        what = what[: mm.start()]
    owner = "CSM"
    if mo := search(r"[,;]?\s*(?:owner:?|owned by)\s+(.+?)\s*(?:[,;]|$)", what):
        owner = owner_in(ctx.ws, mo.group(1), ctx.customer)
        what = what[: mo.start()] + what[mo.end() :]
    severity = m.group("sev1")
    if ms := search(
        r"\s*[,;]?\s*\(?(?:severity\s*[:=]?\s*|as\s+|with\s+)?(low|medium|high|critical|minor|major|serious|severe)(?:[- ]severity)?(?:\s+risk)?\)?\s*$",
        what,
    ):
        severity = severity or ms.group(1)
        what = what[: ms.start()]
    level = severity_in(severity or "") or "medium"
    what = what.strip(" ,.;:-")
    if len(what) < 3:
        return Failure(text, "say what the risk is, e.g. 'add risk: Budget freeze (high)'")
    risk = cap(what)

    def build(ws: Workspace) -> list[PlanEdit]:
        return [AddRisk.model_validate({"risk": risk, "severity": level, "mitigation": mitigation, "owner": owner})]

    note = (
        None
        if mitigation != DEFAULT_MITIGATION
        else "Its mitigation says 'to be agreed'; add one when you know it."
    )
    return Intent(text, build, creates="identified_risks", note=note)


def severity(ctx: Context, text: str) -> Intent | Failure | None:
    if not search(rf"\b(?:{RISK_NOUN})\b", text) or search(r"^(?:add|new|log|flag)\b", text):
        return None
    level = None
    m = search(
        r"\b(?:to|as|at|=|:|is now|should be|be)\s+(low|medium|high|critical|minor|major|serious|severe)\b",
        text,
    ) or search(r"\b(low|medium|high|critical|minor|major|serious|severe)(?:[- ]severity)?\b", text)
    if m:
        level = severity_in(m.group(1))
    step = direction(text) if level is None else 0
    if level is None and not step:
        return None
    if level is None and not search(
        r"\b(?:severity|raise|bump|escalate|upgrade|lower|downgrade|reduce|de-?escalate)\b", text
    ):
        return None
    description = re.sub(
        r"\b(?:low|medium|high|critical|minor|major|serious|severe)\b(?:[- ]severity)?",
        " ",
        text,
        flags=re.IGNORECASE,
    )
    description = re.sub(
        r"\b(?:severity|set|make|change|update|raise|bump|escalate|upgrade|lower|downgrade|reduce|mark|drop|knock|bring|put|take|move|to|as|at|of|for|the|down|up)\b",
        " ",
        description,
        flags=re.IGNORECASE,
    )
    refs = find_risks(
        ctx,
        description
        if content_words(description) or search(r"\d|\b(?:it|that one|this one)\b", description)
        else text,
    )
    if not refs:
        return None
    ref = _one(refs, description)
    current = ref.item["severity"]
    if level is None:
        index = SEVERITIES.index(current) + step
        if not 0 <= index < len(SEVERITIES):
            return Failure(text, f"that risk is already {current.capitalize()}")
        level = SEVERITIES[index]
    number = ctx.ws.risks.index(ref.item) + 1

    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditRisk.model_validate({"number": ws.position(ref), "severity": level})]

    return Intent(text, build, subject=ref, already=f"Risk {number} is already {level.capitalize()}.")


def merge(ctx: Context, text: str) -> Intent | Failure | None:
    duplicate = search(r"\b(?:duplicate|duplicated|dupe|repeated|double|same)\b", text)
    merging = search(r"^(?:merge|combine|consolidate|dedupe|de-duplicate|fold)\b", text)
    removing = search(rf"^(?:{REMOVE})\b", text)
    if not search(rf"\b(?:{RISK_NOUN})\b", text) or not (merging or (duplicate and removing)):
        if m := search(r"\brisk\s*#?(\d+)\s+(?:is a )?duplicates?\s+(?:of\s+)?risk\s*#?(\d+)", text):
            text_refs = f"risks {m.group(2)} and {m.group(1)}"
            refs = find_risks(ctx, text_refs)
        else:
            return None
    else:
        refs = find_risks(
            ctx,
            re.sub(
                r"\b(?:the\s+)?(?:two|both|duplicate|duplicated|dupe|repeated|double)\b",
                " ",
                text,
                flags=re.IGNORECASE,
            ),
        )
    if not refs:
        return None
    if len(refs) == 1:
        if merging:
            return Failure(
                text,
                f"only one risk matches: '{short(refs[0].item['risk'], 50)}'; name the two to merge by number",
            )
        ref = refs[0]  # "remove the duplicate X risk" with one X risk: it duplicates something else

        def build_remove(ws: Workspace) -> list[PlanEdit]:
            return [RemoveRisk(number=ws.position(ref))]

        return Intent(text, build_remove)

    def build(ws: Workspace) -> list[PlanEdit]:
        return [MergeRisks(numbers=[ws.position(r) for r in refs])]

    return Intent(
        text, build, note="The risk kept has the highest severity of the group and every mitigation."
    )


def remove(ctx: Context, text: str) -> Intent | None:
    m = search(rf"^(?:{REMOVE}|resolve|close)\s+(?P<r>.+)$", text) or search(
        rf"^(?P<r>.*?(?:{RISK_NOUN}).*?)\s+(?:is|has been|was)\s+(?:now\s+)?(?:resolved|gone|closed|no longer a risk|mitigated)$",
        text,
    )
    if not m or not search(rf"\b(?:{RISK_NOUN})\b", m.group("r")):
        return None
    refs = find_risks(ctx, m.group("r"))
    if not refs:
        return None
    ref = _one(refs, m.group("r"))

    def build(ws: Workspace) -> list[PlanEdit]:
        return [RemoveRisk(number=ws.position(ref))]

    return Intent(text, build)


def details(ctx: Context, text: str) -> Intent | None:
    """Mitigation, owner or wording of a risk: 'change the mitigation of risk 2 to ...'."""
    m = search(
        rf"\b(?:change|set|update|rewrite|reword)\s+(?:the\s+)?(?P<field>mitigation|owner|wording|text)\s+(?:of|for|on)\s+(?P<r>.*?(?:{RISK_NOUN}).*?)\s+(?:to|:|as)\s+(?P<v>.+)$",
        text,
    ) or search(rf"\b(?:assign|give|hand)\s+(?P<r>.*?(?:{RISK_NOUN}).*?)\s+to\s+(?P<v>.+)$", text)
    if not m:
        return None
    refs = find_risks(ctx, m.group("r"))
    if not refs:
        return None
    ref = _one(refs, m.group("r"))
    field = (m.groupdict().get("field") or "owner").lower()
    value = owner_in(ctx.ws, m.group("v"), ctx.customer) if field == "owner" else cap(m.group("v"))
    key = {"mitigation": "mitigation", "owner": "owner"}.get(field, "risk")

    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditRisk.model_validate({"number": ws.position(ref), key: value})]

    return Intent(text, build, subject=ref)


PARSERS = (add, merge, details, severity, remove)
