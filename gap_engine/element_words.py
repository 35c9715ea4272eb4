"""What a rule's element is about, in the reader's language: the words of a conduct, a material, a scope element.

Why a module of its own: the compiled element keeps its English description (``Offence.describe``),
built once per rule file and shared by every language, and it stays the one string English results
carry, byte for byte. A French finding asks here, when the verdict is composed (under the language
the results are built in, like the rule texts of ``texts.py``), for the same description in French;
field names and answer values quoted from the profile (``sexual_purpose = yes``) stay as written.
"""

from __future__ import annotations

from .conditions import Leaf, plain_key
from .i18n import DEFAULT, _, language, pgettext

# English message ids of the conduct and material values, the French a reader sees through pgettext.
_CONDUCT = {
    "producing": lambda: pgettext("conduct", "producing"),
    "offering_or_making_available": lambda: pgettext("conduct", "offering or making available"),
    "distributing_or_transmitting": lambda: pgettext("conduct", "distributing or transmitting"),
    "procuring": lambda: pgettext("conduct", "procuring"),
    "possessing": lambda: pgettext("conduct", "possessing"),
    "knowingly_obtaining_access": lambda: pgettext("conduct", "knowingly obtaining access"),
    "sexual_activity_with_child": lambda: pgettext("conduct", "sexual activity with a child"),
    "inciting_sexual_activity": lambda: pgettext("conduct", "inciting sexual activity"),
    "remote_directing_abuse": lambda: pgettext("conduct", "directing abuse from afar"),
    "recruiting_for_performance": lambda: pgettext("conduct", "recruiting for a pornographic performance"),
    "coercing_into_performance": lambda: pgettext("conduct", "coercing into a pornographic performance"),
    "profiting_from_performance": lambda: pgettext("conduct", "profiting from a pornographic performance"),
    "attending_performance": lambda: pgettext("conduct", "attending a pornographic performance"),
    "causing_to_witness": lambda: pgettext("conduct", "causing a child to witness sexual abuse or activities"),
    "showing_sexual_material_to_child": lambda: pgettext("conduct", "showing sexual material to a child"),
    "soliciting_for_sexual_purposes": lambda: pgettext("conduct", "soliciting children for sexual purposes"),
    "soliciting_sexual_images": lambda: pgettext("conduct", "soliciting sexual images"),
    "coercing_into_self_generated_images": lambda: pgettext("conduct", "coercing into self-generated images"),
    "sexual_extortion": lambda: pgettext("conduct", "sexual extortion"),
    "recruiting_for_prostitution": lambda: pgettext("conduct", "recruiting for prostitution"),
    "having_recourse_to_prostitution": lambda: pgettext("conduct", "having recourse to child prostitution"),
    "manufacturing": lambda: pgettext("conduct", "manufacturing"),
    "importing_or_exporting": lambda: pgettext("conduct", "importing or exporting"),
    "selling": lambda: pgettext("conduct", "selling"),
}
_MATERIAL = {
    "real_child_record": lambda: pgettext("material", "record of the abuse of a real child"),
    "manipulated_real_child": lambda: pgettext("material", "manipulated image of a real child"),
    "synthetic_realistic": lambda: pgettext("material", "realistic synthetic image"),
    "non_realistic_depiction": lambda: pgettext("material", "non-realistic depiction"),
    "child_like_doll_or_robot": lambda: pgettext("material", "child-like doll or robot"),
    "child_like_doll_or_robot_depiction": lambda: pgettext("material", "depiction of a child-like doll or robot"),
    "avatar_or_immersive": lambda: pgettext("material", "avatar or immersive content"),
    "self_generated_consensual_private": lambda: pgettext("material", "consensual self-generated images for private use"),
    "non_visual_depiction": lambda: pgettext("material", "non-visual depiction"),
}


def conduct_words(conduct: str) -> str:
    """A conduct value as a reader of the current language names it (an unknown value as written)."""
    word = _CONDUCT.get(conduct)
    return word() if word else conduct.replace("_", " ")


def material_words(material: str) -> str:
    """A material value as a reader of the current language names it (an unknown value as written)."""
    word = _MATERIAL.get(material)
    return word() if word else material.replace("_", " ")


def element_words(leaf: Leaf) -> str:
    """The element's description in the current language: in English exactly the compiled one."""
    description = leaf.element.description
    spec = leaf.source.offence
    if language() == DEFAULT or spec is None:
        return description
    text = conduct_words(spec.conduct.value)
    if spec.material:
        text = _("{conduct}, material: {material}").format(conduct=text, material=material_words(spec.material.value))
    for name, answer in spec.where.items():
        text += f", {name} = {answer.value}"
    if spec.age_at_least:
        text += _(", protecting children under {age}").format(age=spec.age_at_least)
    return text


def localised_key(key: str) -> str:
    """A dimension's key in the words of the profile format (``conditions.plain_key``), its English words
    translated; the profile's own field and value names stay as written."""
    if key.startswith("m_"):
        return _("material {material}").format(material=key[2:])
    if key == "age":
        return _("age threshold")
    return plain_key(key)
