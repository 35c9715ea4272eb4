"""The national legislation profile: the facts a user writes about one jurisdiction's law.

Every answerable fact takes ``yes`` / ``no`` / ``partial`` / ``unknown``; a fact that is
absent is ``unknown``, never silently ``no``. Offences are described by their *scope*
(conduct x material x setting x age x reach) so that coverage is computed from the law
rather than asserted. Models forbid unknown keys so a typo never passes as "not stated".
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from .packs import BUILTIN, FACT_ID_PATTERN, PACK_ID_PATTERN
from .reservations import RESERVABLE, check_covers, reservation_key
from .strict import Strict
from .urls import url_problem


class Answer(str, Enum):
    """The four answers every fact can take."""

    yes = "yes"
    no = "no"
    partial = "partial"
    unknown = "unknown"


class Conduct(str, Enum):
    """Conduct an offence provision covers (Articles 18-23 of the Convention and beyond)."""

    producing = "producing"  # Art. 20(1)(a)
    offering_or_making_available = "offering_or_making_available"  # Art. 20(1)(b)
    distributing_or_transmitting = "distributing_or_transmitting"  # Art. 20(1)(c)
    procuring = "procuring"  # Art. 20(1)(d)
    possessing = "possessing"  # Art. 20(1)(e)
    knowingly_obtaining_access = "knowingly_obtaining_access"  # Art. 20(1)(f)
    sexual_activity_with_child = "sexual_activity_with_child"  # Art. 18
    inciting_sexual_activity = "inciting_sexual_activity"  # causing or inciting a child
    remote_directing_abuse = "remote_directing_abuse"  # directing live abuse from afar
    recruiting_for_performance = "recruiting_for_performance"  # Art. 21(1)(a)
    coercing_into_performance = "coercing_into_performance"  # Art. 21(1)(b), first limb
    # Art. 21(1)(b), second limb: profiting from or otherwise exploiting a child's participation in
    # pornographic performances, e.g. the organiser of live-streamed abuse sold to paying viewers.
    profiting_from_performance = "profiting_from_performance"
    attending_performance = "attending_performance"  # Art. 21(1)(c), incl. live streams
    causing_to_witness = "causing_to_witness"  # Art. 22
    # Showing a child CSAM (synthetic included) or other sexual material, e.g. to groom the child or to
    # normalise sexual activity between adults and children (the paper, Generative AI; Arts 22, 23).
    showing_sexual_material_to_child = "showing_sexual_material_to_child"
    soliciting_for_sexual_purposes = "soliciting_for_sexual_purposes"  # Art. 23
    soliciting_sexual_images = "soliciting_sexual_images"  # solicitation of CSGSIV
    coercing_into_self_generated_images = "coercing_into_self_generated_images"
    sexual_extortion = "sexual_extortion"
    recruiting_for_prostitution = "recruiting_for_prostitution"  # Art. 19(1)(a)
    having_recourse_to_prostitution = "having_recourse_to_prostitution"  # Art. 19(1)(c)
    manufacturing = "manufacturing"  # objects: child-like dolls and robots
    importing_or_exporting = "importing_or_exporting"
    selling = "selling"


class Material(str, Enum):
    """Kinds of material or object an offence provision can reach."""

    real_child_record = "real_child_record"  # record of the abuse of a real child
    manipulated_real_child = "manipulated_real_child"  # deepfake / altered image of a real child
    synthetic_realistic = "synthetic_realistic"  # realistic image of a non-existent child
    non_realistic_depiction = "non_realistic_depiction"  # drawings, cartoons, anime
    child_like_doll_or_robot = "child_like_doll_or_robot"  # the doll or robot itself, as an object
    # Images or video of sexual activity with a child-like doll or robot: kept apart from the object
    # so that a CSAM provision reaching such images never passes as an offence of possessing the doll.
    child_like_doll_or_robot_depiction = "child_like_doll_or_robot_depiction"
    avatar_or_immersive = "avatar_or_immersive"  # child-like avatars, 3D / immersive content
    # Images children above the Article 18(2) age of sexual consent produce and possess of themselves,
    # with their consent, solely for their own private use: exactly what Article 20(3), second indent,
    # lets a Party leave out of Article 20(1)(a) and (e).
    self_generated_consensual_private = "self_generated_consensual_private"
    # Sexual material about a child that is not visual: audio (cloned voices included) or text. Article
    # 20(2) defines CSAM as visual, so the Convention does not require offences to reach it.
    non_visual_depiction = "non_visual_depiction"


class ConventionStatus(str, Enum):
    party = "party"
    signatory = "signatory"
    none = "none"
    unknown = "unknown"


class Citation(Strict):
    """Where a fact comes from: the instrument, the provision, and when it took effect."""

    instrument: Annotated[str, Field(min_length=1, description="Act, code or document, e.g. 'Sexual Offences Act 2003'.")]
    provision: str | None = Field(None, description="Provision reference, e.g. 's. 10' or '§ 184b'.")
    title: str | None = Field(None, description="Title or heading of the provision.")
    url: str | None = Field(None, description="http(s) address of a published text of the provision.")
    in_force: date | None = Field(None, description="Date the provision (in this wording) entered into force.")
    in_force_until: date | None = Field(
        None,
        description="Last day the provision (in this wording) was in force, when it was repealed, amended or expired "
        "(a provision repealed with effect from 1 July 2024 has in_force_until: 2024-06-30).",
    )
    extent: list[str] = Field(
        default_factory=list,
        description="Parts of the State the provision extends to when it does not extend to all of it, "
        "e.g. [England and Wales, Northern Ireland]; empty: the whole State.",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # Strict: the address is put inside Markdown autolinks and workbook hyperlinks (see urls.py).
        problem = url_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Citation:
        if self.in_force and self.in_force_until and self.in_force_until < self.in_force:
            raise ValueError(f"in_force_until ({self.in_force_until}) is before in_force ({self.in_force})")
        return self

    def label(self) -> str:
        return f"{self.instrument}, {self.provision}" if self.provision else self.instrument


class Fact(Strict):
    """One answerable fact with its citation. Written either as a mapping or as a bare answer."""

    answer: Answer = Answer.unknown
    citation: Citation | None = None
    answer_before_in_force: Answer = Field(
        Answer.unknown,
        description="The answer before the cited provision entered into force (e.g. no: there was no such duty). Unknown when not given.",
    )
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_answer(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"answer": value}
        if isinstance(value, bool):  # YAML 1.2 true/false are accepted as yes/no
            return {"answer": "yes" if value else "no"}
        return value


def _fact() -> Any:
    return Field(default_factory=Fact)


class Jurisdiction(Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code (XA-XZ for fictional).")]
    name: Annotated[str, Field(min_length=1)]
    territory: str | None = Field(
        None,
        description="For a profile of part of a State (England and Wales; a German Land): its name as provisions' "
        "citation.extent names it. A provision whose extent does not include it does not apply.",
    )


class ReservationCovers(Strict):
    """The part an "in part" reservation covers, as the register's text states it."""

    conduct: list[Conduct] = Field(default_factory=list, description="The offence conduct it covers; empty: all the provision permits.")
    material: list[Material] = Field(default_factory=list, description="The material it covers; empty: all the provision permits.")


