from fintrace_pipeline.defs.assets.analytics import ANALYTICS_ASSETS
from fintrace_pipeline.defs.assets.ingest import ingest
from fintrace_pipeline.defs.assets.ml import ml_ensemble

# In stage order, for materializing a file in-process (``fintrace process``, tests).
PER_FILE_ASSETS = [ingest, *ANALYTICS_ASSETS, ml_ensemble]
