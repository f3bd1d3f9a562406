import time, warnings
import numpy as np, torch
import intershap_widget as isw
from intershap_widget.paper import vision_language as vl
torch.set_num_threads(1)
model = vl.load()
X_train, y_train = vl.make_data(2000, seed=0)
X_test, y_test = vl.make_data(60, seed=1)
background = {"text": {k: a[:10] for k, a in X_train["text"].items()},
              "image": {"pixel_values": X_train["image"]["pixel_values"][:10]},
              "tabular": X_train["tabular"][:10]}
specials = [vl.VOCAB["cls"], vl.VOCAB["sep"], vl.VOCAB["pad"]]
baseline = {"text": isw.TokenReference(mask_id=vl.VOCAB["mask"], keep_ids=specials), "image": isw.ImageReference("blur", sigma=3.0)}
res = isw.explain(model, X_test, background, masking="baseline", baseline=baseline, progress=False)
print(np.round(res.phi[:8,0,1],3))
words = {f"word {p}": np.arange(12) == p for p in range(1, 11)}
t=time.perf_counter()
fr = isw.explain_features(model, X_test, background, modality="text", features=words, samples=[0, 1, 5], masking="baseline", baseline=baseline)
print(time.perf_counter()-t, fr)
print(np.round(fr.interaction[:, 1],3)); print(X_test["text"]["input_ids"][[0,1,5]])