class Reservation(Strict):
    """A reservation the Party made, by article, paragraph and indent (see ``reservations.py`` for what each permits)."""

    article: int
    paragraph: int | None = None
    indent: int | None = None
    extent: Literal["whole", "part"] = "whole"
    covers: ReservationCovers | None = Field(
        None, description="For extent: part, the conduct and material the reservation covers, as its text states them."
    )
    in_force: date | None = Field(
        None, description="Date from which the reservation has effect (usually the Convention's entry into force for the Party)."
    )
    withdrawn: date | None = Field(None, description="Date the reservation was withdrawn, if it was.")
    citation: Citation | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _reservable(self) -> Reservation:
        if self.place not in RESERVABLE:
            allowed = "; ".join(reservation_key(*k) for k in RESERVABLE)
            raise ValueError(f"the Convention allows no reservation at this place; allowed: {allowed}")
        if self.covers is not None:
            if self.extent != "part":
                raise ValueError("covers describes a reservation made in part: set extent: part, or remove covers")
            problem = check_covers(RESERVABLE[self.place], self.covers)
            if problem:
                raise ValueError(problem)
        if self.in_force and self.withdrawn and self.withdrawn <= self.in_force:
            raise ValueError(f"withdrawn ({self.withdrawn}) is not after in_force ({self.in_force})")
        return self

    @property
    def place(self) -> tuple[int, int | None, int | None]:
        return (self.article, self.paragraph, self.indent)

    @property
    def key(self) -> str:
        return reservation_key(self.article, self.paragraph, self.indent)


