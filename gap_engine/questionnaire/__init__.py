"""Monitoring-round questionnaires: the checklist derived from the rules, and the fillable workbook.

Evaluators and the authorities and NGOs answering a monitoring round work in questionnaires, not
YAML. One module per job:

* ``layout`` — the workbook's shape, derived from the profile model (a fact added to the model
  appears in the workbook without touching this package);
* ``values`` — one cell's value to and from a profile value, side by side so the round trip stays exact;
* ``template`` — writes the fillable workbook, blank or pre-filled;
* ``workbook_safety`` — opens a workbook that came from outside (size, signature, zip bomb, defusedxml);
* ``importer`` — reads it back into a validated profile, every error named by sheet and cell;
* ``profile_yaml`` — writes the imported profile as YAML;
* ``checklist`` with ``checklist_markdown`` and ``checklist_xlsx`` — the rule catalogue as
  numbered questions, optionally pre-filled from a profile;
* ``xlsx_bytes`` — workbook bytes that depend only on their content.
"""
