"""Validity of documents: what replaces, amends or repeals what, and the status that follows.

Party and State documents end others' force in their closing provisions ("Hướng dẫn này …
thay thế Hướng dẫn số 01-HD/TW", "bãi bỏ …", "sửa đổi, bổ sung một số điều của …", "… hết
hiệu lực"); Nghị định 30/2020/NĐ-CP (Phụ lục I) and Luật Ban hành VBQPPL 2015 (Điều 154) name
these as the ways a document stops being in force. `Validity` keeps two things apart:

- the *claims* a document makes (its own text, or the operator's sidecar / front matter),
  stored with the document because only its own text can be read for them;
- the *resolved* status and links, recomputed across the whole store at every build
  (`indexer.validity.resolve`), since the document that replaces another may arrive later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

# Statuses, strongest last: a document replaced *and* amended reads "replaced".
Status = Literal["in_force", "amended", "expired", "repealed", "replaced"]
STATUSES: tuple[Status, ...] = ("in_force", "amended", "expired", "repealed", "replaced")
NOT_IN_FORCE: frozenset[str] = frozenset({"expired", "repealed", "replaced"})

# What a document says it does to another ("this → target"), and the inverse forms an
# operator may write about the document itself in a sidecar ("replaced_by: 06-HD/TW").
RelationKind = Literal["replaces", "amends", "repeals", "ends",
                       "replaced_by", "amended_by", "repealed_by"]
INVERSE: dict[str, str] = {"replaced_by": "replaces", "amended_by": "amends", "repealed_by": "repeals"}


@dataclass(frozen=True)
class Relation:
    """One claim: this document `kind` the `target` ("replaces" "01-HD/TW")."""

    kind: RelationKind
    target: str  # canonical number ("01-HD/TW") or, without one, the name as written
    target_date: date | None = None  # the target's issue date when given: numbers repeat across terms
    target_type: str | None = None  # the type word before the number ("Hướng dẫn"), if any
    origin: Literal["text", "sidecar"] = "text"
    quote: str = ""  # the words it was read from (text claims), for the operator

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "target": self.target,
            "target_date": self.target_date.isoformat() if self.target_date else None,
            "target_type": self.target_type, "origin": self.origin, "quote": self.quote,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Relation:
        day = data.get("target_date")
        return cls(data["kind"], data["target"], date.fromisoformat(day) if day else None,
                   data.get("target_type"), data.get("origin", "text"), data.get("quote", ""))


@dataclass(frozen=True)
class DocLink:
    """The other end of a relation: a document of the store (`doc_id`) or one only named."""

    label: str  # "Hướng dẫn 06-HD/TW", or the name as written
    number: str | None = None
    doc_id: str | None = None  # None: named, not in the store
    issued: date | None = None

    @property
    def in_store(self) -> bool:
        return self.doc_id is not None

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "number": self.number, "doc_id": self.doc_id,
                "issued": self.issued.isoformat() if self.issued else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocLink:
        day = data.get("issued")
        return cls(data["label"], data.get("number"), data.get("doc_id"),
                   date.fromisoformat(day) if day else None)


@dataclass(frozen=True)
class Validity:
    """A document's claims about others, what the operator declared, and the resolved status."""

    # Read from the document itself or its sidecar (kept between builds):
    claims: tuple[Relation, ...] = ()
    declared: Status | None = None  # a status set by hand (sidecar `status` / `hieu_luc`)
    effective: date | None = None  # when it takes effect ("có hiệu lực từ ngày …")
    declared_end: date | None = None  # when it stops ("het_hieu_luc: 2024-12-31")
    # Resolved across the store at build time:
    status: Status = "in_force"
    replaced_by: tuple[DocLink, ...] = ()
    repealed_by: tuple[DocLink, ...] = ()
    amended_by: tuple[DocLink, ...] = ()
    replaces: tuple[DocLink, ...] = ()
    repeals: tuple[DocLink, ...] = ()
    amends: tuple[DocLink, ...] = ()
    # For a replaced document: the end of the replacement chain, the one in force now.
    current: tuple[DocLink, ...] = ()
    ended: date | None = None  # when it stopped being in force, where known

    @property
    def in_force(self) -> bool:
        return self.status not in NOT_IN_FORCE

    @property
    def successors(self) -> tuple[DocLink, ...]:
        """The documents that took this one's place (replacing or repealing it)."""
        return self.replaced_by + self.repealed_by

    def unresolved(self) -> Validity:
        """Only what was read (claims, declarations): the starting point of a resolution."""
        return Validity(self.claims, self.declared, self.effective, self.declared_end)

    def to_json(self) -> dict[str, Any]:
        links = ("replaced_by", "repealed_by", "amended_by", "replaces", "repeals", "amends",
                 "current")
        data: dict[str, Any] = {
            "claims": [c.to_json() for c in self.claims],
            "declared": self.declared,
            "effective": self.effective.isoformat() if self.effective else None,
            "declared_end": self.declared_end.isoformat() if self.declared_end else None,
            "status": self.status,
            "ended": self.ended.isoformat() if self.ended else None,
        }
        data.update({name: [link.to_json() for link in getattr(self, name)] for name in links})
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Validity:
        if not data:
            return cls()

        def day(name: str) -> date | None:
            value = data.get(name)
            return date.fromisoformat(value) if value else None

        def links(name: str) -> tuple[DocLink, ...]:
            return tuple(DocLink.from_json(item) for item in data.get(name, ()))

        return cls(
            claims=tuple(Relation.from_json(c) for c in data.get("claims", ())),
            declared=data.get("declared"), effective=day("effective"),
            declared_end=day("declared_end"), status=data.get("status", "in_force"),
            replaced_by=links("replaced_by"), repealed_by=links("repealed_by"),
            amended_by=links("amended_by"),
            replaces=links("replaces"), repeals=links("repeals"), amends=links("amends"),
            current=links("current"), ended=day("ended"),
        )


def with_claims(validity: Validity, claims: tuple[Relation, ...], **declared: Any) -> Validity:
    """`validity` with more claims (duplicates dropped) and the given declared fields set."""
    merged = tuple(dict.fromkeys(validity.claims + claims))
    return replace(validity, claims=merged, **{k: v for k, v in declared.items() if v is not None})


__all__ = ["DocLink", "INVERSE", "NOT_IN_FORCE", "Relation", "STATUSES", "Status", "Validity",
           "with_claims"]
