"""Monitoring-round questionnaires: the checklist derived from the rules, and the fillable workbook.

Evaluators and the authorities and NGOs answering a monitoring round work in questionnaires, not
YAML. ``layout`` derives the workbook's shape from the profile model (so a fact added to the model
appears in the workbook without touching this package), ``template`` writes it, ``workbook_safety``
opens a workbook that came from outside, ``importer`` reads it back into a validated profile, and
``checklist`` (with its two renderers) turns the rule catalogue into numbered questions.
"""
