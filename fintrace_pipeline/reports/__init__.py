"""What a processed file's results are handed on as: the summary ``fintrace process`` prints, and the
audit workpaper (XLSX) and report (PDF) built from one gathered ``FileReport``."""
