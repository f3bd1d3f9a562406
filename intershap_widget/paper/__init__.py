"""The paper (Wenderoth et al., AAAI 2025): its synthetic data (HD-XOR, SUM, the XOR
oracle), its early/intermediate/late fusion FCNNs and training loop, macro F1, the
comparison scores (PID, EMAP, SHAPE) and the reproduction CLI
(``python -m intershap_widget.paper.reproduce``). Uses the three layers below it.
"""
