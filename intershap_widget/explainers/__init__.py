"""Explaining a model: turn a model, its inputs and a background into coalition values
and a result of :mod:`intershap_widget.maths`.

Model adapters (:mod:`.adapters`: torch, scikit-learn, callables), the input forms
(:mod:`.inputs`: list, dict, groups of tensors), how a model is called (:mod:`.calls`) and
how its output is read (:mod:`.outputs`), per-modality references (:mod:`.references`), maskers (how an
absent modality is replaced), the exact driver (:mod:`.exact`: checks, probe, the
bounded-memory run, assembly), the factorised path (encoders once, the head per
coalition) and the coalition sampler for many modalities. The long run is a set of
passes over shards of samples (:mod:`.shards`, :mod:`.passes`), computed by an engine
(:mod:`.engine`) here or on Dask workers (:mod:`.distributed`), resumable from a run
folder (:mod:`.checkpoint`); :mod:`.launch` probes and plans it. Imports only the maths layer.
"""