class Declaration(Strict):
    article: int
    paragraph: int | None = None
    text: str
    citation: Citation | None = None


class Convention(Strict):
    """Status towards the Lanzarote Convention (CETS 201)."""

    status: ConventionStatus = ConventionStatus.unknown
    signed: date | None = None
    ratified: date | None = None
    in_force: date | None = None
    reservations_stated: bool = Field(False, description="true when the reservations list is complete (an empty list then means none).")
    reservations: list[Reservation] = Field(default_factory=list)
    declarations: list[Declaration] = Field(default_factory=list)
    citation: Citation | None = None
    note: str | None = None


class OffenceSetting(Strict):
    """Where the offence reaches. Each element is a fact about the provision's wording or case law."""

    physical_contact_required: Answer = Field(Answer.unknown, description="Does the offence require physical contact or presence?")
    online: Answer = Field(Answer.unknown, description="Does it reach conduct through ICT / online?")
    immersive: Answer = Field(Answer.unknown, description="Does it reach conduct in immersive environments (VR/AR/XR)?")
    remote_device: Answer = Field(
        Answer.unknown, description="Does it reach sensation or acts delivered remotely through a connected device?"
    )


class Extraterritorial(Strict):
    """Jurisdiction over offences committed abroad (Article 25)."""

    nationals: Answer = Answer.unknown
    habitual_residents: Answer = Answer.unknown
    dual_criminality_required: Answer = Answer.unknown
    victim_complaint_required: Answer = Answer.unknown
    citation: Citation | None = None
    note: str | None = None


class ExtortionMotive(Strict):
    """Sexual extortion: which aims of the threat the offence reaches (the Lanzarote Committee asks about each)."""

    more_images: Answer = Field(Answer.unknown, description="Threats to obtain more sexual images or videos of the child.")
    other_sexual_gain: Answer = Field(Answer.unknown, description="Threats to obtain other sexual acts or favours.")
    financial_gain: Answer = Field(Answer.unknown, description="Threats to obtain money or other financial benefit.")
    other_personal_gain: Answer = Field(Answer.unknown, description="Threats to obtain any other personal gain.")


