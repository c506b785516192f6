"""Learning across files: a per-source risk model trained on the verdicts of the source's files
(training.py), and the ML stage's use of the newest one (scoring.py)."""
