"""The mathematics: coalition games over modalities, exact Shapley and interaction
transforms (pairs and higher orders), the InterSHAP scores, the result type and its file
format, and the display hook a result shows itself through.

numpy only: nothing here imports torch, a model, a widget or a plot. The conventions
(bit order, the halved pair value, |mean| for Φ) are written once in :mod:`.games`.
"""
