"""The risk room: risk-degree assessment, inspection planning, checklists and rapid response
in technical regulation (joint order 1199/826 and its Criteria, Appendix 1).

Pure law: `subjects` (types), `degrees` (Cr §6-8, §15), `indicator` (Cr §12-13-1),
`checklists` (Cr-App1..5 as data, severities loaded), `planning` (Cr §7, §10, §14, §16),
`rapid_response` (Cr §16-1..16-3). `rules` registers them as `risk.*` rules.
"""
