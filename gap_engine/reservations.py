"""What each reservation the Convention allows lets a Party not apply — and nothing more.

Article 48 of the Convention allows no reservation except those it names, and each of them lets
a Party leave out one precise thing. This table is the one place that says what: the verdict
reads it to decide whether a reservation explains a failing element (``verdict.py``), the profile
model to validate a reservation's place and the part it covers (``profile.py``). A gap outside
what a reservation permits stays a gap.

Checked against the treaty text (Council of Europe Convention on the Protection of Children
against Sexual Exploitation and Sexual Abuse, CETS No. 201, Lanzarote, 25.X.2007):

* Art. 20(3): "Each Party may reserve the right not to apply, in whole or in part, paragraph 1.a
  and e to the production and possession of pornographic material: consisting exclusively of
  simulated representations or realistic images of a non-existent child; involving children who
  have reached the age set in application of Article 18, paragraph 2, where these images are
  produced and possessed by them with their consent and solely for their own private use."
* Art. 20(4): "Each Party may reserve the right not to apply, in whole or in part, paragraph 1.f."
* Art. 21(2): "Each Party may reserve the right to limit the application of paragraph 1.c to cases
  where children have been recruited or coerced in conformity with paragraph 1.a or b."
* Art. 24(3): "Each Party may reserve the right not to apply, in whole or in part, paragraph 2 to
  offences established in accordance with Article 20, paragraph 1.b, d, e and f, Article 21,
  paragraph 1.c, Article 22 and Article 23."
* Art. 25(3): a Party may reserve the right "not to apply or to apply only in specific cases or
  conditions the rules of jurisdiction laid down in paragraph 1.e" (habitual residents).
* Art. 25(5): a Party may reserve the right "to limit the application of paragraph 4 [no dual
  criminality for nationals], with regard to offences established in accordance with Article 18,
  paragraph 1.b, second and third indents, to cases where its national has his or her habitual
  residence in its territory".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .i18n import N_, _

Place = tuple[int, int | None, int | None]


@dataclass(frozen=True)
class ReservableProvision:
    """One reservation the Convention allows, by what it lets a Party not apply.

    ``conduct``: the offence conduct (profile ``Conduct`` values) it touches; empty for a ground of
    jurisdiction, which touches every offence. ``whole_conduct``: the Party may leave that conduct
    out altogether, so any limitation of it lies inside. ``materials``: material it may exclude.
    ``materials_in_part``: material that lies inside only in part (a child-like avatar may depict a
    real child as well as a non-existent one), so it is never explained in full. ``scope``: offence
    scope elements (profile field paths) it may limit. ``explains_in_part_only``: it concerns a
    subset of offences the profile model does not tell apart, so it never explains a gap in full.
    """

    place: Place
    label: str  # an English message id: shown through _() (``Article 20(3), first indent``)
    permits: str  # an English message id: shown through _()
    conduct: frozenset[str] = frozenset()
    whole_conduct: bool = False
    materials: frozenset[str] = frozenset()
    materials_in_part: frozenset[str] = frozenset()
    scope: frozenset[str] = frozenset()
    explains_in_part_only: bool = False

    def touches(self, conduct: str | None) -> bool:
        return not self.conduct or conduct in self.conduct


_PRODUCE_POSSESS = frozenset({"producing", "possessing"})

RESERVABLE: dict[Place, ReservableProvision] = {
    p.place: p
    for p in (
        ReservableProvision(
            (20, 3, 1),
            N_("Article 20(3), first indent"),
            N_(
                "not to apply Article 20(1)(a) producing and (e) possessing to material consisting exclusively of "
                "simulated representations or realistic images of a non-existent child"
            ),
            conduct=_PRODUCE_POSSESS,
            materials=frozenset({"synthetic_realistic", "non_realistic_depiction", "child_like_doll_or_robot_depiction"}),
            materials_in_part=frozenset({"avatar_or_immersive"}),
        ),
        ReservableProvision(
            (20, 3, 2),
            N_("Article 20(3), second indent"),
            N_(
                "not to apply Article 20(1)(a) producing and (e) possessing to images of children above the Article 18(2) "
                "age, produced and possessed by them with their consent solely for their own private use"
            ),
            conduct=_PRODUCE_POSSESS,
            materials=frozenset({"self_generated_consensual_private"}),
        ),
        ReservableProvision(
            (20, 4, None),
            N_("Article 20(4)"),
            N_("not to apply Article 20(1)(f), knowingly obtaining access to child sexual abuse material through ICT"),
            conduct=frozenset({"knowingly_obtaining_access"}),
            whole_conduct=True,
        ),
        ReservableProvision(
            (21, 2, None),
            N_("Article 21(2)"),
            N_("to limit Article 21(1)(c), knowingly attending performances, to children recruited or coerced under Article 21(1)(a)-(b)"),
            conduct=frozenset({"attending_performance"}),
            scope=frozenset({"limited_to_recruited_or_coerced"}),
        ),
        ReservableProvision(
            (24, 3, None),
            N_("Article 24(3)"),
            N_(
                "not to make punishable the attempt (Article 24(2)) of the offences in Article 20(1)(b), (d), (e), (f), 21(1)(c), 22 and 23"
            ),
            conduct=frozenset(
                {
                    "offering_or_making_available",
                    "procuring",
                    "possessing",
                    "knowingly_obtaining_access",
                    "attending_performance",
                    "causing_to_witness",
                    "soliciting_for_sexual_purposes",
                }
            ),
            scope=frozenset({"attempt_punishable"}),
        ),
        ReservableProvision(
            (25, 3, None),
            N_("Article 25(3)"),
            N_(
                "not to apply, or to apply only in specific cases or conditions, jurisdiction over offences committed "
                "abroad by persons habitually resident in its territory (Article 25(1)(e))"
            ),
            scope=frozenset({"extraterritorial.habitual_residents"}),
        ),
        ReservableProvision(
            (25, 5, None),
            N_("Article 25(5)"),
            N_(
                "to limit Article 25(4) (no dual criminality for nationals), for the Article 18(1)(b) second- and "
                "third-indent offences, to nationals habitually resident in its territory"
            ),
            conduct=frozenset({"sexual_activity_with_child"}),
            scope=frozenset({"extraterritorial.dual_criminality_required"}),
            explains_in_part_only=True,
        ),
    )
}


def reservation_key(article: int, paragraph: int | None, indent: int | None) -> str:
    """How a reservation's place is written everywhere (profiles, rules, findings): ``20(3)``, ``18(1) indent 2``.

    One spelling, owned here with the table of places, so a rule's ``ReservationRef`` and a
    profile's ``Reservation`` always name the same place the same way and match each other.
    """
    key = str(article)
    if paragraph is not None:
        key += f"({paragraph})"
    if indent is not None:
        key += f" indent {indent}"
    return key


def provision_label(place: Place) -> str:
    return RESERVABLE[place].label


def check_covers(provision: ReservableProvision, covers: Any) -> str | None:
    """Why a reservation's stated part is not something the provision permits (None when it is)."""
    conduct = {c.value for c in covers.conduct}
    material = {m.value for m in covers.material}
    if provision.conduct and not conduct <= provision.conduct:
        extra = ", ".join(sorted(conduct - provision.conduct))
        return _("{provision} does not reach the conduct {extra}; it touches only {conduct}").format(
            provision=provision.label, extra=extra, conduct=", ".join(sorted(provision.conduct))
        )
    if material and not provision.whole_conduct:
        allowed = provision.materials | provision.materials_in_part
        if not material <= allowed:
            extra = ", ".join(sorted(material - allowed))
            known = ", ".join(sorted(allowed)) or _("no material")
            return _("{provision} permits leaving out {known}, not {extra}").format(provision=provision.label, known=known, extra=extra)
    return None