class Offence(Strict):
    """An offence provision described by its scope."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="Unique slug within the profile.")]
    title: Annotated[str, Field(min_length=1)]
    citation: Citation
    conduct: Annotated[list[Conduct], Field(min_length=1, description="Conduct the provision covers (exhaustive).")]
    material: dict[Material, Answer] = Field(
        default_factory=dict, description="Material the provision reaches; a material not listed is unknown."
    )
    setting: OffenceSetting = Field(default_factory=OffenceSetting)
    age_threshold: int | None = Field(None, ge=1, le=25, description="The provision protects persons under this age.")
    meeting_proposal_required: Answer = Field(Answer.unknown, description="Solicitation: must the offender propose an in-person meeting?")
    non_monetary_consideration: Answer = Field(
        Answer.unknown, description="Does 'remuneration or consideration' include in-game currency or virtual items?"
    )
    offender_impersonation: Answer = Field(
        Answer.unknown,
        description="Does it reach an offender posing as someone else, e.g. the child's buddy or relative via a hijacked app or account?",
    )
    limited_to_recruited_or_coerced: Answer = Field(
        Answer.unknown,
        description="Attending performances: is the offence limited to children recruited or coerced into them "
        "(Article 21(1)(a)-(b)), as an Article 21(2) reservation permits?",
    )
    attempt_punishable: Answer = Field(Answer.unknown, description="Is the attempt to commit this offence punishable (Article 24(2))?")
    extortion_motive: ExtortionMotive = Field(default_factory=ExtortionMotive)
    extraterritorial: Extraterritorial | None = Field(
        None, description="Reach abroad for this provision; when absent, criminal_law.extraterritorial applies."
    )
    max_penalty_years: float | None = Field(None, ge=0)
    note: str | None = None


class ExhaustiveFor(Strict):
    """A conduct, optionally for one material, for which every relevant offence provision is listed."""

    conduct: Conduct
    material: Material | None = Field(None, description="The material; empty: every material for this conduct.")


class CriminalLaw(Strict):
    offences_listed_exhaustively: Fact = Field(
        default_factory=Fact,
        description="yes when every relevant offence provision is listed, so an element no provision covers is a gap.",
    )
    exhaustive_for_conduct: list[Conduct] = Field(
        default_factory=list,
        description="Conduct for which every relevant provision is listed (e.g. the Article 20(1) conduct when all CSAM "
        "offences are listed): an element about such conduct that no listed provision covers is a gap, not unknown.",
    )
    exhaustive_for: list[ExhaustiveFor] = Field(
        default_factory=list,
        description="Conduct and material for which every relevant provision is listed and says whether it reaches the "
        "material, e.g. {conduct: possessing, material: child_like_doll_or_robot} to say there is no offence of possessing a "
        "child-like sex doll: a listed provision with that conduct that does not state the material does not reach it.",
    )
    offences: list[Offence] = Field(default_factory=list)
    extraterritorial: Extraterritorial = Field(default_factory=Extraterritorial)
    corporate_liability: Fact = _fact()
    corporate_liability_lack_of_supervision: Fact = _fact()
    non_contact_sentencing_reviewed: Fact = _fact()
    children_liable_for_own_sexual_images: Fact = Field(
        default_factory=Fact,
        description="Can children be held criminally liable for producing or possessing sexual images of themselves "
        "(the protective answer is no)?",
    )
    children_protected_from_prosecution_for_own_images: Fact = Field(
        default_factory=Fact,
        description="Are children protected from prosecution for self-generated sexual images of themselves made and kept "
        "with consent for their own private use (by law, or by binding prosecution guidance)?",
    )
    manipulated_and_synthetic_sentencing_reviewed: Fact = Field(
        default_factory=Fact,
        description="yes when sentencing for manipulated (deepfake) and wholly synthetic CSAM has been reviewed against records of abuse.",
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> CriminalLaw:
        seen: set[str] = set()
        for offence in self.offences:
            if offence.id in seen:
                raise ValueError(f"offence id {offence.id!r} is used twice; give each provision its own id")
            seen.add(offence.id)
        return self


class ConnectedDevices(Strict):
    unique_passwords: Fact = _fact()
    vulnerability_reporting: Fact = _fact()
    security_updates: Fact = _fact()
    covers_toys: Fact = _fact()
    covers_baby_monitors: Fact = _fact()
    adult_toy_age_restriction: Fact = _fact()


class Platforms(Strict):
    risk_assessment: Fact = _fact()
    age_assurance: Fact = _fact()
    detection_and_reporting: Fact = _fact()
    voluntary_detection_legal_basis: Fact = _fact()
    sharing_below_evidential_threshold: Fact = _fact()
    encrypted_services_detection: Fact = _fact()
    removal_deadline: Fact = _fact()
    hash_sharing: Fact = _fact()
    adult_content_age_and_consent_verification: Fact = _fact()
    companion_chatbot_child_safety: Fact = _fact()
    account_security: Fact = _fact()
    childlike_avatar_restrictions: Fact = _fact()
    immersive_child_protection: Fact = _fact()
    immersive_evidence_retention: Fact = _fact()
    enforcement_authority: Fact = _fact()


class GenerativeAI(Strict):
    csam_generation_safeguards: Fact = _fact()
    child_likeness_manipulation_safeguards: Fact = _fact()
    nudification_tools_prohibited: Fact = _fact()
    training_data_csam_exclusion: Fact = _fact()
    child_persona_chatbot_safeguards: Fact = Field(
        default_factory=Fact,
        description="Providers of generative AI and companion services must prevent the creation of chatbots or avatars that "
        "appear to be children for sexual use (the paper's food-for-thought question GAI-Q7).",
    )


class DataProtection(Strict):
    children_data_scraping_protection: Fact = _fact()


class Regulation(Strict):
    connected_devices: ConnectedDevices = Field(default_factory=ConnectedDevices)
    platforms: Platforms = Field(default_factory=Platforms)
    generative_ai: GenerativeAI = Field(default_factory=GenerativeAI)
    data_protection: DataProtection = Field(default_factory=DataProtection)


class Programmes(Strict):
    education: Fact = _fact()
    education_technology_consent_deepfakes: Fact = _fact()
    awareness_raising: Fact = _fact()
    cyber_hygiene_awareness: Fact = _fact()
    preventive_intervention: Fact = _fact()
    deterrence_messaging: Fact = _fact()
    perpetrator_programmes: Fact = _fact()
    perpetrator_programmes_online_offenders: Fact = _fact()
    victim_assistance: Fact = _fact()
    victim_assistance_online_abuse: Fact = _fact()
    victim_assistance_without_contact_offence: Fact = _fact()
    victim_assistance_immersive_abuse: Fact = Field(
        default_factory=Fact,
        description="Psycho-social and therapeutic assistance (Article 14) reaches victims of CSEA in immersive environments (VR/AR/XR).",
    )
    image_removal_support: Fact = _fact()
    helplines: Fact = _fact()
    helpline_chatbots: Fact = _fact()
    professional_training_technology: Fact = Field(
        default_factory=Fact,
        description="Professionals who deal with CSEA (police, prosecutors, judges, child-protection and victim-support staff) "
        "are trained on technology-facilitated CSEA (generative AI, immersive environments, live streaming, sexual extortion).",
    )


class Institutions(Strict):
    specialised_units: Fact = _fact()
    specialised_units_resourced: Fact = _fact()
    referral_capacity: Fact = _fact()
    covert_operations: Fact = _fact()
    covert_operations_all_offences: Fact = _fact()
    victim_identification_database: Fact = _fact()
    emergency_disclosure: Fact = _fact()
    expedited_cross_border_requests: Fact = _fact()
    contact_point_24_7: Fact = _fact()
    immersive_evidence_gathering: Fact = _fact()
    technology_assisted_investigation: Fact = Field(
        default_factory=Fact,
        description="The authorities use emerging technologies (machine-learning classifiers, AI-assisted image analysis) to "
        "detect CSAM, identify and safeguard victims and identify perpetrators.",
    )


class Profile(Strict):
    """One jurisdiction's law, as of one date, with its sources."""

    jurisdiction: Jurisdiction
    as_of: date = Field(description="The date whose law this profile describes.")
    fictional: bool = Field(False, description="true for invented jurisdictions used as examples.")
    sources: list[Citation] = Field(default_factory=list, description="Where the facts were checked.")
    note: str | None = None
    convention: Convention = Field(default_factory=Convention)
    criminal_law: CriminalLaw = Field(default_factory=CriminalLaw)
    regulation: Regulation = Field(default_factory=Regulation)
    programmes: Programmes = Field(default_factory=Programmes)
    institutions: Institutions = Field(default_factory=Institutions)
    extensions: dict[
        Annotated[str, Field(pattern=PACK_ID_PATTERN)],
        Annotated[dict[Annotated[str, Field(pattern=FACT_ID_PATTERN)], Any], Field(json_schema_extra={"additionalProperties": False})],
    ] = Field(
        default_factory=dict,
        description="Facts that rule packs declare, by pack id and fact id (extensions.<pack>.<fact>): an answer fact as a "
        "built-in fact is written, a date fact as YYYY-MM-DD, a number fact as a number. They are checked against the packs "
        "loaded with --rules (`gap-engine schema --pack-dir DIR` lists a pack's); those of other packs are kept and ignored.",
        json_schema_extra={"additionalProperties": False},
    )

    @field_validator("extensions")
    @classmethod
    def _no_builtin_extensions(cls, extensions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if BUILTIN in extensions:
            raise ValueError("the built-in facts are the profile's own fields (e.g. regulation.platforms.hash_sharing), not extensions")
        return extensions

    @model_validator(mode="after")
    def _real_profiles_cite_sources(self) -> Profile:
        if not self.fictional and not self.sources:
            raise ValueError("a profile of a real jurisdiction must list its sources (or set fictional: true)")
        return self


@cache
def fact_paths(model: type[BaseModel] = Profile, prefix: str = "") -> tuple[str, ...]:
    """Every dotted path to a ``Fact`` field, e.g. ``regulation.platforms.hash_sharing``, in model order.

    Cached: facts.py walks them for every profile checked."""
    paths: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        path = f"{prefix}{name}"
        if annotation is Fact:
            paths.append(path)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation is not Offence:
            paths.extend(fact_paths(annotation, prefix=f"{path}."))
    return tuple(paths)


OFFENCE_ANSWER_FIELDS: tuple[str, ...] = (
    *(f"setting.{name}" for name in OffenceSetting.model_fields),
    "meeting_proposal_required",
    "non_monetary_consideration",
    "offender_impersonation",
    "limited_to_recruited_or_coerced",
    "attempt_punishable",
    *(f"extortion_motive.{name}" for name in ExtortionMotive.model_fields),
    *(f"extraterritorial.{name}" for name in Extraterritorial.model_fields if name not in ("citation", "note")),
)
"""Answer-valued elements of an offence's scope that a rule condition may test."""
