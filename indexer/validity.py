"""Resolving validity across the store at build time: who replaces, amends or repeals whom.

Each document carries its own claims (`indexer.relations`); a claim names its target by
number, often with the target's date. Party numbering starts again with each term (there is a
01-HD/TW of 2016 and one of 2021), so a target matches a document of the store when the
numbers match structurally (`NumberRef.matches`) and, where both dates are known, the dates
are equal; without a date, a document issued after the one claiming cannot be its target. A
target that matches nothing stays a named link (`DocLink.doc_id` None): the member is still
told what replaced a document even when the replacement is not in the store.

The status follows from the links, strongest first: replaced, repealed (also "X hết hiệu lực"
declared by another document), expired (an end date the operator gave), amended, in force. A status the
operator declared by hand wins over what the texts say. Copies (`duplicate_of`) neither claim
nor are targeted; they take the validity of the copy that is indexed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from knowledge.docnumbers import parse_number, type_name
from knowledge.passages import DocumentMeta
from knowledge.relations import INVERSE, DocLink, Relation, Status, Validity

logger = logging.getLogger(__name__)

MAX_CHAIN = 20  # replacement chains longer than this are a data error (a loop)

# A relation kind -> (the target's incoming list, the source's outgoing list).
_LISTS = {
    "replaces": ("replaced_by", "replaces"),
    "repeals": ("repealed_by", "repeals"),
    "ends": ("repealed_by", "repeals"),  # "X hết hiệu lực kể từ …" said by the document ending it
    "amends": ("amended_by", "amends"),
}


def resolve(documents: list[DocumentMeta], *, today: date | None = None) -> list[DocumentMeta]:
    """The documents, in the same order, with `validity` resolved from every claim.

    `today` (default: the build's date) decides whether a declared end date has passed."""
    today = today or date.today()
    originals = [d for d in documents if d.duplicate_of is None]
    by_serial: dict[str, list[DocumentMeta]] = defaultdict(list)
    for doc in originals:
        parsed = parse_number(doc.number) if doc.number else None
        if parsed is not None:
            by_serial[parsed.serial].append(doc)

    incoming: dict[str, dict[str, list[DocLink]]] = defaultdict(lambda: defaultdict(list))
    outgoing: dict[str, dict[str, list[DocLink]]] = defaultdict(lambda: defaultdict(list))
    for doc in originals:
        for claim in doc.validity.claims:
            if claim.kind in INVERSE:  # "replaced_by: 06-HD/TW" in this document's sidecar
                kind = INVERSE[claim.kind]
                sources = _matches(claim, by_serial, newer_than=doc) or [None]
                for source in sources:
                    incoming[doc.doc_id][_LISTS[kind][0]].append(_link(source, claim))
                    if source is not None:
                        outgoing[source.doc_id][_LISTS[kind][1]].append(_link(doc))
                continue
            targets = _matches(claim, by_serial, older_than=doc)
            if not targets:
                outgoing[doc.doc_id][_LISTS[claim.kind][1]].append(_link(None, claim))
            for target in targets:
                incoming[target.doc_id][_LISTS[claim.kind][0]].append(_link(doc))
                outgoing[doc.doc_id][_LISTS[claim.kind][1]].append(_link(target))

    docs_by_id = {d.doc_id: d for d in originals}
    resolved: dict[str, Validity] = {}
    for doc in originals:
        links = {**{k: _unique(v) for k, v in incoming[doc.doc_id].items()},
                 **{k: _unique(v) for k, v in outgoing[doc.doc_id].items()}}
        base = replace(doc.validity.unresolved(), **links)
        resolved[doc.doc_id] = _status(base, today, docs_by_id)
    for doc_id, validity in resolved.items():
        if validity.status in ("replaced", "repealed"):
            resolved[doc_id] = replace(validity, current=_chain_end(doc_id, resolved, docs_by_id))
    out = []
    for doc in documents:
        validity = resolved.get(doc.duplicate_of or doc.doc_id)
        if doc.duplicate_of is not None and validity is not None:
            validity = replace(validity, claims=doc.validity.claims)
        out.append(replace(doc, validity=validity or doc.validity.unresolved()))
    return out


def _matches(
    claim: Relation, by_serial: dict[str, list[DocumentMeta]], *,
    older_than: DocumentMeta | None = None, newer_than: DocumentMeta | None = None,
) -> list[DocumentMeta]:
    """Documents of the store the claim's target names (none: only named)."""
    ref = parse_number(claim.target)
    if ref is None:
        return []
    found = []
    for doc in by_serial.get(ref.serial, ()):
        if doc is older_than or doc is newer_than or not ref.matches(doc.number, doc.doc_type):
            continue
        if claim.target_date and doc.issued and claim.target_date != doc.issued:
            continue  # the same number in another term
        if older_than is not None and older_than.issued and doc.issued and doc.issued > older_than.issued:
            continue  # a document cannot replace a newer one
        if newer_than is not None and newer_than.issued and doc.issued and doc.issued < newer_than.issued:
            continue
        found.append(doc)
    return found


def _link(doc: DocumentMeta | None, claim: Relation | None = None) -> DocLink:
    if doc is not None:
        return DocLink(doc.label, doc.number, doc.doc_id, doc.issued)
    assert claim is not None
    ref = parse_number(claim.target)
    kind = claim.target_type or (type_name(ref.code) if ref and ref.code else None)
    label = f"{kind} {claim.target}" if kind and ref is not None else claim.target
    return DocLink(label, claim.target if ref is not None else None, None, claim.target_date)


def _unique(links: Iterable[DocLink]) -> tuple[DocLink, ...]:
    """Links without repeats; a named link is dropped when the store holds that number."""
    seen: dict[tuple[str | None, str], DocLink] = {}
    for link in links:
        seen.setdefault((link.doc_id, link.number or link.label), link)
    in_store = {link.number for link in seen.values() if link.doc_id and link.number}
    return tuple(link for link in seen.values() if link.doc_id or link.number not in in_store)


def _status(validity: Validity, today: date, docs: dict[str, DocumentMeta]) -> Validity:
    status: Status
    if validity.replaced_by:
        status = "replaced"
    elif validity.repealed_by:
        status = "repealed"
    elif validity.declared_end and validity.declared_end <= today:
        status = "expired"
    elif validity.amended_by:
        status = "amended"
    else:
        status = "in_force"
    if validity.declared:
        status = validity.declared
    ended = validity.declared_end
    successors = validity.successors
    if ended is None and successors and status != "in_force":
        # It stopped when its successor took effect ("có hiệu lực từ …"), else was issued.
        dates = [d for d in (_taking_effect(link, docs) for link in successors) if d]
        ended = min(dates) if dates else None
    return replace(validity, status=status, ended=ended)


def _taking_effect(link: DocLink, docs: dict[str, DocumentMeta]) -> date | None:
    doc = docs.get(link.doc_id) if link.doc_id else None
    if doc is not None and doc.validity.effective:
        return doc.validity.effective
    return link.issued


def _chain_end(doc_id: str, resolved: dict[str, Validity],
               docs: dict[str, DocumentMeta]) -> tuple[DocLink, ...]:
    """The documents in force at the end of a replacement chain (A → B → C gives C)."""
    ends: list[DocLink] = []
    frontier = list(resolved[doc_id].replaced_by + resolved[doc_id].repealed_by)
    seen = {doc_id}
    for _ in range(MAX_CHAIN):
        if not frontier:
            break
        following: list[DocLink] = []
        for link in frontier:
            if link.doc_id is None or link.doc_id in seen:
                if link.doc_id is None:
                    ends.append(link)
                continue
            seen.add(link.doc_id)
            nxt = resolved.get(link.doc_id)
            later = (nxt.replaced_by + nxt.repealed_by) if nxt else ()
            if later:
                following.extend(later)
            else:
                doc = docs[link.doc_id]
                ends.append(DocLink(doc.label, doc.number, doc.doc_id, doc.issued))
        frontier = following
    else:
        logger.warning("replacement chain from %s is longer than %d: a loop?", doc_id, MAX_CHAIN)
    return _unique(ends)