@dataclass(frozen=True)
class ReservationScope:
    """What one reservation a Party made lets it not apply: the provision narrowed to the part it covers."""

    provision: ReservableProvision
    conduct: frozenset[str]  # empty: any conduct the provision touches
    whole_conduct: bool
    materials: frozenset[str]
    materials_in_part: frozenset[str]
    scope: frozenset[str]
    undetermined: bool  # made "in part" without saying which part: explains nothing for certain


def scope_of(provision: ReservableProvision, extent: str, covers: Any | None) -> ReservationScope:
    """The part of ``provision`` a reservation covers: all of it, the part ``covers`` states, or undetermined."""
    if extent == "whole":
        return ReservationScope(
            provision, provision.conduct, provision.whole_conduct, provision.materials, provision.materials_in_part, provision.scope, False
        )
    if covers is None:
        return ReservationScope(provision, provision.conduct, False, frozenset(), frozenset(), frozenset(), True)
    conduct = frozenset(c.value for c in covers.conduct) or provision.conduct
    material = frozenset(m.value for m in covers.material)
    if provision.whole_conduct:
        # e.g. Article 20(4) in part, for some material only: the stated material is left out, nothing else.
        return ReservationScope(provision, conduct, not material, material, frozenset(), frozenset(), False)
    materials = (material & provision.materials) if material else provision.materials
    in_part = (material & provision.materials_in_part) if material else provision.materials_in_part
    return ReservationScope(provision, conduct, False, materials, in_part, provision.scope, False)
