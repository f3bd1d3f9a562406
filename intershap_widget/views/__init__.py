"""Views: everything that shows a result to a person. The linked explorer and the
teaching widget (anywidget, front end in ``js/``), static matplotlib plots, the rich
display of results (registered as the maths layer's display hook by :mod:`.display`),
the ``%intershap`` magic, offline HTML export and the notebook runner.

Consumes results; imports the maths and explainers layers, never the paper's.
"""
